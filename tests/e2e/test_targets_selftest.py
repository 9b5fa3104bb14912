"""Self-test of targets.py: each real target starts, signs in with the right secret and not
with a wrong one, keeps its port across stop_listening()/start_again(), and leaves nothing
behind (users, home dirs, sudoers files, cluster dirs, processes). Needs root, like CI.
"""

from __future__ import annotations

import os
import pwd
import socket
import subprocess
from pathlib import Path

import pytest

import targets
from targets import (PostgresTarget, SlapdTarget, SshdTarget, TargetError, port_open,
                     postgres_target, slapd_target, sshd_target, target_factory)  # noqa: F401 (fixtures)

pytestmark = pytest.mark.real_targets


def _procs(pred) -> list[int]:
    """Pids of live processes for which pred(pid) is true (vanishing ones ignored)."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if pred(entry):
                    out.append(int(entry))
            except OSError:
                pass
    return out


def _cmdline_has(text: str):
    return lambda pid: text.encode() in Path(f"/proc/{pid}/cmdline").read_bytes()


def _cwd_under(root: Path):
    return lambda pid: os.readlink(f"/proc/{pid}/cwd").startswith(str(root))


def _uid_is(uid: int):
    """Live processes of uid. Zombies are not: they have exited, and this machine's PID 1
    reaps the orphaned ones (sshd's per-session children) only after a while."""
    def pred(pid):
        fields = dict(l.split(":", 1) for l in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in l)
        return int(fields["Uid"].split()[0]) == uid and not fields["State"].strip().startswith("Z")
    return pred


def _describe(pids) -> list[str]:
    out = []
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text().splitlines()
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            out.append(f"{pid} {cmd!r} " + " ".join(l for l in status if l.startswith(("PPid", "Uid", "State"))))
        except OSError:
            out.append(f"{pid} (gone)")
    return out


def _banner(port: int, timeout: float) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        return s.recv(64)


def _assert_gone(proc: subprocess.Popen) -> None:
    assert proc.poll() is not None, "server process still running"


def test_sshd_target(tmp_path):
    pw, fa_pw, new_pw = "Pw:'\"x y$1", "Fa pw \\2", "New/pw:3 '"
    with SshdTarget(tmp_path / "sshd") as ssh:
        port, proc = ssh.port, ssh.proc
        user = ssh.add_user(None, pw)
        fa = ssh.add_user(None, fa_pw, sudo_chpasswd=True)
        uids = [pwd.getpwnam(n).pw_uid for n in (user, fa)]
        sudoers = Path("/etc/sudoers.d") / fa
        assert oct(sudoers.stat().st_mode & 0o777) == "0o440"
        assert sudoers.read_text() == f"{fa} ALL=(root) NOPASSWD: /usr/sbin/chpasswd\n"

        assert ssh.login_ok(user, pw)
        assert not ssh.login_ok(user, "wrong " + pw)
        assert not ssh.login_ok(unique_user(), pw)  # no such user: refused, not an error

        # The functional account rotates the user's password the way a connector does.
        res = ssh.ssh_password(fa, fa_pw, "sudo -n /usr/sbin/chpasswd", input=f"{user}:{new_pw}\n")
        assert res.returncode == 0, res.stderr
        assert ssh.login_ok(user, new_pw) and not ssh.login_ok(user, pw)

        # Public keys.
        key = tmp_path / "id_ed25519"
        targets._run([targets.SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "", "-f", key])
        other = tmp_path / "other"
        targets._run([targets.SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "", "-f", other])
        ssh.add_authorized_key(user, key.with_suffix(".pub").read_text())
        assert ssh.key_login_ok(user, key)
        assert not ssh.key_login_ok(user, other)

        # Host key: what the server offers is what host_key_fingerprint() says.
        fp = ssh.host_key_fingerprint()
        assert fp.startswith("SHA256:") and ssh.scanned_fingerprint() == fp

        # Paused: the port takes connections but nothing answers; resumed: it does.
        ssh.pause()
        with pytest.raises(socket.timeout):
            _banner(port, 1.0)
        ssh.resume()
        assert _banner(port, 5.0).startswith(b"SSH-2.0-")

        # Gone and back on the same port, with the same users and key.
        ssh.stop_listening()
        assert not port_open(port)
        with pytest.raises(TargetError):
            ssh.login_ok(user, new_pw)  # a down server is an error, never "wrong password"
        ssh.start_again()
        assert ssh.port == port and ssh.login_ok(user, new_pw)
        assert ssh.scanned_fingerprint() == fp

        # A new host key on the same port.
        new_fp = ssh.replace_host_key()
        assert new_fp != fp and ssh.port == port and ssh.scanned_fingerprint() == new_fp
        assert ssh.login_ok(user, new_pw)

        log = ssh.log_text()
        assert f"Accepted password for {user}" in log and f"Failed password for {user}" in log
        assert f"Accepted publickey for {user}" in log
        for secret in (pw, fa_pw, new_pw):
            assert secret not in log
        procs = ssh.proc
    _assert_gone(proc)
    _assert_gone(procs)
    for name, uid in zip((user, fa), uids):
        with pytest.raises(KeyError):
            pwd.getpwnam(name)
        assert not Path(f"/home/{name}").exists()
        left = _procs(_uid_is(uid))
        assert not left, f"processes of {name} left: {_describe(left)}"
    assert not sudoers.exists()
    assert not _procs(_cmdline_has(str(ssh.config_path)))


def unique_user() -> str:
    return targets.unique("psafe-t-nouser-")


def test_postgres_target(tmp_path):
    pw, pw2 = "Pg'pw \\1 $x", "Second 'pw' 2"
    with PostgresTarget(tmp_path / "pg") as pg:
        port, proc, cluster = pg.port, pg.proc, pg.cluster_dir
        if os.geteuid() == 0:
            assert pg.pgdata.stat().st_uid == pwd.getpwnam("postgres").pw_uid
        role = pg.create_role(None, pw)
        assert pg.login_ok(role, pw)
        assert not pg.login_ok(role, "wrong " + pw)
        assert not pg.login_ok("psafe_t_nosuchrole", pw)
        assert pg.login_ok(pg.ADMIN, pg.admin_password)
        assert pg.password_verifier(role).startswith("SCRAM-SHA-256$")

        pg.set_login(role, False)
        assert not pg.login_ok(role, pw)
        pg.set_login(role, True)
        assert pg.login_ok(role, pw)

        before = pg.password_verifier(role)
        pg.set_password(role, pw2)
        assert pg.password_verifier(role) != before
        assert pg.login_ok(role, pw2) and not pg.login_ok(role, pw)

        pg.stop_listening()
        assert not port_open(port)
        with pytest.raises(TargetError):
            pg.login_ok(role, pw2)
        pg.start_again()
        assert pg.port == port and pg.login_ok(role, pw2)

        log = pg.log_text()
        assert f"{role}@postgres LOG:  statement: select 1" in log
        assert f'role "{role}" is not permitted to log in' in log
        assert "password authentication failed" in log
        for secret in (pw, pw2, pg.admin_password):
            assert secret not in log
        last = pg.proc
    _assert_gone(proc)
    _assert_gone(last)
    assert not cluster.exists()
    assert not _procs(_cwd_under(cluster)), "postgres processes left"


def test_slapd_target(tmp_path):
    pw, fa_pw, new_pw, other_pw = "Ld'pw \\1", "Fa pw 2 '", "New pw:3", "Other pw 4"
    with SlapdTarget(tmp_path / "ldap") as ldap:
        port, proc = ldap.port, ldap.proc
        user = ldap.add_person(None, pw)
        other = ldap.add_person(None, other_pw)
        fa = ldap.add_person(None, fa_pw, writer=True)
        assert user.endswith(",ou=people,dc=psafe,dc=test") and fa.startswith("uid=psafe-fa-")
        assert ldap.bind_ok(user, pw) and ldap.bind_ok(fa, fa_pw)
        assert not ldap.bind_ok(user, "wrong " + pw)
        assert ldap.bind_ok(ldap.ROOT_DN, ldap.root_password)
        with pytest.raises(ValueError):
            ldap.add_person("psafe-fa-notawriter", pw)

        # RFC 3062 Password Modify by the functional DN on another entry.
        assert ldap.password_modify(fa, fa_pw, user, new_pw) == 0
        assert ldap.bind_ok(user, new_pw) and not ldap.bind_ok(user, pw)
        # A plain person may change its own password only.
        assert ldap.password_modify(user, new_pw, other, "Hijack pw 5") == 50  # insufficientAccess
        assert ldap.bind_ok(other, other_pw)
        assert ldap.password_modify(other, other_pw, other, "Own pw 6") == 0
        assert ldap.bind_ok(other, "Own pw 6")
        assert ldap.password_modify(fa, "wrong " + fa_pw, other, "Never pw 7") == 49  # invalidCredentials

        ldap.stop_listening()
        assert not port_open(port)
        with pytest.raises(TargetError):
            ldap.bind_ok(user, new_pw)
        ldap.start_again()
        assert ldap.port == port and ldap.bind_ok(user, new_pw)

        log = ldap.log_text()
        assert f'BIND dn="{fa}" method=128' in log
        assert "EXT oid=1.3.6.1.4.1.4203.1.11.1" in log
        for secret in (pw, fa_pw, new_pw, other_pw, ldap.root_password):
            assert secret not in log
        last, conf = ldap.proc, ldap.config_path
    _assert_gone(proc)
    _assert_gone(last)
    assert not _procs(_cmdline_has(str(conf)))
    assert not any(p.name.startswith(".secret-") for p in (tmp_path / "ldap").iterdir())
    assert not (tmp_path / "ldap" / "rootpw").exists()


def test_missing_binary_fails_rather_than_skips(tmp_path, monkeypatch):
    monkeypatch.setattr(targets, "SSHD", "/nonexistent/sshd")
    with pytest.raises(TargetError, match="openssh-server|not found"):
        SshdTarget(tmp_path / "sshd").start()
    monkeypatch.setattr(targets, "PG_BIN", Path("/nonexistent/postgresql/15/bin"))
    with pytest.raises(TargetError, match="postgresql-15"):
        PostgresTarget(tmp_path / "pg").start()


def test_failed_start_raises(tmp_path, monkeypatch):
    with SshdTarget(tmp_path / "sshd") as ssh:
        monkeypatch.setattr(targets, "free_port", lambda: ssh.port)  # the port is taken
        clash = SshdTarget(tmp_path / "clash")
        with pytest.raises(TargetError, match="exited"):
            clash.start()
        assert not clash.running
        assert ssh.running and port_open(ssh.port)


def test_fixtures(sshd_target, postgres_target, slapd_target, target_factory):  # noqa: F811
    u = sshd_target.add_user(None, "Fixture pw 1")
    assert sshd_target.login_ok(u, "Fixture pw 1")
    r = postgres_target.create_role(None, "Fixture pw 2")
    assert postgres_target.login_ok(r, "Fixture pw 2")
    dn = slapd_target.add_person(None, "Fixture pw 3")
    assert slapd_target.bind_ok(dn, "Fixture pw 3")
    private = target_factory.sshd()
    assert private.port != sshd_target.port and private.running
