"""Real target servers on loopback, for the password-rotation tests: OpenSSH's sshd,
PostgreSQL 15 and OpenLDAP's slapd, all from Debian packages (scripts/install-deps.sh).

Each target is a class with start()/stop() that also works as a context manager:

    with SshdTarget(tmp_path / "sshd") as ssh:
        user = ssh.add_user(None, "Pw-1")
        assert ssh.login_ok(user, "Pw-1")

- start() picks a free port on 127.0.0.1, writes the configuration into the target's work
  dir, starts the server in the foreground and waits (START_TIMEOUT) for the line in the
  server's own log that says it is listening. A missing binary, a refused start or a
  timeout raises TargetError: a target never skips.
- stop_listening() ends the server and start_again() starts it again on the SAME port with
  the same data (users, roles, entries, host key): connections are refused in between.
  pause()/resume() freeze and thaw the server with SIGSTOP/SIGCONT instead: the kernel
  still accepts TCP connections into the backlog but nothing answers, so clients time out.
- stop() ends the server (SIGTERM, or SIGINT for PostgreSQL's fast shutdown; SIGKILL after
  STOP_TIMEOUT) and removes what the target created outside its work dir: Linux users and
  their sudoers files (sshd), the cluster dir (PostgreSQL). It is idempotent.
- log_text() is the server's own log (every run appended), for tests that grep it for
  leaked secrets. The harness's own set-up never writes a test password to it.

Secrets never go on a command line: passwords travel on stdin, through a pipe (sshpass -d),
in files of mode 0600 created for one command and removed after it, or, for harness child
processes only, in PGPASSWORD.

Everything here needs root (useradd, sudoers, sshd's privilege separation, running
postgres as the `postgres` user); CI runs the suite as root.

Fixtures (add to conftest.py: `from targets import sshd_target, postgres_target,
slapd_target, target_factory  # noqa: F401`):
- `sshd_target`, `postgres_target`, `slapd_target`: one of each, shared by the session.
  A test adds its own uniquely named users/roles/entries and leaves the target as it found
  it (resume() what it paused, start_again() what it stopped).
- `target_factory`: private targets for one test (host-key replacement, outages), stopped
  when the test ends: target_factory.sshd(), .postgres(), .slapd().
"""

from __future__ import annotations

import base64
import hashlib
import os
import pwd
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

import pytest

import hygiene

START_TIMEOUT = 30.0  # seconds for a server to log that it listens
STOP_TIMEOUT = 15.0  # seconds for a server to exit after its stop signal
CMD_TIMEOUT = 30.0  # one client or admin command (ssh, psql, ldapadd, useradd...)
CONNECT_TIMEOUT = 10  # seconds, given to the clients (ssh ConnectTimeout, psql, ldap)

LOOPBACK = "127.0.0.1"

SSHD = "/usr/sbin/sshd"
SSH = "/usr/bin/ssh"
SSH_KEYGEN = "/usr/bin/ssh-keygen"
SSHPASS = "/usr/bin/sshpass"
USERADD = "/usr/sbin/useradd"
USERDEL = "/usr/sbin/userdel"
CHPASSWD = "/usr/sbin/chpasswd"
VISUDO = "/usr/sbin/visudo"
SUDOERS_D = Path("/etc/sudoers.d")

PG_BIN = Path("/usr/lib/postgresql/15/bin")

SLAPD = "/usr/sbin/slapd"
SLAPPASSWD = "/usr/sbin/slappasswd"
LDAPADD = "/usr/bin/ldapadd"
LDAPMODIFY = "/usr/bin/ldapmodify"
LDAPWHOAMI = "/usr/bin/ldapwhoami"
LDAPPASSWD = "/usr/bin/ldappasswd"
LDAP_SCHEMA = Path("/etc/ldap/schema")

_PACKAGES = {  # binary -> the Debian package that ships it, for the error message
    SSHD: "openssh-server", SSH: "openssh-client", SSH_KEYGEN: "openssh-client",
    SSHPASS: "sshpass", USERADD: "passwd", USERDEL: "passwd", CHPASSWD: "passwd",
    VISUDO: "sudo", SLAPD: "slapd", SLAPPASSWD: "slapd", LDAPADD: "ldap-utils",
    LDAPMODIFY: "ldap-utils", LDAPWHOAMI: "ldap-utils", LDAPPASSWD: "ldap-utils",
}


class TargetError(AssertionError):
    """A target could not be set up, started, used or stopped. An AssertionError so that
    it reads as a failure wherever it is raised; nothing in here skips."""


# --- small helpers ---------------------------------------------------------------------

def unique(prefix: str) -> str:
    """A name no other test uses (also valid as a Linux user, a role, an LDAP uid)."""
    return f"{prefix}{uuid.uuid4().hex[:12]}"


def require(*paths) -> None:
    for p in paths:
        if not os.access(str(p), os.X_OK):
            pkg = _PACKAGES.get(str(p), "postgresql-15" if str(p).startswith(str(PG_BIN)) else "?")
            raise TargetError(f"{p} not found or not executable: install Debian package {pkg} "
                              "(scripts/install-deps.sh)")


def require_root(what: str) -> None:
    if os.geteuid() != 0:
        raise TargetError(f"{what} needs root (the end-to-end suite runs as root in CI)")


def _ephemeral_range() -> tuple[int, int]:
    try:
        lo, hi = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(lo), int(hi)
    except (OSError, ValueError):
        return 32768, 60999


