"""Runs the psafe benchmarks and writes bench/results/<date>.md (docs/BENCHMARKS.md).

Workloads, each against psafed (release build, TLS, keep-alive) with the same load
generator (bench/loadgen.cc), side by side with the machine's ceilings:
  1. audited secret read         GET secrets-safe/secrets/{id}      vs nginx serving a static JSON file
  2. RetrievePassword flow       4 calls per flow, each write durable vs SQLite's own durable commit rate
  3. sign-in                     PS-Auth SignAppIn+Signout, OAuth token
  4. ManagedAccounts lookup      with BENCH_ACCOUNTS accounts in the store (start-up time, RSS, p99)
  5. psrun2 RetrievePassword     cold process start to password printed  vs one curl TLS GET
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BUILD = REPO / "build" / "bench"
os.environ.setdefault("PSAFED", str(BUILD / "src" / "psafed"))
sys.path.insert(0, str(REPO / "tests" / "e2e"))
import support  # noqa: E402  (psafed process helpers shared with the end-to-end tests)

LOADGEN = BUILD / "bench" / "psafe-loadgen"
SEED = BUILD / "bench" / "psafe-bench-seed"
COMMIT = BUILD / "bench" / "psafe-bench-commit"
PSRUN2 = BUILD / "src" / "psrun2"
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
CONNS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS", "1000000"))


def sh(*args, **kw) -> str:
    return subprocess.run([str(a) for a in args], check=True, capture_output=True, text=True, **kw).stdout


def loadgen(port: int, ca: str, workload: str, conns: int = CONNS, **opts) -> dict:
    args = [LOADGEN, "--port", port, "--ca", ca, "--connections", conns, "--seconds", SECONDS, "--workload", workload]
    for k, v in opts.items():
        if v is True:
            args.append("--" + k.replace("_", "-"))
        else:
            args += ["--" + k.replace("_", "-"), v]
    out = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=SECONDS + 120)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"  {workload:14} {result['ops_per_s']:10.1f}/s  p50 {result['p50_us']}us  p99 {result['p99_us']}us"
          f"  errors {result['errors']} {result['first_error'][:80]}", flush=True)
    return result


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def nginx_ceiling(work: Path, cert: Path, key: Path, ca: str) -> dict:
    port = free_port()
    root = work / "www"
    root.mkdir()
    (root / "health.json").write_text('{"status":"ok","version":"bench"}')
    # nginx's workers run as www-data: the document root must be reachable for them.
    work.chmod(0o755)
    root.chmod(0o755)
    conf = work / "nginx.conf"
    conf.write_text(f"""
