"""Rotation benchmark (docs/BENCHMARKS.md, "Rotation"): psafed changes the passwords of
BENCH_ROTATION_ACCOUNTS managed accounts on one real sshd, with [rotation] workers =
BENCH_ROTATION_WORKERS, while clients keep reading a credential; writes
bench/results/<date>-rotation.md.

Run as root (it creates Linux users): `bash bench/rotation.sh`. What it does:

  1. starts an sshd on loopback (tests/e2e/targets.py SshdTarget), creates one functional
     user allowed `sudo chpasswd` and N users with known passwords (timed: useradd is part
     of the set-up cost, not of the rotation);
  2. starts psafed (build/bench if built, else build/debug) with [rotation] workers = W,
     onboards one managed system (PlatformID 2, the functional account, SSH host key
     trust-on-first-use) with the N accounts, and a Secrets Safe credential secret for the
     reads;
  3. idle: the audited secret read of benchmark 1 (GET secrets-safe/secrets/{id}, session
     cookie, a durable audit record per read) with the load generator, C connections for
     S seconds;
  4. queues every account (POST ManagedSystems/{id}/ManagedAccounts/Credentials/Change)
     and, until all of them are idle again, runs the same read in back-to-back windows of
     S seconds, polling the accounts' ChangeState once a second (the timeline);
  5. the same read idle again ("after"), then checks: every user's /etc/shadow hash
     changed; for a sample the password psafed serves (request, release, check-in) opens
     sshd and the one before it does not;
  6. optionally (BENCH_ROTATION_QUIET_PASS=1, the default) rotates all N again with no
     reads running, to show what the reads cost the rotation, and checks again;
  7. optionally (BENCH_ROTATION_LOWPRIO_PASS=1, the default) rotates all N a third time with
     the reads running and sshd (so every session it forks) in a cpu cgroup of idle
     priority (/sys/fs/cgroup/cpu/psafe-rotbench-*, removed at the end): the target shares
     psafed's cores here, a real one would not, and this shows how much of the read
     slowdown is the target's CPU rather than psafed's own work; checks again;
  8. stops psafed and sshd, which removes the users (timed).

Environment: BENCH_ROTATION_ACCOUNTS (1000), BENCH_ROTATION_WORKERS (8),
BENCH_ROTATION_POLL_SECONDS (unset: psafed's default), BENCH_ROTATION_RETRY_SECONDS (unset:
psafed's default), BENCH_ROTATION_CONNECTIONS (8), BENCH_ROTATION_READ_SECONDS (10),
BENCH_ROTATION_VERIFY (20, or "all"), BENCH_ROTATION_QUIET_PASS (1), BENCH_ROTATION_LOWPRIO_PASS
(1), BENCH_ROTATION_TIMEOUT (1800 s per pass), BENCH_ROTATION_MAX_STARTUPS (sshd MaxStartups,
"100:30:200"), BENCH_ROTATION_OUT (the report's path; default bench/results/<date>-rotation.md,
which names the build it measured),
PSAFED_BUILD / LOADGEN (other binaries; psafed is copied into the work dir and run from there,
so a rebuild during the run changes nothing).
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import random
import re
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def pick_binaries() -> tuple[str, str, str]:
    """(psafed, loadgen, build name): build/bench when it has been built, else build/debug
    (whose preset builds no benchmark tools: bench/rotation.sh compiles the load generator
    against it, see LOADGEN)."""
    bench = REPO / "build" / "bench"
    if (bench / "src" / "psafed").exists() and (bench / "bench" / "psafe-loadgen").exists():
        psafed, loadgen, name = bench / "src" / "psafed", bench / "bench" / "psafe-loadgen", "bench (RelWithDebInfo)"
    else:
        psafed, loadgen, name = REPO / "build" / "debug" / "src" / "psafed", Path(""), "debug"
    psafed = os.environ.get("PSAFED_BUILD") or str(psafed)
    loadgen = os.environ.get("LOADGEN") or str(loadgen)
    if os.environ.get("PSAFED_BUILD"):
        name = os.environ.get("BENCH_ROTATION_BUILD_NAME", Path(psafed).parent.parent.name)
    return psafed, loadgen, name


PSAFED_SRC, LOADGEN, BUILD_NAME = pick_binaries()
WORK = Path(tempfile.mkdtemp(prefix="psafe-rotbench-"))
# A private copy: another build replacing the binary mid-run must not change what runs.
PSAFED = str(WORK / "psafed")
shutil.copy2(PSAFED_SRC, PSAFED)
os.environ["PSAFED"] = PSAFED
sys.path.insert(0, str(REPO / "tests" / "e2e"))
import requests  # noqa: E402
import support  # noqa: E402  (psafed process helpers shared with the end-to-end tests)
import targets  # noqa: E402  (the real sshd of the rotation tests)
from run import cpu_model, rss_mb, version  # noqa: E402  (bench/run.py: the report helpers)

ACCOUNTS = int(os.environ.get("BENCH_ROTATION_ACCOUNTS", "1000"))
WORKERS = int(os.environ.get("BENCH_ROTATION_WORKERS", "8"))
POLL = os.environ.get("BENCH_ROTATION_POLL_SECONDS")
RETRY = os.environ.get("BENCH_ROTATION_RETRY_SECONDS")
CONNS = int(os.environ.get("BENCH_ROTATION_CONNECTIONS", "8"))
READ_SECONDS = float(os.environ.get("BENCH_ROTATION_READ_SECONDS", "10"))
VERIFY = os.environ.get("BENCH_ROTATION_VERIFY", "20")
QUIET_PASS = os.environ.get("BENCH_ROTATION_QUIET_PASS", "1") not in ("0", "", "no")
LOWPRIO_PASS = os.environ.get("BENCH_ROTATION_LOWPRIO_PASS", "1") not in ("0", "", "no")
PASS_TIMEOUT = float(os.environ.get("BENCH_ROTATION_TIMEOUT", "1800"))
MAX_STARTUPS = os.environ.get("BENCH_ROTATION_MAX_STARTUPS", "100:30:200")
SECRET_PATH = "/BeyondTrust/api/public/v3/secrets-safe/secrets/{}"


def git(*args) -> str:
    try:
        return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True, timeout=30).stdout.strip()
    except OSError:
        return "?"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --- the target ------------------------------------------------------------------------

class BenchSshd(targets.SshdTarget):
    """The e2e sshd with MaxStartups from the environment (sshd takes the first value of a
    keyword, so the line is replaced, not appended) and users created in bulk."""

    def _prepare(self) -> None:
        super()._prepare()
        text = self.config_path.read_text()
        text = re.sub(r"^MaxStartups .*$", f"MaxStartups {MAX_STARTUPS}", text, flags=re.M)
        self.config_path.write_text(text)

    def add_users(self, names: list[str], passwords: list[str]) -> None:
        """useradd -m for each (one process per user: that is what costs), then one
        chpasswd for all of them (passwords on stdin)."""
        targets.require_root("BenchSshd.add_users")
        for name in names:
            if not self._USER_RE.match(name):
                raise ValueError(name)
            self.users.append(name)  # before useradd: stop() removes it whatever happens
            targets._run([targets.USERADD, "-m", "-s", "/bin/sh", "-c", "psafe rotation bench", name],
                         what=f"useradd {name}")
        lines = "".join(f"{n}:{p}\n" for n, p in zip(names, passwords))
        targets._run([targets.CHPASSWD], input=lines, what="chpasswd (bulk)", timeout=600)


def shadow_hashes(names: set[str]) -> dict[str, str]:
    out = {}
    for line in Path("/etc/shadow").read_text().splitlines():
        f = line.split(":")
        if f[0] in names:
            out[f[0]] = f[1]
    return out


CGROUP_CPU = Path("/sys/fs/cgroup/cpu")  # cgroup v1's cpu controller


def deprioritize(pid: int, tag: str) -> tuple[str, Path | None]:
    """Puts pid (and what it forks later) where it gets only otherwise idle CPU. A cpu
    cgroup, because nice does not do it: every ssh session calls setsid(), and with
    autogroups (kernel.sched_autogroup_enabled) a new session is a new scheduling group
    whose weight does not depend on its tasks' nice."""
    cg = CGROUP_CPU / f"psafe-rotbench-{tag}"
    try:
        cg.mkdir()
        if (cg / "cpu.idle").exists():
            (cg / "cpu.idle").write_text("1")
            how = "cpu cgroup, cpu.idle=1"
        else:
            (cg / "cpu.shares").write_text("2")
            how = "cpu cgroup, cpu.shares=2"
        (cg / "cgroup.procs").write_text(str(pid))
        return how, cg
    except OSError as e:
        remove_cgroup(cg)
        os.setpriority(os.PRIO_PROCESS, pid, 19)
        return f"nice 19 only (no cpu cgroup: {e}); weak under autogroups", None