def free_port() -> int:
    """A TCP port nothing uses at 127.0.0.1 right now, below the kernel's ephemeral range:
    while a target is down between stop_listening() and start_again(), no client
    connection (ssh, psql, psafed's own) can be given its port as a local port."""
    lo, _ = _ephemeral_range()
    rng = random.SystemRandom()
    for _ in range(200):
        port = rng.randrange(20000, lo) if lo > 21000 else 0
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind((LOOPBACK, port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise TargetError("no free TCP port on 127.0.0.1")


def port_open(port: int, timeout: float = 1.0) -> bool:
    """True when a TCP connection to 127.0.0.1:port is accepted (or queued) in time."""
    try:
        with socket.create_connection((LOOPBACK, port), timeout=timeout):
            return True
    except OSError:
        return False


def _clean_env(**extra: str) -> dict:
    """The test's environment without the variables that would point clients at other
    servers, configuration files or credentials."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PG", "LDAP", "SSH_", "SSHPASS"))}
    env.setdefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
    env["LC_ALL"] = "C"
    env.update(extra)
    return env


def _run(args, *, input: Optional[str] = None, env: Optional[dict] = None, check: bool = True,
         timeout: float = CMD_TIMEOUT, what: str = "", **kw) -> subprocess.CompletedProcess:
    """Runs a short command (text I/O). argv never carries a secret; input may."""
    try:
        res = subprocess.run([str(a) for a in args], input=input,
                             stdin=None if input is not None else subprocess.DEVNULL,
                             capture_output=True, text=True, timeout=timeout,
                             env=env if env is not None else _clean_env(), **kw)
    except subprocess.TimeoutExpired:
        raise TargetError(f"{what or args[0]}: no exit within {timeout}s") from None
    if check and res.returncode != 0:
        raise TargetError(f"{what or ' '.join(map(str, args))} failed ({res.returncode}):\n"
                          f"{res.stdout}{res.stderr}")
    return res


def _write_secret(path: Path, value: str, owner: Optional[tuple[int, int]] = None) -> Path:
    """Creates a fresh file of mode 0600 holding value (no trailing newline)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        if owner is not None:
            os.fchown(fd, *owner)
        os.write(fd, value.encode())
    finally:
        os.close(fd)
    return path


@contextmanager
def _secret_file(directory: Path, value: str, owner: Optional[tuple[int, int]] = None) -> Iterator[Path]:
    """A 0600 file holding value for the length of one command; removed after it."""
    path = _write_secret(directory / f".secret-{uuid.uuid4().hex}", value, owner)
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


def _no_newline(value: str, what: str) -> None:
    if not value or "\n" in value or "\r" in value or "\0" in value:
        raise ValueError(f"{what} must be non-empty, without newlines or NUL")


# --- the process life cycle every target shares ----------------------------------------

class _Target:
    """One server process in the foreground, its work dir and its log."""

    kind = "target"
    stop_signal = signal.SIGTERM

    def __init__(self, workdir: Optional[Path] = None):
        self._own_workdir = workdir is None
        self.dir = Path(tempfile.mkdtemp(prefix=f"psafe-{self.kind}-")) if workdir is None else Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir, 0o700)
        self.host = LOOPBACK
        self.port: Optional[int] = None
        self.proc: Optional[subprocess.Popen] = None
        self.log_path = self.dir / f"{self.kind}.log"
        self._log_file = None
        self._log_offset = 0
        self._paused = False
        self._prepared = False
        self._stopped = False
        self.start_seconds: Optional[float] = None  # how long the last (re)start took
        self.stop_seconds: Optional[float] = None  # how long the last stop took

    # subclasses ------------------------------------------------------------------------
    def _prepare(self) -> None:
        """Once, before the first start: check binaries, write configuration, keys, data."""

    def _argv(self) -> list[str]:
        raise NotImplementedError

    def _ready_marker(self) -> str:
        """A line the server logs once it accepts connections."""
        raise NotImplementedError

    def _popen_kw(self) -> dict:
        return {}

    def _after_first_start(self) -> None:
        """Once, after the first start (seeding)."""

    def _cleanup(self) -> None:
        """After the final stop: remove what lives outside the work dir."""

    # life cycle ------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    @property
    def pid(self) -> Optional[int]:
        return self.proc.pid if self.proc is not None else None

    def start(self):
        if self.running:
            raise TargetError(f"{self.kind} already running")
        if self._stopped:
            raise TargetError(f"{self.kind} was stopped for good; use stop_listening()/start_again()")
        try:
            if not self._prepared:
                self.port = free_port()
                self._prepare()
                self._prepared = True
            self._launch()
            self._after_first_start()
        except BaseException:
            try:
                self.stop()
            except Exception:
                pass  # the first error is the one to report
            raise
        return self

    def start_again(self):
        """Starts the server again on the same port after stop_listening()."""
        if not self._prepared or self._stopped:
            raise TargetError(f"{self.kind}: start_again() needs a target started before and not stopped")
        if self.running:
            raise TargetError(f"{self.kind} already running")
        self._launch()
        return self

    def stop_listening(self) -> None:
        """Ends the server, keeping its data and port: connections are refused until
        start_again()."""
        self._end_process()

    def pause(self) -> None:
        """SIGSTOP: the port stays open (the kernel queues connections) but nothing answers."""
        if not self.running:
            raise TargetError(f"{self.kind} is not running")
        os.kill(self.proc.pid, signal.SIGSTOP)
        self._paused = True

    def resume(self) -> None:
        if self._paused and self.running:
            os.kill(self.proc.pid, signal.SIGCONT)
        self._paused = False

    def stop(self) -> None:
        """Ends the server and removes what the target made outside its work dir. Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        try:
            self._end_process()
        finally:
            try:
                self._cleanup()
            finally:
                if self._own_workdir:
                    shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self if self.running else self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def _log_since_launch(self) -> str:
        try:
            with open(self.log_path, "rb") as f:
                f.seek(self._log_offset)
                return f.read().decode(errors="replace")
        except FileNotFoundError:
            return ""

    def _launch(self) -> None:
        t0 = time.monotonic()
        self._log_file = open(self.log_path, "ab")
        hygiene.LEDGER.add_target_log(self.log_path)
        self._log_offset = self._log_file.tell()
        self.proc = subprocess.Popen(self._argv(), stdin=subprocess.DEVNULL, stdout=self._log_file,
                                     stderr=subprocess.STDOUT, **self._popen_kw())
        self._paused = False
        marker = self._ready_marker()
        deadline = t0 + START_TIMEOUT
        while True:
            if marker in self._log_since_launch():
                break
            rc = self.proc.poll()
            if rc is not None:
                self._close_log()
                raise TargetError(f"{self.kind} exited ({rc}) while starting on port {self.port}; "
                                  f"its log:\n{self._log_since_launch()[-4000:]}")
            if time.monotonic() > deadline:
                self._end_process()
                raise TargetError(f"{self.kind} did not log {marker!r} within {START_TIMEOUT}s; "
                                  f"its log:\n{self._log_since_launch()[-4000:]}")
            time.sleep(0.02)
        self.start_seconds = time.monotonic() - t0

    def _end_process(self) -> None:
        proc = self.proc
        if proc is None:
            return
        t0 = time.monotonic()
        try:
            if proc.poll() is None:
                if self._paused:
                    os.kill(proc.pid, signal.SIGCONT)
                    self._paused = False
                try:
                    proc.send_signal(self.stop_signal)
                except ProcessLookupError:
                    pass
                try:
                    proc.wait(timeout=STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=10)
                    raise TargetError(f"{self.kind} did not exit within {STOP_TIMEOUT}s of "
                                      f"signal {self.stop_signal}; killed")
        finally:
            self._close_log()
            self.stop_seconds = time.monotonic() - t0

    def _close_log(self) -> None:
        if self._log_file is not None and not self._log_file.closed:
            self._log_file.close()


# --- OpenSSH ---------------------------------------------------------------------------

class SshdTarget(_Target):
    """/usr/sbin/sshd -D on 127.0.0.1:<port>: password sign-in without PAM, public keys from
    ~/.ssh/authorized_keys, only users named psafe-t* (AllowUsers), root refused. Its log
    (LogLevel VERBOSE) is `log_path`. Clients sign in with sshpass (password via a pipe)."""

    kind = "sshd"
    USER_PREFIX = "psafe-t"
    _USER_RE = re.compile(r"^psafe-t[a-z0-9-]{0,25}$")

    def __init__(self, workdir: Optional[Path] = None):
        super().__init__(workdir)
        self.config_path = self.dir / "sshd_config"
        self.host_key_path = self.dir / "ssh_host_ed25519_key"
        self.pid_path = self.dir / "sshd.pid"
        self.users: list[str] = []  # created by add_user, removed by remove_users
        self.sudoers_files: list[Path] = []

    def _prepare(self) -> None:
        require(SSHD, SSH, SSH_KEYGEN, SSHPASS, USERADD, USERDEL, CHPASSWD, VISUDO)
        require_root("SshdTarget")
        run_sshd = Path("/run/sshd")  # sshd's privilege-separation dir
        run_sshd.mkdir(mode=0o755, parents=True, exist_ok=True)
        self._generate_host_key()
        self.config_path.write_text("\n".join([
            f"Port {self.port}",
            f"ListenAddress {LOOPBACK}:{self.port}",
            "AddressFamily inet",
            f"HostKey {self.host_key_path}",
            f"PidFile {self.pid_path}",
            "UsePAM no",
            "PasswordAuthentication yes",
            "PermitEmptyPasswords no",
            "KbdInteractiveAuthentication no",
            "PubkeyAuthentication yes",
            "AuthorizedKeysFile .ssh/authorized_keys",
            "PermitRootLogin no",
            f"AllowUsers {self.USER_PREFIX}*",
            "LogLevel VERBOSE",
            "UseDNS no",
            "PrintMotd no",
            "PrintLastLog no",
            "X11Forwarding no",
            "AllowTcpForwarding no",
            "LoginGraceTime 30",
            "MaxStartups 100:30:200",
            "MaxAuthTries 6",
            "Subsystem sftp internal-sftp",
            "",
        ]))
        os.chmod(self.config_path, 0o600)

    def _argv(self) -> list[str]:
        return [SSHD, "-D", "-e", "-f", str(self.config_path), "-E", str(self.log_path)]

    def _ready_marker(self) -> str:
        return f"Server listening on {LOOPBACK} port {self.port}."

    def _cleanup(self) -> None:
        self.remove_users()

    # host key --------------------------------------------------------------------------
    def _generate_host_key(self) -> None:
        for p in (self.host_key_path, self.host_key_path.with_suffix(".pub")):
            p.unlink(missing_ok=True)
        # -N '' is the (empty) passphrase of a host key: no secret on the command line.
        _run([SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "", "-C", "psafe-e2e-host", "-f", self.host_key_path],
             what="ssh-keygen (host key)")

    def host_key_fingerprint(self) -> str:
        """"SHA256:<base64>", as `ssh-keygen -lf` prints it."""
        out = _run([SSH_KEYGEN, "-l", "-E", "sha256", "-f", self.host_key_path.with_suffix(".pub")],
                   what="ssh-keygen -l").stdout.split()
        if len(out) < 2 or not out[1].startswith("SHA256:"):
            raise TargetError(f"unexpected ssh-keygen -l output: {out}")
        return out[1]

    def host_public_key(self) -> str:
        """"ssh-ed25519 AAAA..." (type and key, no comment)."""
        return " ".join(self.host_key_path.with_suffix(".pub").read_text().split()[:2])

    def known_hosts_line(self) -> str:
        return f"[{LOOPBACK}]:{self.port} {self.host_public_key()}"

    def replace_host_key(self) -> str:
        """A new host key, served on the same port (the server restarts). Returns its
        fingerprint."""
        old = self.host_key_fingerprint()
        self.stop_listening()
        self._generate_host_key()
        self.start_again()
        new = self.host_key_fingerprint()
        if new == old:
            raise TargetError("ssh-keygen produced the same host key twice")
        return new

    # users -----------------------------------------------------------------------------
    def add_user(self, name: Optional[str], password: str, sudo_chpasswd: bool = False,
                 sudo_shell: bool = False) -> str:
        """Creates a Linux user (useradd -m; name None: a fresh psafe-t… name) with password
        (chpasswd on stdin). sudo_chpasswd: /etc/sudoers.d/<name> lets it run
        `sudo /usr/sbin/chpasswd` without a password (it can then set ANY user's password,
        as a rotation functional account does). sudo_shell: /bin/sh too, as installing
        SSH keys for other users needs (psafe's key rotation). Returns the name."""
        name = name or unique(self.USER_PREFIX + "-")
        if not self._USER_RE.match(name):
            raise ValueError(f"user name {name!r} must match {self._USER_RE.pattern} (removed by prefix)")
        _no_newline(password, "password")
        require_root("SshdTarget.add_user")
        self.users.append(name)  # before useradd: remove_users tolerates a user that is not there
        _run([USERADD, "-m", "-s", "/bin/sh", "-c", "psafe e2e target user", name], what=f"useradd {name}")
        self.set_password(name, password)
        if sudo_chpasswd or sudo_shell:
            path = SUDOERS_D / name  # no '.' in the name: sudo would ignore the file
            self.sudoers_files.append(path)
            commands = [CHPASSWD] + (["/bin/sh"] if sudo_shell else [])
            rule = f"{name} ALL=(root) NOPASSWD: {', '.join(commands)}\n"
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o440)
            try:
                os.write(fd, rule.encode())
            finally:
                os.close(fd)
            _run([VISUDO, "-c", "-q", "-f", path], what=f"visudo -cf {path}")
        return name

    def set_password(self, name: str, password: str) -> None:
        """Sets a user's password as root (chpasswd reading stdin)."""
        _no_newline(password, "password")
        _run([CHPASSWD], input=f"{name}:{password}\n", what=f"chpasswd for {name}")

    def add_authorized_key(self, name: str, public_key: str) -> None:
        """Appends an OpenSSH public key line to the user's ~/.ssh/authorized_keys."""
        pw = pwd.getpwnam(name)
        ssh_dir = Path(pw.pw_dir) / ".ssh"
        ssh_dir.mkdir(mode=0o700, exist_ok=True)
        os.chown(ssh_dir, pw.pw_uid, pw.pw_gid)
        keys = ssh_dir / "authorized_keys"
        with open(keys, "a") as f:
            f.write(public_key.strip() + "\n")
        os.chmod(keys, 0o600)
        os.chown(keys, pw.pw_uid, pw.pw_gid)

    def remove_users(self) -> None:
        """Removes every sudoers file and user (userdel -r) this target created."""
        errors = []
        for path in self.sudoers_files:
            try:
                path.unlink(missing_ok=True)
            except OSError as e:
                errors.append(f"{path}: {e}")
        self.sudoers_files = []
        for name in self.users:
            err = self._userdel(name)
            if err:
                errors.append(err)
        self.users = []
        if errors:
            raise TargetError("removing test users: " + "; ".join(errors))

    @staticmethod
    def _userdel(name: str) -> Optional[str]:
        deadline = time.monotonic() + 10
        while True:
            res = _run([USERDEL, "-r", name], check=False, what=f"userdel {name}")
            if res.returncode in (0, 6):  # done; no such user
                return None
            if res.returncode == 8 and time.monotonic() < deadline:  # still has processes
                time.sleep(0.2)  # an ssh session that is ending
                continue
            if res.returncode == 8:
                res = _run([USERDEL, "-f", "-r", name], check=False, what=f"userdel -f {name}")
                if res.returncode in (0, 6):
                    return None
            return f"userdel -r {name} failed ({res.returncode}): {res.stderr.strip()}"

    # clients ---------------------------------------------------------------------------
    def _ssh_opts(self) -> list[str]:
        return ["-F", "/dev/null", "-p", str(self.port),
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "GlobalKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
                "-o", f"ConnectTimeout={CONNECT_TIMEOUT}", "-o", "GSSAPIAuthentication=no",
                "-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=2"]

    def ssh_password(self, user: str, password: str, command: str = "true", input: Optional[str] = None,
                     timeout: float = CMD_TIMEOUT) -> subprocess.CompletedProcess:
        """Signs in with a password (sshpass reads it from a pipe) and runs command, with
        input (if any) on its stdin: e.g. "sudo -n /usr/sbin/chpasswd" and "user:new\\n",
        as a functional account rotates. sshpass exits 5 when the password is refused."""
        _no_newline(password, "password")
        r, w = os.pipe()
        try:
            os.write(w, password.encode())  # far below a pipe's buffer
            os.close(w)
            w = -1
            return _run([SSHPASS, "-d", str(r), SSH, *self._ssh_opts(),
                         "-o", "PreferredAuthentications=password", "-o", "PubkeyAuthentication=no",
                         "-o", "KbdInteractiveAuthentication=no", "-o", "IdentityFile=none",
                         "-T", f"{user}@{LOOPBACK}", command],
                        input=input, pass_fds=(r,), check=False, timeout=timeout, what="sshpass ssh")
        finally:
            os.close(r)
            if w >= 0:
                os.close(w)

    def login_ok(self, user: str, password: str) -> bool:
        """True when sshd accepts the password and `true` runs; False when it refuses the
        password. Anything else (refused connection, timeout, a protocol error) raises,
        so that a down server never passes for a wrong password."""
        res = self.ssh_password(user, password, "true")
        if res.returncode == 0:
            return True
        if res.returncode == 5 or (res.returncode == 255 and "Permission denied" in res.stderr):
            return False
        raise TargetError(f"ssh {user}@{LOOPBACK}:{self.port} failed ({res.returncode}): {res.stderr.strip()}")

    def key_login_ok(self, user: str, private_key: Path) -> bool:
        """The same with a private key file (no passphrase) and BatchMode."""
        res = _run([SSH, *self._ssh_opts(), "-o", "BatchMode=yes", "-o", "PreferredAuthentications=publickey",
                    "-o", "IdentitiesOnly=yes", "-i", private_key, "-T", f"{user}@{LOOPBACK}", "true"],
                   check=False, what="ssh -i")
        if res.returncode == 0:
            return True
        if res.returncode == 255 and "Permission denied" in res.stderr:
            return False
        raise TargetError(f"ssh -i {user}@{LOOPBACK}:{self.port} failed ({res.returncode}): {res.stderr.strip()}")

    def scanned_fingerprint(self) -> str:
        """The fingerprint of the key the running server offers (ssh-keyscan)."""
        scan = _run(["/usr/bin/ssh-keyscan", "-T", str(CONNECT_TIMEOUT), "-t", "ed25519", "-p", str(self.port),
                     LOOPBACK], what="ssh-keyscan").stdout
        out = _run([SSH_KEYGEN, "-l", "-E", "sha256", "-f", "-"], input=scan, what="ssh-keygen -l -f -").stdout
        return out.split()[1]


# --- PostgreSQL ------------------------------------------------------------------------

class PostgresTarget(_Target):
    """PostgreSQL 15 on 127.0.0.1:<port>: scram-sha-256 for TCP, trust on the unix socket
    (in the cluster dir, 0700, only root and the server's user reach it), log_statement=all
    with the server's stderr in `log_path`. As root the server runs as the `postgres` user
    and its cluster lives in /tmp/psafe-pg-*, removed by stop(). The superuser is
    `postgres` with `admin_password`. The harness's own admin SQL runs with
    log_statement=none, so the log shows what others sent (psafed's connector)."""

    kind = "postgres"
    stop_signal = signal.SIGINT  # "fast" shutdown: ends open sessions (SIGTERM waits for them)
    ADMIN = "postgres"
    ROLE_PREFIX = "psafe_t_"
    _ROLE_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

    def __init__(self, workdir: Optional[Path] = None):
        super().__init__(workdir)
        self.admin_password = "pg-" + secrets.token_urlsafe(24)
        self.cluster_dir: Optional[Path] = None
        self.pgdata: Optional[Path] = None
        self.socket_dir: Optional[Path] = None
        self._owner: Optional[tuple[int, int]] = None  # (uid, gid) the server runs as, when root

    def _make_cluster_dir(self, prefix: str = "psafe-pg-") -> None:
        """The cluster's directory, owned by the user the server runs as."""
        if os.geteuid() == 0:
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                raise TargetError("no `postgres` user: install Debian package postgresql-15") from None
            self._owner = (pw.pw_uid, pw.pw_gid)
        # Outside the work dir: pytest's are root-only (0700), and a unix socket path must
        # stay under 108 bytes.
        self.cluster_dir = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
        if self._owner:
            os.chown(self.cluster_dir, *self._owner)
        self.pgdata = self.cluster_dir / "data"
        self.socket_dir = self.cluster_dir

    def _prepare(self) -> None:
        require(PG_BIN / "postgres", PG_BIN / "initdb", PG_BIN / "psql")
        self._make_cluster_dir()
        with _secret_file(self.cluster_dir, self.admin_password, self._owner) as pwfile:
            _run([PG_BIN / "initdb", "-D", self.pgdata, "-U", self.ADMIN, "--pwfile", pwfile,
                  "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C",
                  "--no-sync"], what="initdb", cwd=self.cluster_dir, **self._popen_kw())
        with open(self.pgdata / "postgresql.conf", "a") as f:
            f.write("\n# psafe e2e target\n" + "\n".join([
                f"listen_addresses = '{LOOPBACK}'",
                f"port = {self.port}",
                f"unix_socket_directories = '{self.socket_dir}'",
                "password_encryption = 'scram-sha-256'",
                "ssl = off",
                "log_destination = 'stderr'",
                "logging_collector = off",
                "log_statement = 'all'",
                "log_connections = on",
                "log_disconnections = on",
                "log_line_prefix = '%m [%p] %q%u@%d '",
                "max_connections = 40",
                "shared_buffers = 16MB",
                "fsync = off",
                "synchronous_commit = off",
                "full_page_writes = off",
                "",
            ]))
        (self.pgdata / "pg_hba.conf").write_text(
            "# psafe e2e target\n"
            "local all all trust\n"
            f"host all all {LOOPBACK}/32 scram-sha-256\n")

    def _popen_kw(self) -> dict:
        kw = {"env": _clean_env(HOME=str(self.cluster_dir))}
        if self._owner:  # postgres refuses to run as root; Popen drops to its user directly
            kw.update(user=self._owner[0], group=self._owner[1], extra_groups=[])
        return kw

    def _argv(self) -> list[str]:
        return [str(PG_BIN / "postgres"), "-D", str(self.pgdata)]

    def _ready_marker(self) -> str:
        return "database system is ready to accept connections"

    def _cleanup(self) -> None:
        if self.cluster_dir is not None:
            shutil.rmtree(self.cluster_dir, ignore_errors=True)
            if self.cluster_dir.exists():
                raise TargetError(f"could not remove {self.cluster_dir}")

    # admin -----------------------------------------------------------------------------
    def admin_sql(self, sql: str, dbname: str = "postgres") -> str:
        """Runs SQL (on stdin) as the superuser over the unix socket; returns psql -At output.
        Statements are not logged (a harness password must not show up in log_text())."""
        env = _clean_env(PGOPTIONS="-c log_statement=none -c log_min_error_statement=panic",
                         PGPASSFILE=str(self.dir / "no-pgpass"), HOME=str(self.dir))
        # VERBOSITY=terse: an error does not quote the statement (and its password) back.
        res = _run([PG_BIN / "psql", "-X", "-q", "-A", "-t", "-w", "-v", "ON_ERROR_STOP=1",
                    "-v", "VERBOSITY=terse", "-h", self.socket_dir, "-p", str(self.port), "-U", self.ADMIN, "-d", dbname, "-f", "-"],
                   input=sql, env=env, check=False, what="psql (admin)")
        if res.returncode != 0:  # the SQL may hold a password: not in the message
            raise TargetError(f"admin SQL failed ({res.returncode}): {res.stderr.strip()}")
        return res.stdout

    @staticmethod
    def _ident(name: str) -> str:
        if not PostgresTarget._ROLE_RE.match(name):
            raise ValueError(f"role name {name!r} must match {PostgresTarget._ROLE_RE.pattern}")
        return f'"{name}"'

    @staticmethod
    def _literal(value: str) -> str:
        if "\0" in value:
            raise ValueError("NUL in a literal")
        return "'" + value.replace("'", "''") + "'"

    def create_role(self, name: Optional[str], password: str, login: bool = True, createrole: bool = False,
                    superuser: bool = False) -> str:
        """CREATE ROLE with a password (sent on psql's stdin over the unix socket, never
        logged; hashed by the server with SCRAM). name None: a fresh psafe_t_… name."""
        name = name or unique(self.ROLE_PREFIX)
        if not password or "\0" in password:
            raise ValueError("password must be non-empty, without NUL")
        opts = " ".join(["LOGIN" if login else "NOLOGIN", "CREATEROLE" if createrole else "NOCREATEROLE",
                         "SUPERUSER" if superuser else "NOSUPERUSER"])
        self.admin_sql("SET standard_conforming_strings = on;\n"
                       "SET password_encryption = 'scram-sha-256';\n"
                       f"CREATE ROLE {self._ident(name)} {opts} PASSWORD {self._literal(password)};\n")
        return name

    def set_password(self, role: str, password: str) -> None:
        self.admin_sql("SET standard_conforming_strings = on;\n"
                       "SET password_encryption = 'scram-sha-256';\n"
                       f"ALTER ROLE {self._ident(role)} PASSWORD {self._literal(password)};\n")

    def set_login(self, role: str, enabled: bool) -> None:
        self.admin_sql(f"ALTER ROLE {self._ident(role)} {'LOGIN' if enabled else 'NOLOGIN'};\n")

    def password_verifier(self, role: str) -> str:
        """What pg_authid holds for role ("SCRAM-SHA-256$4096:..."), to see a rotation happened."""
        return self.admin_sql(f"SELECT rolpassword FROM pg_authid WHERE rolname = {self._literal(role)};\n").strip()

    # clients ---------------------------------------------------------------------------
    def conninfo(self, role: str, dbname: str = "postgres") -> str:
        def q(v: str) -> str:
            return "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'"
        return (f"host={LOOPBACK} port={self.port} user={q(role)} dbname={q(dbname)} "
                f"sslmode=disable connect_timeout={CONNECT_TIMEOUT}")

    def psql_tcp(self, role: str, password: str, sql: str = "select 1",
                 dbname: str = "postgres") -> subprocess.CompletedProcess:
        """psql over TCP with SCRAM; the password only in the child's PGPASSWORD."""
        env = _clean_env(PGPASSWORD=password, PGPASSFILE=str(self.dir / "no-pgpass"), HOME=str(self.dir))
        return _run([PG_BIN / "psql", "-X", "-q", "-A", "-t", "-w", "-v", "ON_ERROR_STOP=1",
                     "-d", self.conninfo(role, dbname), "-c", sql], env=env, check=False, what="psql")

    _REFUSED = ("password authentication failed", "is not permitted to log in")

    def login_ok(self, role: str, password: str, dbname: str = "postgres") -> bool:
        """True when the server accepts role/password over TCP (scram) and `select 1`
        answers 1; False when it refuses them (wrong password, no such role, NOLOGIN).
        Anything else (server down, timeout) raises."""
        res = self.psql_tcp(role, password, "select 1", dbname)
        if res.returncode == 0 and res.stdout.strip() == "1":
            return True
        if any(m in res.stderr for m in self._REFUSED):
            return False
        raise TargetError(f"psql to {LOOPBACK}:{self.port} failed ({res.returncode}): {res.stderr.strip()}")


# --- OpenLDAP --------------------------------------------------------------------------

class SlapdTarget(_Target):
    """slapd (back_mdb) on ldap://127.0.0.1:<port>/ with suffix dc=psafe,dc=test, rootdn
    cn=admin,dc=psafe,dc=test (`root_password`), people under ou=people. slapd runs in the
    foreground with `-d stats` (connections, binds, operations) into `log_path`.

    ACLs: userPassword is writable by its own entry and by every functional DN
    uid=psafe-fa*,ou=people,dc=psafe,dc=test (add_person(..., writer=True)), usable by
    anonymous for binding, hidden from everyone else; all other attributes readable by all.
    Password Modify (RFC 3062, ldappasswd) hashes new passwords as {SSHA}."""

    kind = "slapd"
    SUFFIX = "dc=psafe,dc=test"
    ROOT_DN = "cn=admin,dc=psafe,dc=test"
    PEOPLE = "ou=people,dc=psafe,dc=test"
    PERSON_PREFIX = "psafe-t-"
    WRITER_PREFIX = "psafe-fa-"
    _UID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")

    def __init__(self, workdir: Optional[Path] = None):
        super().__init__(workdir)
        self.root_password = "ldap-" + secrets.token_urlsafe(24)
        self.config_path = self.dir / "slapd.conf"
        self.db_dir = self.dir / "db"
        self._root_pw_file = self.dir / "rootpw"

    @property
    def url(self) -> str:
        return f"ldap://{LOOPBACK}:{self.port}/"

    def _prepare(self) -> None:
        require(SLAPD, SLAPPASSWD, LDAPADD, LDAPMODIFY, LDAPWHOAMI, LDAPPASSWD)
        for schema in ("core", "cosine", "nis", "inetorgperson"):
            if not (LDAP_SCHEMA / f"{schema}.schema").is_file():
                raise TargetError(f"{LDAP_SCHEMA}/{schema}.schema missing: install Debian package slapd")
        self.db_dir.mkdir(mode=0o700, exist_ok=True)
        _write_secret(self._root_pw_file, self.root_password)
        rootpw = _run([SLAPPASSWD, "-h", "{SSHA}", "-T", self._root_pw_file], what="slappasswd").stdout.strip()
        if not rootpw.startswith("{SSHA}"):
            raise TargetError("slappasswd printed no {SSHA} hash")
        writer = self.WRITER_PREFIX.rstrip("-")
        self.config_path.write_text("\n".join([
            *(f"include {LDAP_SCHEMA}/{s}.schema" for s in ("core", "cosine", "nis", "inetorgperson")),
            f"pidfile {self.dir / 'slapd.pid'}",
            f"argsfile {self.dir / 'slapd.args'}",
            "modulepath /usr/lib/ldap",
            "moduleload back_mdb",
            "password-hash {SSHA}",
            "",
            "database mdb",
            "maxsize 67108864",
            f'suffix "{self.SUFFIX}"',
            f'rootdn "{self.ROOT_DN}"',
            f"rootpw {rootpw}",
            f"directory {self.db_dir}",
            "index objectClass eq",
            "index uid eq",
            "",
            "access to attrs=userPassword",
            f'  by dn.regex="^uid={writer}[^,]*,{self.PEOPLE}$" write',
            "  by self write",
            "  by anonymous auth",
            "  by * none",
            "access to *",
            "  by * read",
            "",
        ]))
        os.chmod(self.config_path, 0o600)

    def _argv(self) -> list[str]:
        # Any -d keeps slapd in the foreground; "stats" logs connections, binds, operations.
        return [SLAPD, "-d", "stats", "-h", self.url, "-f", str(self.config_path)]

    def _ready_marker(self) -> str:
        return "slapd starting"

    def _after_first_start(self) -> None:
        self._admin(LDAPADD, f"""dn: {self.SUFFIX}
objectClass: dcObject
objectClass: organization
dc: psafe
o: psafe e2e

dn: {self.PEOPLE}
objectClass: organizationalUnit
ou: people
""")

    def _admin(self, tool: str, ldif: str) -> None:
        _run([tool, "-x", "-H", self.url, "-D", self.ROOT_DN, "-y", self._root_pw_file,
              "-o", f"nettimeout={CONNECT_TIMEOUT}"], input=ldif, env=_clean_env(LDAPNOINIT="1"),
             what=f"{Path(tool).name} as rootdn")

    @staticmethod
    def ssha(password: str) -> str:
        """An {SSHA} userPassword value (what slapd's password-hash makes)."""
        salt = os.urandom(8)
        digest = hashlib.sha1(password.encode() + salt).digest()
        return "{SSHA}" + base64.b64encode(digest + salt).decode()

    def dn(self, uid: str) -> str:
        return f"uid={uid},{self.PEOPLE}"

    def add_person(self, uid: Optional[str], password: str, writer: bool = False) -> str:
        """An inetOrgPerson uid=<uid>,ou=people,dc=psafe,dc=test with password (stored
        {SSHA}); returns its DN. writer=True: a functional account allowed to write other
        entries' userPassword; its uid must start with psafe-fa- (None: a fresh one), and
        only writers' may."""
        prefix = self.WRITER_PREFIX if writer else self.PERSON_PREFIX
        uid = uid or unique(prefix)
        if not self._UID_RE.match(uid):
            raise ValueError(f"uid {uid!r} must match {self._UID_RE.pattern}")
        if uid.startswith(self.WRITER_PREFIX.rstrip("-")) != writer:
            raise ValueError(f"uid {uid!r}: exactly the writers' uids start with {self.WRITER_PREFIX.rstrip('-')}")
        _no_newline(password, "password")
        self._admin(LDAPADD, f"""dn: {self.dn(uid)}
objectClass: inetOrgPerson
uid: {uid}
cn: {uid}
sn: {uid}
userPassword: {self.ssha(password)}
""")
        return self.dn(uid)

    def set_password(self, dn: str, password: str) -> None:
        """Replaces userPassword as the rootdn."""
        _no_newline(password, "password")
        self._admin(LDAPMODIFY, f"dn: {dn}\nchangetype: modify\nreplace: userPassword\n"
                                f"userPassword: {self.ssha(password)}\n")

    def bind_ok(self, dn: str, password: str) -> bool:
        """True when a simple bind as dn with password succeeds (ldapwhoami -y file); False
        on invalidCredentials (49). Anything else raises."""
        _no_newline(password, "password")  # an empty password would be an anonymous bind
        with _secret_file(self.dir, password) as pwfile:
            res = _run([LDAPWHOAMI, "-x", "-H", self.url, "-D", dn, "-y", pwfile,
                        "-o", f"nettimeout={CONNECT_TIMEOUT}"], env=_clean_env(LDAPNOINIT="1"),
                       check=False, what="ldapwhoami")
        if res.returncode == 0:
            return True
        if res.returncode == 49:
            return False
        raise TargetError(f"ldapwhoami on {self.url} failed ({res.returncode}): {res.stderr.strip()}")

    _RESULT_RE = re.compile(r"^Result: .*\((\d+)\)$|^ldap_bind: .*\((\d+)\)$", re.M)

    def password_modify(self, bind_dn: str, bind_password: str, target_dn: str, new_password: str) -> int:
        """RFC 3062 Password Modify as bind_dn (ldappasswd -y file -T file target_dn).
        Returns the LDAP result code: 0 done, 50 insufficientAccess, 49 invalidCredentials
        (the bind). No answer at all raises."""
        _no_newline(bind_password, "bind password")
        _no_newline(new_password, "new password")
        with _secret_file(self.dir, bind_password) as bind_file, _secret_file(self.dir, new_password) as new_file:
            res = _run([LDAPPASSWD, "-x", "-H", self.url, "-D", bind_dn, "-y", bind_file, "-T", new_file,
                        "-o", f"nettimeout={CONNECT_TIMEOUT}", target_dn], env=_clean_env(LDAPNOINIT="1"),
                       check=False, what="ldappasswd")
        if res.returncode == 0:
            return 0
        m = self._RESULT_RE.search(res.stdout + res.stderr)
        if m:
            return int(m.group(1) or m.group(2))
        raise TargetError(f"ldappasswd on {self.url} failed ({res.returncode}): {res.stdout}{res.stderr}")

    def _cleanup(self) -> None:
        self._root_pw_file.unlink(missing_ok=True)


# --- fixtures --------------------------------------------------------------------------

def _shared(cls, tmp_path_factory):
    target = cls(tmp_path_factory.mktemp(cls.kind))
    target.start()
    try:
        yield target
    finally:
        target.stop()


@pytest.fixture(scope="session")
def sshd_target(tmp_path_factory) -> Iterator[SshdTarget]:
    """One sshd for the session; add_user() names are unique, users removed at the end."""
    yield from _shared(SshdTarget, tmp_path_factory)


@pytest.fixture(scope="session")
def postgres_target(tmp_path_factory) -> Iterator[PostgresTarget]:
    """One PostgreSQL 15 for the session; create_role() names are unique."""
    yield from _shared(PostgresTarget, tmp_path_factory)


@pytest.fixture(scope="session")
def slapd_target(tmp_path_factory) -> Iterator[SlapdTarget]:
    """One slapd for the session; add_person() uids are unique."""
    yield from _shared(SlapdTarget, tmp_path_factory)


class TargetFactory:
    """Private targets for one test, each in its own dir under the test's tmp_path."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.started: list[_Target] = []

    def _start(self, cls):
        target = cls(self.tmp_path / f"{cls.kind}{len(self.started)}")
        self.started.append(target)
        return target.start()

    def sshd(self) -> SshdTarget:
        return self._start(SshdTarget)

    def postgres(self) -> PostgresTarget:
        return self._start(PostgresTarget)

    def slapd(self) -> SlapdTarget:
        return self._start(SlapdTarget)

    def close(self) -> None:
        errors = []
        for target in reversed(self.started):
            try:
                target.stop()
            except Exception as e:  # keep stopping the others
                errors.append(e)
        if errors:
            raise errors[0]


@pytest.fixture
def target_factory(tmp_path) -> Iterator[TargetFactory]:
    f = TargetFactory(tmp_path)
    try:
        yield f
    finally:
        f.close()