worker_processes 2;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
daemon off;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  keepalive_requests 1000000;
  server {{
    listen 127.0.0.1:{port} ssl;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    ssl_protocols TLSv1.2 TLSv1.3;
    root {root};
    default_type application/json;
  }}
}}
""")
    proc = subprocess.Popen(["nginx", "-c", str(conf), "-e", str(work / "nginx-error.log")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        return loadgen(port, ca, "get", path="/health.json")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def hyperfine(commands: dict[str, str], work: Path, ca: str) -> dict:
    out = work / "hyperfine.json"
    args = ["hyperfine", "-N", "--warmup", "3", "--runs", "30", "--export-json", str(out)]
    for name, cmd in commands.items():
        args += ["-n", name, cmd]
    subprocess.run(args, check=True, capture_output=True, text=True, timeout=600,
                   env={**os.environ, "PSRUN_CA_FILE": ca})
    return {r["command"]: r for r in json.loads(out.read_text())["results"]}


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="psafe-bench-"))
    results: dict = {"settings": {"seconds": SECONDS, "connections": CONNS, "accounts": ACCOUNTS}}
    try:
        data = work / "data"
        creds = support.init_data_dir_args(data, "--demo")
        # One load generator is one client: lift the per-client rate limits for the run.
        config = support.write_config(work / "bench.toml", "[limits]\nsignin_per_second = 0\n"
                                                          "requests_per_second = 0\n")
        srv = support.start_server(data, creds, config=config)
        api = srv.admin()
        ca = creds.ca_cert

        # Fixtures: one account per connection for the flow; a credential secret.
        for i in range(CONNS):
            r = api.post(srv.url("ManagedSystems/1/ManagedAccounts"),
                         json={"AccountName": f"bench-{i}", "Password": f"Bench/{i}"}, timeout=10)
            assert r.status_code == 201, r.text
        safe = api.post(srv.url("secrets-safe/safes/"), json={"Name": "bench"}, timeout=10).json()
        secret = api.post(srv.url(f"secrets-safe/folders/{safe['Id']}/secrets"),
                          json={"Title": "db", "Username": "app", "Password": "Secret/1"}, timeout=10).json()

        print("psafed", flush=True)
        common = dict(key=creds.api_key, user="admin")
        results["secret_read"] = loadgen(srv.port, ca, "get", signin=True,
                                         path=f"/BeyondTrust/api/public/v3/secrets-safe/secrets/{secret['Id']}", **common)
        results["health"] = loadgen(srv.port, ca, "get", path="/health")
        results["flow"] = loadgen(srv.port, ca, "flow", system="demo-linux", account_prefix="bench-", **common)
        results["signin_key"] = loadgen(srv.port, ca, "signin-key", **common)
        results["signin_oauth"] = loadgen(srv.port, ca, "signin-oauth", client_id=creds.client_id,
                                          client_secret=creds.client_secret)

        print("psrun2 vs curl", flush=True)
        conn = f"127.0.0.1:{srv.port} {creds.api_key} admin"
        runs = hyperfine({"psrun2": f"{PSRUN2} {conn} RetrievePassword demo-linux demo-root bench",
                          "curl": f"curl -s --cacert {ca} https://127.0.0.1:{srv.port}/health"}, work, ca)
        results["psrun2"] = {"mean_s": runs["psrun2"]["mean"], "stddev_s": runs["psrun2"]["stddev"]}
        results["curl"] = {"mean_s": runs["curl"]["mean"], "stddev_s": runs["curl"]["stddev"]}
        print(f"  psrun2 {results['psrun2']['mean_s']*1000:.1f} ms, curl {results['curl']['mean_s']*1000:.1f} ms")

        api.close()
        srv.stop()

        print("ceilings", flush=True)
        results["nginx"] = nginx_ceiling(work, data / "tls/server.crt", data / "tls/server.key", ca)
        results["commit"] = json.loads(sh(COMMIT, work / "commit.db", min(SECONDS, 5)))
        print(f"  sqlite durable commits {results['commit']['commits_per_s']:.0f}/s")

        print(f"{ACCOUNTS} accounts", flush=True)
        srv = support.start_server(data, creds, config=config)
        api = srv.admin()
        r = api.post(srv.url("Workgroups/1/ManagedSystems"), json={"SystemName": "big", "PlatformID": 2}, timeout=10)
        assert r.status_code == 201, r.text
        big = r.json()["ManagedSystemID"]
        api.close()
        srv.stop()
        results["seed"] = json.loads(sh(SEED, data / "psafe.db", big, ACCOUNTS, "acct-"))
        t0 = time.monotonic()
        srv = support.start_server(data, creds, config=config)
        results["startup_s"] = time.monotonic() - t0
        name = f"acct-{ACCOUNTS // 2}"
        lookup_path = f"/BeyondTrust/api/public/v3/ManagedAccounts?systemName=big&accountName={name}"
        results["lookup"] = loadgen(srv.port, ca, "get", signin=True, path=lookup_path, **common)
        # The latency of one lookup on its own, without queueing behind other connections.
        results["lookup_1"] = loadgen(srv.port, ca, "get", conns=1, signin=True, path=lookup_path, **common)
        results["rss_mb"] = rss_mb(srv.proc.pid)
        srv.stop()
        print(f"  start-up {results['startup_s']:.2f} s, RSS {results['rss_mb']:.0f} MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)

    out = write_report(results)
    print(f"wrote {out}")
    return 0


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def version(*cmd) -> str:
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
        return (p.stdout or p.stderr).strip().splitlines()[0]
    except (OSError, IndexError):
        return "?"


def write_report(r: dict) -> Path:
    day = datetime.date.today().isoformat()
    out = REPO / "bench" / "results" / f"{day}.md"
    out.parent.mkdir(exist_ok=True)

    def row(name, x, unit="req/s"):
        return (f"| {name} | {x['ops_per_s']:.0f} {unit} | {x['p50_us']/1000:.2f} | {x['p90_us']/1000:.2f} | "
                f"{x['p99_us']/1000:.2f} | {x['max_us']/1000:.1f} | {x['errors']} |")

    secret_ratio = r["secret_read"]["ops_per_s"] / r["nginx"]["ops_per_s"]
    psrun_ratio = r["psrun2"]["mean_s"] / r["curl"]["mean_s"]
    lookup_p99_ms = r["lookup_1"]["p99_us"] / 1000

    def verdict(ok: bool) -> str:
        return "met" if ok else "**not met**"

    lines = [
        f"# Benchmark run {day}",
        "",
        f"Command: `bench/run.sh` (BENCH_SECONDS={r['settings']['seconds']:g}, "
        f"BENCH_CONNECTIONS={r['settings']['connections']}, BENCH_ACCOUNTS={r['settings']['accounts']}).",
        "",
        "## Machine and versions",
        "",
        f"- CPU: {cpu_model()}, {os.cpu_count()} cores; memory "
        f"{int(Path('/proc/meminfo').read_text().split()[1]) // 1024} MiB; kernel {platform.release()}",
        f"- psafed {version(os.environ['PSAFED'], '--version')} (RelWithDebInfo); {version('nginx', '-v')}; "
        f"{version('openssl', 'version')}; SQLite {version('sqlite3', '--version') if shutil.which('sqlite3') else 'via libsqlite3'}",
        "- Load generator, psafed and nginx share the same cores (loopback), as they will on a 2-core host.",
        "",
        "## Throughput and latency (ms)",
        "",
        "| workload | throughput | p50 | p90 | p99 | max | errors |",
        "|---|---|---|---|---|---|---|",
        row("nginx static JSON over TLS (ceiling)", r["nginx"]),
        row("psafed GET /health", r["health"]),
        row("1. audited secret read", r["secret_read"]),
        row("2. RetrievePassword flow (4 calls)", r["flow"], "flows/s"),
        row("3a. sign-in with API key (+ sign-out)", r["signin_key"]),
        row("3b. OAuth token", r["signin_oauth"]),
        row(f"4. ManagedAccounts lookup, {r['settings']['accounts']:,} accounts", r["lookup"]),
        row("4'. the same lookup, one connection", r["lookup_1"]),
        "",
        f"- SQLite durable single-row commits (WAL, synchronous=FULL): {r['commit']['commits_per_s']:.0f}/s",
        f"- 5. psrun2 RetrievePassword (cold process, 4 calls + sign-in/out): {r['psrun2']['mean_s']*1000:.1f} ms "
        f"± {r['psrun2']['stddev_s']*1000:.1f}; one curl TLS GET: {r['curl']['mean_s']*1000:.1f} ms "
        f"± {r['curl']['stddev_s']*1000:.1f}",
        f"- {r['settings']['accounts']:,} accounts: seeded in {r['seed']['seconds']:.0f} s; psafed start-up "
        f"{r['startup_s']:.2f} s; RSS after the lookup run {r['rss_mb']:.0f} MB",
        "",
        "## Targets",
        "",
        "| target | measured | |",
        "|---|---|---|",
        f"| audited secret read ≥ 0.5 × nginx | {secret_ratio:.2f} × | {verdict(secret_ratio >= 0.5)} |",
        f"| RetrievePassword flow ≥ 3,000/s, durable | {r['flow']['ops_per_s']:.0f}/s | "
        f"{verdict(r['flow']['ops_per_s'] >= 3000)} |",
        f"| psrun2 ≤ 1.5 × curl | {psrun_ratio:.2f} × | {verdict(psrun_ratio <= 1.5)} |",
        f"| 1M accounts lookup p99 < 2 ms (one connection) | {lookup_p99_ms:.2f} ms | {verdict(lookup_p99_ms < 2)} |",
        f"| 1M accounts RSS < 300 MB | {r['rss_mb']:.0f} MB | {verdict(r['rss_mb'] < 300)} |",
        f"| 1M accounts start-up < 1 s | {r['startup_s']:.2f} s | {verdict(r['startup_s'] < 1)} |",
        "",
        "Raw results:",
        "",
        "```json",
        json.dumps(r, indent=1),
        "```",
        "",
    ]
    out.write_text("\n".join(lines))
    return out


if __name__ == "__main__":
    sys.exit(main())
