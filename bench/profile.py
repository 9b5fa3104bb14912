"""One bench workload against a fresh SQLite installation, with psafed's CPU time and,
optionally, a profile (docs/BENCHMARKS.md, "Where each unmet target stands").

  python3 bench/profile.py read|flow|signin [--perf FILE | --strace FILE] [--loops N]

Uses the `bench` preset's build (bench/run.sh builds it). Prints the load generator's line
and the cores psafed used: its utime + stime over the run divided by the run's length.
BENCH_SECONDS (default 6) and BENCH_CONNECTIONS (default 32) apply as in bench/run.py.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("BENCH_SECONDS", "6")
sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (the harness: installation, nodes, load generator)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("workload", choices=["read", "flow", "signin"])
    ap.add_argument("--perf", help="perf record -g into this file")
    ap.add_argument("--strace", help="strace -c -f into this file")
    ap.add_argument("--loops", type=int, help="event_loops for psafed")
    a = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="psafe-profile-"))
    try:
        inst = run.install("sqlite", work, {"PSAFE_STORE_URL": ""}, ["bench-a-"])
        if a.loops:
            config = Path(inst["config"])
            config.write_text(f"event_loops = {a.loops}\n" + config.read_text())
        node = run.start_nodes(work, inst["data"], inst["creds"], 1, inst["config"], inst["env"])[0]
        pid = node.proc.pid
        tool = None
        if a.perf:
            tool = subprocess.Popen(["perf", "record", "-g", "-o", a.perf, "-p", str(pid)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        elif a.strace:
            tool = subprocess.Popen(["strace", "-c", "-f", "-o", a.strace, "-p", str(pid)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ca, creds = inst["creds"].ca_cert, inst["creds"]
        common = dict(key=creds.api_key, user="admin")
        cpu0, t0 = cpu_seconds(pid), time.monotonic()
        if a.workload == "read":
            run.loadgen(node.port, ca, "get", signin=True,
                        path=f"/BeyondTrust/api/public/v3/secrets-safe/secrets/{inst['secret']}", **common)
        elif a.workload == "flow":
            run.loadgen(node.port, ca, "flow", system="demo-linux", account_prefix="bench-a-", **common)
        else:
            run.loadgen(node.port, ca, "signin-key", **common)
        print(f"psafed used {(cpu_seconds(pid) - cpu0) / (time.monotonic() - t0):.2f} cores")
        if tool is not None:
            tool.send_signal(2)  # SIGINT: both write their report and detach
            tool.wait(timeout=60)
        node.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