def remove_cgroup(cg: Path) -> None:
    if not cg.exists():
        return
    try:
        for pid in (cg / "cgroup.procs").read_text().split():  # anything left goes back to the root
            try:
                (CGROUP_CPU / "cgroup.procs").write_text(pid)
            except OSError:
                pass
    except OSError:
        pass
    for _ in range(50):
        try:
            cg.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.1)


# --- measuring ---------------------------------------------------------------------------

LIVE_LOADGENS: set[int] = set()  # load generators running now (their CPU is not in RUSAGE_CHILDREN yet)


def loadgen(srv, secret_id: str, seconds: float = READ_SECONDS) -> dict:
    args = [LOADGEN, "--port", srv.port, "--ca", srv.ca, "--connections", CONNS, "--seconds", seconds,
            "--workload", "get", "--signin", "--key", srv.creds.api_key, "--user", "admin",
            "--path", SECRET_PATH.format(secret_id)]
    proc = subprocess.Popen([str(a) for a in args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    LIVE_LOADGENS.add(proc.pid)
    try:
        stdout, stderr = proc.communicate(timeout=seconds + 120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        LIVE_LOADGENS.discard(proc.pid)
    lines = stdout.strip().splitlines()
    if not lines:
        raise RuntimeError(f"loadgen printed nothing (exit {proc.returncode}): {stderr[-2000:]}")
    return json.loads(lines[-1])


def fmt_read(r: dict) -> str:
    return (f"{r['ops_per_s']:.0f}/s p50 {r['p50_us'] / 1000:.2f} ms p99 {r['p99_us'] / 1000:.2f} ms "
            f"max {r['max_us'] / 1000:.1f} ms errors {r['errors']}")


def cpu_fields() -> list[int]:
    """/proc/stat's first line: user nice system idle iowait irq softirq steal (jiffies)."""
    return [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]


def proc_cpu_s(pid: int, children: bool = False) -> float:
    """utime+stime (plus the reaped children's when `children`) of a process, seconds."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return 0.0
    f = raw[raw.rindex(")") + 2:].split()
    ticks = int(f[11]) + int(f[12]) + ((int(f[13]) + int(f[14])) if children else 0)
    return ticks / os.sysconf("SC_CLK_TCK")


def children_cpu_s() -> float:
    """This script's children (load generators, sshpass/ssh): the reaped ones and the
    load generators still running."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime + sum(proc_cpu_s(pid) for pid in list(LIVE_LOADGENS))


def self_cpu_s() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


COMPILERS = {"cc1plus", "cc1", "ld", "collect2", "ninja", "clang", "clang++", "lld", "cmake"}


def others_compiling() -> list[str]:
    """Compilers/linkers running on the machine now (someone else's build shares the cores)."""
    seen = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                comm = (p / "comm").read_text().strip()
            except OSError:
                continue
            if comm in COMPILERS:
                seen.append(comm)
    return sorted(seen)


def scan_processes() -> dict[tuple[int, int], tuple[str, int, float]]:
    """(pid, start time) -> (comm, ppid, own utime+stime in seconds) for every process now
    (a kernel worker renames itself as it works: the start time tells a new process)."""
    out = {}
    hz = os.sysconf("SC_CLK_TCK")
    for p in Path("/proc").iterdir():
        if not p.name.isdigit():
            continue
        try:
            raw = (p / "stat").read_text()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1:raw.rindex(")")]
        f = raw[raw.rindex(")") + 2:].split()
        out[(int(p.name), int(f[19]))] = (comm, int(f[1]), (int(f[11]) + int(f[12])) / hz)
    return out


class Sampler:
    """Where the CPU went over an interval: the machine (/proc/stat, including steal and
    interrupts), psafed, sshd with its reaped children (sessions, shell, sudo, chpasswd),
    the load generators, this script; and, from a scan of /proc once a second, kernel
    threads and every other process (someone else's build or tests)."""

    def __init__(self, psafed_pid: int, sshd_pid: int):
        self.psafed_pid, self.sshd_pid = psafed_pid, sshd_pid
        self._stop = threading.Event()
        self._thread = None

    def start(self) -> None:
        self.t0 = time.monotonic()
        self.m0 = cpu_fields()
        self.p0 = proc_cpu_s(self.psafed_pid)
        self.s0 = proc_cpu_s(self.sshd_pid, children=True)
        self.c0 = children_cpu_s()
        self.me0 = self_cpu_s()
        self.procs: dict[tuple, list] = {k: [c, pp, v, v] for k, (c, pp, v) in scan_processes().items()}
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _scan(self) -> None:
        for key, (comm, ppid, v) in scan_processes().items():
            rec = self.procs.get(key)
            if rec is None:
                self.procs[key] = [comm, ppid, 0.0, v]  # started during the interval
            else:
                rec[3] = v

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            self._scan()

    def note(self) -> None:
        pass  # the sampler's own thread scans

    def _split_others(self) -> tuple[float, float, list]:
        ours = {os.getpid(), self.psafed_pid, self.sshd_pid}
        ppid = {key[0]: rec[1] for key, rec in self.procs.items()}

        def mine(pid: int) -> bool:
            for _ in range(64):
                if pid in ours:
                    return True
                if pid not in ppid or pid <= 2:
                    return False
                pid = ppid[pid]
            return False

        kernel, others, compilers = 0.0, 0.0, set()
        self.top_others: dict[str, float] = {}
        for (pid, _), (comm, pp, first, last) in self.procs.items():
            used = max(0.0, last - first)
            if pid == 2 or pp == 2:
                kernel += used
            elif not mine(pid):
                others += used
                self.top_others[comm] = self.top_others.get(comm, 0.0) + used
                if comm in COMPILERS and used > 0:
                    compilers.add(comm)
        return kernel, others, sorted(compilers)

    def stop(self) -> dict:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self._scan()
        wall = time.monotonic() - self.t0
        d = [b - a for a, b in zip(self.m0, cpu_fields())]
        total = max(1, sum(d))
        busy = total - d[3] - d[4]
        hz, cores = os.sysconf("SC_CLK_TCK"), os.cpu_count() or 1
        kernel_threads, others, compilers = self._split_others()
        return {"wall_s": wall, "machine_busy": busy / total, "steal": d[7] / total,
                "irq_softirq_s": (d[5] + d[6]) / hz, "iowait": d[4] / total,
                "psafed_cpu_s": proc_cpu_s(self.psafed_pid) - self.p0,
                "sshd_cpu_s": proc_cpu_s(self.sshd_pid, children=True) - self.s0,
                "loadgen_cpu_s": children_cpu_s() - self.c0, "script_cpu_s": self_cpu_s() - self.me0,
                "kernel_threads_cpu_s": kernel_threads, "other_processes_cpu_s": others,
                "busy_cpu_s": busy / hz, "cores": cores, "compilers_seen": compilers,
                "top_other_processes": {k: round(v, 1) for k, v in sorted(
                    self.top_others.items(), key=lambda kv: -kv[1])[:5] if v >= 0.1}}


def api_session(srv) -> requests.Session:
    """Plain PS-Auth session (no e2e secret ledger: nothing here is checked for leaks, and
    recording every 1,000-account listing would cost CPU the benchmark measures)."""
    s = requests.Session()
    s.trust_env = False
    s.verify = srv.ca
    s.headers["Authorization"] = srv.creds.ps_auth
    return s


def post(api, srv, path, body, want=201) -> dict:
    r = api.post(srv.url(path), json=body, timeout=60)
    if r.status_code != want:
        raise RuntimeError(f"POST {path}: {r.status_code} {r.text[:500]}")
    return r.json() if r.content else {}


def list_accounts(api, srv, system_id: int) -> list[dict]:
    r = api.get(srv.url(f"ManagedSystems/{system_id}/ManagedAccounts"), timeout=60)
    if r.status_code != 200:
        raise RuntimeError(f"list accounts: {r.status_code} {r.text[:300]}")
    return r.json()


def states(accts: list[dict]) -> dict:
    c = {"queued": 0, "changing": 0, "idle_ok": 0, "idle_error": 0}
    for a in accts:
        if a["ChangeState"] == 2:
            c["queued"] += 1
        elif a["ChangeState"] == 1:
            c["changing"] += 1
        elif a.get("LastChangeError"):
            c["idle_error"] += 1
        else:
            c["idle_ok"] += 1
    return c


def audit_counts(api, srv, since_id: int = 0) -> tuple[dict, int, list]:
    """Audit actions by count (records after since_id), the last id, and the first few
    error details of failures/retries."""
    counts: dict = {}
    errors: list = []
    last = since_id
    records, _ = support.audit_records(api, srv, page=5000)
    for rec in records:
        rid = rec.get("AuditID") or rec.get("ID") or rec.get("Id") or 0
        if rid and rid <= since_id:
            continue
        last = max(last, rid)
        action = rec.get("Action") or rec.get("action") or "?"
        counts[action] = counts.get(action, 0) + 1
        if action in ("credential.change.retry", "credential.change.failed") and len(errors) < 10:
            errors.append(rec.get("Detail") or rec.get("Details") or rec)
    return counts, last, errors


def rotate_all(api, srv, system_id: int, names: list[str], reads_secret: str | None,
               sampler: Sampler) -> dict:
    """Queues every account of the system and waits until none is queued or changing.
    With reads_secret, runs read windows back to back until then."""
    done = threading.Event()
    windows: list[dict] = []
    read_error: list = []
    t0_box: list = []

    def reader():
        try:
            while not done.is_set():
                start = time.monotonic()
                r = loadgen(srv, reads_secret)
                r["start_s"] = start - t0_box[0] if t0_box else 0.0
                r["end_s"] = time.monotonic() - t0_box[0] if t0_box else 0.0
                r["rotation_running_at_end"] = not done.is_set()
                windows.append(r)
                log(f"  read window {r['start_s']:6.1f}-{r['end_s']:6.1f} s: {fmt_read(r)}")
        except Exception as e:  # reported, not fatal for the rotation numbers
            read_error.append(repr(e))

    before = shadow_hashes(set(names))
    sampler.start()
    thread = None
    if reads_secret is not None:
        t0_box.append(time.monotonic())  # provisional, replaced at the POST below
        thread = threading.Thread(target=reader, daemon=True)
        thread.start()
        time.sleep(0.5)  # the load generator's connections sign in first
    t0 = time.monotonic()
    if t0_box:
        t0_box[0] = t0
    r = api.post(srv.url(f"ManagedSystems/{system_id}/ManagedAccounts/Credentials/Change"), json={}, timeout=600)
    queue_call_s = time.monotonic() - t0
    if r.status_code != 204:
        done.set()
        sampler.stop()
        raise RuntimeError(f"Credentials/Change: {r.status_code} {r.text[:300]}")
    log(f"  queued {len(names)} changes in one call: {queue_call_s:.2f} s")
    poller = api_session(srv)
    timeline = []
    finished_s = None
    while True:
        now = time.monotonic()
        try:
            c = states(list_accounts(poller, srv, system_id))
        except BaseException:
            done.set()
            raise
        c["t_s"] = round(now - t0, 2)
        timeline.append(c)
        sampler.note()
        if len(timeline) % 10 == 1:
            log(f"  t={c['t_s']:6.1f}s queued {c['queued']} changing {c['changing']} "
                f"done {c['idle_ok']} failed {c['idle_error']}")
        if c["queued"] == 0 and c["changing"] == 0 and now - t0 > 1:
            finished_s = now - t0
            break
        if now - t0 > PASS_TIMEOUT:
            log(f"  timed out after {PASS_TIMEOUT:.0f} s")
            break
        time.sleep(max(0.0, 1.0 - (time.monotonic() - now)))
    cpu = sampler.stop()
    done.set()
    if thread is not None:
        thread.join(timeout=READ_SECONDS + 180)
    final = list_accounts(poller, srv, system_id)
    poller.close()
    after = shadow_hashes(set(names))
    c = states(final)
    by_name = {a["AccountName"]: a for a in final}
    errors = {}
    for a in final:
        if a.get("LastChangeError"):
            errors[a["LastChangeError"]] = errors.get(a["LastChangeError"], 0) + 1
    stuck = [{"AccountName": a["AccountName"], "ChangeState": a["ChangeState"], "LastChangeError": a["LastChangeError"]}
             for a in final if a["ChangeState"] != 0][:20]
    changed_on_target = sum(1 for n in names if before.get(n) != after.get(n))
    ok_not_changed = [n for n in names if before.get(n) == after.get(n)
                      and by_name.get(n, {}).get("ChangeState") == 0 and not by_name.get(n, {}).get("LastChangeError")]
    # The longest stretch with no account finishing (the planner's batches show here).
    gaps, prev_t, prev_idle = [], 0.0, 0
    for p in timeline:
        idle = p["idle_ok"] + p["idle_error"]
        if idle > prev_idle:
            gaps.append(p["t_s"] - prev_t)
            prev_t, prev_idle = p["t_s"], idle
    return {"accounts": len(names), "queue_call_s": queue_call_s, "wall_s": finished_s,
            "rotations_per_s": (c["idle_ok"] / finished_s) if finished_s else None,
            "succeeded": c["idle_ok"], "failed": c["idle_error"], "unfinished": c["queued"] + c["changing"],
            "errors": errors, "stuck": stuck, "changed_on_target": changed_on_target,
            "reported_ok_but_unchanged_on_target": ok_not_changed[:20],
            "longest_no_progress_s": max(gaps) if gaps else None,
            "timeline": timeline, "reads": windows, "read_error": read_error, "cpu": cpu}


def served(api, srv, system_id: int, account_id: int) -> str:
    r = support.post_request(api, srv, system_id, account_id, duration=5, reason="rotation bench")
    if r.status_code not in (200, 201):
        raise RuntimeError(f"request: {r.status_code} {r.text[:300]}")
    rid = support.bare_int(r)
    try:
        return support.retrieve_password(api, srv, rid)
    finally:
        support.checkin(api, srv, rid)


def verify(api, srv, ssh, system_id: int, accounts: dict[str, int], old: dict[str, str], sample: list[str]) -> dict:
    """For each sampled user: the served password opens sshd, the previous one does not."""
    res = {"checked": 0, "new_opens": 0, "old_refused": 0, "bad": [], "served": {}}
    for name in sample:
        pw = served(api, srv, system_id, accounts[name])
        res["served"][name] = pw
        new_ok = ssh.login_ok(name, pw)
        old_ok = ssh.login_ok(name, old[name])
        res["checked"] += 1
        res["new_opens"] += int(new_ok)
        res["old_refused"] += int(not old_ok)
        if not new_ok or old_ok or pw == old[name]:
            res["bad"].append({"user": name, "served_opens": new_ok, "old_opens": old_ok, "same": pw == old[name]})
    return res


def pick_sample(names: list[str]) -> list[str]:
    if VERIFY == "all":
        return list(names)
    return sorted(random.Random(1).sample(names, min(len(names), int(VERIFY))))


def psafed_log_summary(srv) -> dict:
    text = srv.stderr_text()
    warn = [l for l in text.splitlines() if "warn" in l.lower() or "error" in l.lower()]
    kinds: dict = {}
    for l in warn:
        key = re.sub(r"\d+", "N", l.split("]", 3)[-1].strip())[:160]
        kinds[key] = kinds.get(key, 0) + 1
    return {"warning_lines": len(warn), "kinds": dict(sorted(kinds.items(), key=lambda kv: -kv[1])[:10])}


def sshd_log_summary(ssh, since: int) -> dict:
    text = ssh.log_text()[since:]
    pats = {"accepted": r"Accepted password for", "failed_password": r"Failed password for",
            "maxstartups_drops": r"past MaxStartups|drop connection", "errors": r"\berror\b|fatal"}
    out = {k: len(re.findall(p, text, flags=re.I)) for k, p in pats.items()}
    out["error_lines"] = [l for l in text.splitlines() if re.search(pats["errors"], l, flags=re.I)][:5]
    return out


def main() -> int:
    if os.geteuid() != 0:
        print("bench/rotation.py creates Linux users and runs sshd: run it as root", file=sys.stderr)
        return 2
    if not LOADGEN or not os.access(LOADGEN, os.X_OK):
        print(f"no load generator at {LOADGEN!r}: run bench/rotation.sh (it builds one) or set LOADGEN",
              file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # cleanup in the finally blocks
    results: dict = {"settings": {"accounts": ACCOUNTS, "workers": WORKERS, "poll_seconds": POLL or "default (10)",
                                  "retry_seconds": RETRY or "default (30)", "connections": CONNS,
                                  "read_seconds": READ_SECONDS, "verify": VERIFY, "quiet_pass": QUIET_PASS, "lowprio_pass": LOWPRIO_PASS,
                                  "max_startups": MAX_STARTUPS, "build": BUILD_NAME, "psafed": PSAFED_SRC,
                                  "psafed_built": datetime.datetime.fromtimestamp(
                                      os.path.getmtime(PSAFED_SRC)).isoformat(timespec="seconds"),
                                  "git_head": git("rev-parse", "--short", "HEAD"),
                                  "git_uncommitted_src": git("diff", "--stat", "--", "src").strip().splitlines()[-1:] ,
                                  "loadgen": LOADGEN},
                     "load_at_start": os.getloadavg(), "compilers_at_start": others_compiling()}
    tag = secrets.token_hex(3)
    names = [f"psafe-tb{tag}-{i:05d}" for i in range(ACCOUNTS)]
    first = {n: f"Old-{secrets.token_hex(8)}#9a" for n in names}
    ssh = BenchSshd(WORK / "sshd")
    srv = None
    cgroup = None
    try:
        ssh.start()
        log(f"sshd on 127.0.0.1:{ssh.port} (MaxStartups {MAX_STARTUPS}); creating {ACCOUNTS} users")
        fa_pw = f"Fa-{secrets.token_hex(12)}#9a"
        t = time.monotonic()
        fa_user = ssh.add_user(None, fa_pw, sudo_chpasswd=True)
        ssh.add_users(names, [first[n] for n in names])
        results["useradd_s"] = time.monotonic() - t
        log(f"  {ACCOUNTS + 1} users in {results['useradd_s']:.1f} s")

        data = WORK / "data"
        creds = support.init_data_dir(data)
        cfg = "[limits]\nsignin_per_second = 0\nrequests_per_second = 0\n\n[rotation]\n" + f"workers = {WORKERS}\n"
        if POLL:
            cfg += f"poll_seconds = {int(POLL)}\n"
        if RETRY:
            cfg += f"retry_seconds = {int(RETRY)}\n"
        results["config"] = cfg
        srv = support.start_server(data, creds, config=support.write_config(WORK / "psafed.toml", cfg))
        results["psafed_version"] = support.run_cli("--version").stdout.strip()
        api = api_session(srv)
        support.grant_admins_request_all(srv)

        t = time.monotonic()
        wg = support.create_workgroup(api, srv)
        fa = post(api, srv, "FunctionalAccounts", {"PlatformID": 2, "AccountName": fa_user, "Password": fa_pw,
                                                   "ElevationCommand": "sudo", "DisplayName": "bench-fa"})
        system = post(api, srv, f"Workgroups/{wg['ID']}/ManagedSystems",
                      {"PlatformID": 2, "SystemName": "bench-sshd", "IPAddress": "127.0.0.1", "Port": ssh.port,
                       "FunctionalAccountID": fa["FunctionalAccountID"], "AutoManagementFlag": True,
                       "SshKeyEnforcementMode": 1})
        sid = system["ManagedSystemID"]
        ids = {}
        for n in names:
            a = post(api, srv, f"ManagedSystems/{sid}/ManagedAccounts",
                     {"AccountName": n, "Password": first[n], "AutoManagementFlag": True})
            ids[n] = a["ManagedAccountID"]
        results["onboard_s"] = time.monotonic() - t
        safe = post(api, srv, "secrets-safe/safes/", {"Name": "bench"})
        secret = post(api, srv, f"secrets-safe/folders/{safe['Id']}/secrets",
                      {"Title": "db", "Username": "app", "Password": f"Secret-{secrets.token_hex(8)}"})
        log(f"psafed {results['psafed_version']} ({BUILD_NAME}) on :{srv.port}; onboarded {ACCOUNTS} accounts "
            f"in {results['onboard_s']:.1f} s")
        # Nothing may be changing before the idle baseline (no schedule was set).
        pre = states(list_accounts(api, srv, sid))
        results["before_queue"] = pre
        if pre["queued"] or pre["changing"]:
            log(f"  WARNING: changes already under way before queueing: {pre}")

        sampler = Sampler(srv.proc.pid, ssh.pid)
        log(f"idle read: {CONNS} connections, {READ_SECONDS:g} s")
        sampler.start()
        results["idle"] = loadgen(srv, secret["Id"])
        results["idle"]["cpu"] = sampler.stop()
        log(f"  {fmt_read(results['idle'])}")

        sshd_log_at = len(ssh.log_text())
        log(f"pass 1: rotate {ACCOUNTS} accounts, {WORKERS} workers, reads running")
        p1 = rotate_all(api, srv, sid, names, secret["Id"], sampler)
        results["pass1"] = p1
        results["pass1"]["sshd_log"] = sshd_log_summary(ssh, sshd_log_at)
        log(f"  wall {p1['wall_s']} s, {p1['rotations_per_s']} /s, failed {p1['failed']}, "
            f"unfinished {p1['unfinished']}, changed on target {p1['changed_on_target']}")

        log("idle read again (after)")
        results["after"] = loadgen(srv, secret["Id"])
        log(f"  {fmt_read(results['after'])}")

        sample = pick_sample(names)
        log(f"verify {len(sample)} accounts against sshd")
        v1 = verify(api, srv, ssh, sid, ids, first, sample)
        prev = {n: v1["served"].get(n) for n in sample}
        v1.pop("served")
        results["verify1"] = v1
        log(f"  served opens {v1['new_opens']}/{v1['checked']}, old refused {v1['old_refused']}/{v1['checked']}")

        if QUIET_PASS:
            sshd_log_at = len(ssh.log_text())
            log(f"pass 2: rotate {ACCOUNTS} accounts again, no reads")
            p2 = rotate_all(api, srv, sid, names, None, sampler)
            p2["sshd_log"] = sshd_log_summary(ssh, sshd_log_at)
            results["pass2"] = p2
            log(f"  wall {p2['wall_s']} s, {p2['rotations_per_s']} /s, failed {p2['failed']}, "
                f"unfinished {p2['unfinished']}, changed on target {p2['changed_on_target']}")
            v2 = verify(api, srv, ssh, sid, ids, prev, sample)
            v2_served = v2.pop("served")
            results["verify2"] = v2
            log(f"  served opens {v2['new_opens']}/{v2['checked']}, previous refused "
                f"{v2['old_refused']}/{v2['checked']}")

        if LOWPRIO_PASS:
            # The target shares psafed's two cores; a real one is another machine. With
            # sshd (and every session it forks from now on) in a cpu cgroup of idle
            # priority, it only gets the CPU psafed and the load generator leave, so what
            # is left of the read slowdown is psafed's own doing (and the disk's).
            how, cgroup = deprioritize(ssh.pid, tag)
            results["pass3_how"] = how
            sshd_log_at = len(ssh.log_text())
            log(f"pass 3: rotate {ACCOUNTS} accounts again, reads running, sshd deprioritized ({how})")
            p3 = rotate_all(api, srv, sid, names, secret["Id"], sampler)
            p3["sshd_log"] = sshd_log_summary(ssh, sshd_log_at)
            results["pass3"] = p3
            log(f"  wall {p3['wall_s']} s, {p3['rotations_per_s']} /s, failed {p3['failed']}, "
                f"unfinished {p3['unfinished']}, changed on target {p3['changed_on_target']}")
            prev3 = {n: v2_served.get(n) for n in sample} if QUIET_PASS else prev
            v3 = verify(api, srv, ssh, sid, ids, prev3, sample)
            v3.pop("served")
            results["verify3"] = v3
            log(f"  served opens {v3['new_opens']}/{v3['checked']}, previous refused "
                f"{v3['old_refused']}/{v3['checked']}")

        counts, _, errs = audit_counts(api, srv)
        results["audit"] = {"counts": counts, "first_errors": errs}
        results["rss_mb"] = rss_mb(srv.proc.pid)
        results["psafed_log"] = psafed_log_summary(srv)
        api.close()
    finally:
        if srv is not None:
            try:
                srv.stop()
            except Exception as e:
                results["psafed_stop_error"] = repr(e)
        t = time.monotonic()
        try:
            ssh.stop()
        finally:
            results["userdel_s"] = time.monotonic() - t
            if cgroup is not None:
                remove_cgroup(cgroup)
            log(f"sshd stopped, users removed in {results['userdel_s']:.1f} s")
            shutil.rmtree(WORK, ignore_errors=True)
    out = write_report(results)
    log(f"wrote {out}")
    return 0


def during_summary(p: dict) -> dict:
    """Read windows that ran entirely while the rotation did (the last one usually
    overlaps its end). The p99 of all reads together lies between the smallest and the
    largest window p99; the largest is the bound quoted."""
    full = [w for w in p["reads"] if w["rotation_running_at_end"]] or p["reads"]
    if not full:
        return {}
    p99s = sorted(w["p99_us"] for w in full)
    ops = sum(w["ops"] for w in full)
    secs = sum(w["seconds"] for w in full)
    return {"windows": len(full), "ops_per_s": ops / secs if secs else 0, "p50_us_median": sorted(
        w["p50_us"] for w in full)[len(full) // 2], "p99_us_min": p99s[0], "p99_us_median": p99s[len(p99s) // 2],
        "p99_us_max": p99s[-1], "max_us": max(w["max_us"] for w in full), "errors": sum(w["errors"] for w in full)}


def write_report(r: dict) -> Path:
    day = datetime.date.today().isoformat()
    default = f"{day}-rotation.md"  # the build is named in the report
    out = Path(os.environ.get("BENCH_ROTATION_OUT") or REPO / "bench" / "results" / default)
    out.parent.mkdir(exist_ok=True)
    s = r["settings"]
    ms = lambda us: f"{us / 1000:.2f}"  # noqa: E731
    lines = [f"# Rotation benchmark {day}", "",
             f"Command: `bash bench/rotation.sh` (BENCH_ROTATION_ACCOUNTS={s['accounts']}, "
             f"BENCH_ROTATION_WORKERS={s['workers']}, poll_seconds {s['poll_seconds']}, retry_seconds "
             f"{s['retry_seconds']}, reads: {s['connections']} connections × {s['read_seconds']:g} s windows, "
             f"sshd MaxStartups {s['max_startups']}).", "",
             "## Machine and versions", "",
             f"- CPU: {cpu_model()}, {os.cpu_count()} cores; memory "
             f"{int(Path('/proc/meminfo').read_text().split()[1]) // 1024} MiB; kernel {platform.release()}",
             f"- psafed {r.get('psafed_version', '?')} ({s['build']} build of {s['psafed_built']}; git HEAD "
             f"{s['git_head']}, uncommitted in src/: {', '.join(s['git_uncommitted_src']) or 'nothing'}); "
             f"{version('/usr/sbin/sshd', '-V')}",
             "- sshd (the target), psafed, the load generator and this script share the same cores (loopback): "
             "every CPU second the target spends is one psafed does not get.",
             f"- Load average at start {', '.join(f'{x:.2f}' for x in r['load_at_start'])}; other builds "
             f"running at start: {', '.join(r['compilers_at_start']) or 'none'}.", ""]
    if "pass1" not in r:
        lines += ["**The run did not get to the rotation.**", "", "```json", json.dumps(r, indent=1, default=str),
                  "```", ""]
        out.write_text("\n".join(lines))
        return out
    idle = r["idle"]

    def wall(p):
        return f"{p['wall_s']:.1f} s" if p["wall_s"] else f"did not finish in {PASS_TIMEOUT:.0f} s"

    def rate(p):
        return f"{p['rotations_per_s']:.1f}/s" if p["rotations_per_s"] else "-"

    def cpu(c):
        return (f"machine {c['machine_busy'] * 100:.0f} % busy over {c['wall_s']:.0f} s "
                f"({c['busy_cpu_s']:.0f} CPU s; steal {c['steal'] * 100:.0f} %, iowait {c['iowait'] * 100:.0f} %); "
                f"CPU s: psafed {c['psafed_cpu_s']:.1f}, sshd and its sessions (shell, sudo, chpasswd) "
                f"{c['sshd_cpu_s']:.1f}, load generator {c['loadgen_cpu_s']:.1f}, this script {c['script_cpu_s']:.1f}, "
                f"interrupts {c['irq_softirq_s']:.1f}, kernel threads {c['kernel_threads_cpu_s']:.1f}, "
                f"other processes {c['other_processes_cpu_s']:.1f}"
                + (f" ({', '.join(f'{k} {v:.1f}' for k, v in c['top_other_processes'].items())})"
                   if c.get('top_other_processes') else ""))

    lines += ["## Set-up", "",
              f"- {s['accounts'] + 1} Linux users (useradd -m each, one bulk chpasswd): {r['useradd_s']:.1f} s; "
              f"removed (userdel -r each) in {r['userdel_s']:.1f} s",
              f"- onboarding through the API (functional account, system, {s['accounts']} accounts one POST each): "
              f"{r['onboard_s']:.1f} s", "",
              "## Rotation", "",
              "| pass | accounts | wall time (queue → all idle) | rotations/s | succeeded | failed | unfinished | "
              "changed in /etc/shadow | longest stretch with none finishing | mean changing |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    labels = {"pass1": "1: reads running", "pass2": "2: no reads",
              "pass3": f"3: reads running, sshd at idle priority ({r.get('pass3_how', '?')})"}
    passes = [(labels[k], r[k]) for k in ("pass1", "pass2", "pass3") if k in r]
    for label, p in passes:
        tl = p["timeline"]
        mean_changing = sum(x["changing"] for x in tl) / len(tl) if tl else 0
        lines.append(f"| {label} | {p['accounts']} | {wall(p)} | {rate(p)} | {p['succeeded']} | {p['failed']} | "
                     f"{p['unfinished']} | {p['changed_on_target']} | {p['longest_no_progress_s'] or 0:.1f} s | "
                     f"{mean_changing:.1f} |")
    lines.append("")
    cores = os.cpu_count() or 1

    def shared(c) -> str:
        share = c["other_processes_cpu_s"] / max(1e-9, c["wall_s"] * cores)
        return (f" **Other work took {share * 100:.0f} % of the machine during this: the numbers are not clean.**"
                if share > 0.15 else "")

    for label, p in passes:
        sl = p["sshd_log"]
        lines.append(f"- pass {label}: the queueing call took {p['queue_call_s']:.2f} s; {cpu(p['cpu'])}; "
                     f"sshd log: {sl['accepted']} password logins accepted, {sl['failed_password']} refused, "
                     f"{sl['maxstartups_drops']} MaxStartups drops, {sl['errors']} error lines." + shared(p["cpu"]))
        if p["errors"]:
            lines.append(f"  - LastChangeError: {json.dumps(p['errors'])}")
        if p["reported_ok_but_unchanged_on_target"]:
            lines.append(f"  - idle without error but unchanged in /etc/shadow: {p['reported_ok_but_unchanged_on_target']}")
        if p["stuck"]:
            lines.append(f"  - still queued/changing at the end: {json.dumps(p['stuck'])}")
    lines += ["", "## Audited secret read (GET secrets-safe/secrets/{id}), ms", "",
              "Closed loop: the load generator's connections send the next read as soon as one returns, so "
              "reads/s falls and latency rises with whatever else takes the CPU.", "",
              "| when | reads/s | p50 | p90 | p99 | max | errors |", "|---|---|---|---|---|---|---|",
              f"| idle, before | {idle['ops_per_s']:.0f} | {ms(idle['p50_us'])} | {ms(idle['p90_us'])} | "
              f"{ms(idle['p99_us'])} | {idle['max_us'] / 1000:.1f} | {idle['errors']} |"]
    summaries = []
    for key in ("pass1", "pass3"):
        if key not in r:
            continue
        p = r[key]
        for w in p["reads"]:
            tag = "" if w["rotation_running_at_end"] else " (rotation ended inside)"
            lines.append(f"| pass {key[-1]}, {w['start_s']:.0f}–{w['end_s']:.0f} s{tag} | {w['ops_per_s']:.0f} | "
                         f"{ms(w['p50_us'])} | {ms(w['p90_us'])} | {ms(w['p99_us'])} | {w['max_us'] / 1000:.1f} | "
                         f"{w['errors']} |")
        summaries.append((key, during_summary(p)))
    a = r["after"]
    lines[lines.index("| when | reads/s | p50 | p90 | p99 | max | errors |") - 1:
          lines.index("| when | reads/s | p50 | p90 | p99 | max | errors |") - 1] = [
        "", f"Idle window: {cpu(idle['cpu'])}.{shared(idle['cpu'])}"]
    lines += [f"| idle, after pass 1 | {a['ops_per_s']:.0f} | {ms(a['p50_us'])} | {ms(a['p90_us'])} | "
              f"{ms(a['p99_us'])} | {a['max_us'] / 1000:.1f} | {a['errors']} |", ""]
    target_rows = []
    for key, d in summaries:
        if not d:
            continue
        lines.append(f"- during pass {key[-1]} ({d['windows']} full windows): {d['ops_per_s']:.0f} reads/s, p99 "
                     f"{ms(d['p99_us_min'])}–{ms(d['p99_us_max'])} ms (median window {ms(d['p99_us_median'])}); "
                     f"the p99 of all those reads together is at most {ms(d['p99_us_max'])} ms")
        worst, med = d["p99_us_max"] / idle["p99_us"], d["p99_us_median"] / idle["p99_us"]
        target_rows.append(f"| read p99 during rotation ≤ 2 × idle ({labels[key]}) | {worst:.2f} × (worst window), "
                           f"{med:.2f} × (median window) | {'met' if worst <= 2 else '**not met**'} |")
    lines += ["", "## Target", "", "| target | measured | |", "|---|---|---|", *target_rows, "", "## Checks", ""]
    for key, label in (("verify1", "after pass 1 (previous = the onboarded password)"),
                       ("verify2", "after pass 2 (previous = what pass 1 served)"),
                       ("verify3", "after pass 3 (previous = what the pass before served)")):
        if key in r:
            v = r[key]
            lines.append(f"- {label}: {v['checked']} sampled accounts; the served password opens sshd for "
                         f"{v['new_opens']}, the previous one is refused for {v['old_refused']}"
                         + (f"; wrong: {json.dumps(v['bad'])}" if v["bad"] else ""))
    lines += [f"- audit records by action: {json.dumps(r['audit']['counts'], sort_keys=True)}",
              f"- psafed warnings/errors in its log: {r['psafed_log']['warning_lines']}"
              + (f" ({json.dumps(r['psafed_log']['kinds'])})" if r['psafed_log']['kinds'] else ""),
              f"- psafed RSS at the end: {r['rss_mb']:.0f} MB", ""]
    if r["audit"]["first_errors"]:
        lines += [f"- first retry/failure details: {json.dumps(r['audit']['first_errors'])[:2000]}", ""]
    for label, p in passes:
        lines += [f"## Timeline, pass {label} (every 10th poll)", "", "| t (s) | queued | changing | done | failed |",
                  "|---|---|---|---|---|"]
        for x in p["timeline"][::10] + p["timeline"][-1:]:
            lines.append(f"| {x['t_s']:.0f} | {x['queued']} | {x['changing']} | {x['idle_ok']} | {x['idle_error']} |")
        lines.append("")
    slim = json.loads(json.dumps(r, default=str))
    for k in ("pass1", "pass2", "pass3"):
        if k in slim:
            slim[k]["timeline"] = slim[k]["timeline"][::5]
    lines += ["Raw results (timelines thinned to every 5th poll):", "", "```json", json.dumps(slim, indent=1), "```", ""]
    out.write_text("\n".join(lines))
    return out


if __name__ == "__main__":
    sys.exit(main())
