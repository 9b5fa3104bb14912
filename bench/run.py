"""Runs the psafe benchmarks and writes bench/results/<date>.md (docs/BENCHMARKS.md).

Workloads, each against psafed (release build, TLS, keep-alive) with the same load
generator (bench/loadgen.cc), side by side with the machine's ceilings:
  1. audited secret read         GET secrets-safe/secrets/{id}      vs nginx serving a static JSON file
  2. RetrievePassword flow       4 calls per flow, each write durable vs SQLite's own durable commit rate
  3. sign-in                     PS-Auth SignAppIn+Signout, OAuth token
  4. ManagedAccounts lookup      with BENCH_ACCOUNTS accounts in the store (start-up time, RSS, p99)
  5. psrun2 RetrievePassword     cold process start to password printed  vs one curl TLS GET
on each store of BENCH_STORES (default sqlite,postgresql,postgresql-3): the embedded SQLite
file with one node, and one PostgreSQL 15 installation (started here on loopback, durable:
fsync and synchronous commit on) measured with one node and then with three on the same box.

`--quick` (CI): 2 s per workload, a few thousand accounts, SQLite and one PostgreSQL node,
the report in a temporary directory. It proves the harness works; it judges nothing.
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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BUILD = REPO / "build" / "bench"
os.environ.setdefault("PSAFED", str(BUILD / "src" / "psafed"))
sys.path.insert(0, str(REPO / "tests" / "e2e"))
import support  # noqa: E402  (psafed process helpers shared with the end-to-end tests)
from store_backend import StoreDatabase  # noqa: E402  (PostgreSQL 15 on loopback, as the e2e store)
from targets import PG_BIN  # noqa: E402

LOADGEN = BUILD / "bench" / "psafe-loadgen"
SEED = BUILD / "bench" / "psafe-bench-seed"
COMMIT = BUILD / "bench" / "psafe-bench-commit"
PSRUN2 = BUILD / "src" / "psrun2"
QUICK = "--quick" in sys.argv[1:]
SECONDS = float(os.environ.get("BENCH_SECONDS", "2" if QUICK else "10"))
CONNS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS", "5000" if QUICK else "1000000"))
# Seeding runs through the store, one account at a time: on PostgreSQL ~2 ms each (a round
# trip per statement and savepoint), so 1,000,000 would take over half an hour.
PG_ACCOUNTS = int(os.environ.get("BENCH_PG_ACCOUNTS", "1000" if QUICK else "100000"))
DEFAULT_STORES = "sqlite,postgresql" if QUICK else "sqlite,postgresql,postgresql-3"
HYPERFINE_RUNS = 5 if QUICK else 30


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


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """VmRSS now, or VmHWM: the most it has held."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def pin(pid: int, cpus: str) -> None:
    """Every thread of `pid` onto `cpus` (taskset's list syntax)."""
    sh("taskset", "-a", "-p", "-c", cpus, pid)


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
    args = ["hyperfine", "-N", "--warmup", "3", "--runs", str(HYPERFINE_RUNS), "--export-json", str(out)]
    for name, cmd in commands.items():
        args += ["-n", name, cmd]
    subprocess.run(args, check=True, capture_output=True, text=True, timeout=600,
                   env={**os.environ, "PSRUN_CA_FILE": ca})
    return {r["command"]: r for r in json.loads(out.read_text())["results"]}


class BenchPostgres(StoreDatabase):
    """PostgreSQL 15 for the benchmark: durable as in production (fsync, synchronous commit,
    full-page writes), unlike the e2e suite's store."""

    kind = "bench-postgres"
    CONF = StoreDatabase.CONF + ("# psafe bench: durable\nfsync = on\nsynchronous_commit = on\n"
                                 "full_page_writes = on\nshared_buffers = 256MB\n")


def merged(runs: list[dict]) -> dict:
    """Several load generators at once (one per node): throughputs add up; each percentile is
    the worst generator's (a bound, not the exact merged percentile)."""
    out = {k: max(r[k] for r in runs) for k in ("p50_us", "p90_us", "p99_us", "max_us")}
    out.update(ops_per_s=sum(r["ops_per_s"] for r in runs), errors=sum(r["errors"] for r in runs),
               first_error=next((r["first_error"] for r in runs if r["first_error"]), ""), nodes=len(runs))
    return out


def on_nodes(nodes, ca: str, workload: str, per_node: dict | None = None, **opts) -> dict:
    """The workload on every node at once, the connections split between them."""
    if len(nodes) == 1:
        return loadgen(nodes[0].port, ca, workload, **opts, **((per_node or {}).get(0, {})))
    conns = max(1, opts.pop("conns", CONNS) // len(nodes))
    with ThreadPoolExecutor(len(nodes)) as pool:
        futures = [pool.submit(loadgen, n.port, ca, workload, conns, **opts, **((per_node or {}).get(i, {})))
                   for i, n in enumerate(nodes)]
        runs = [f.result() for f in futures]
    result = merged(runs)
    print(f"  {workload:14} {result['ops_per_s']:10.1f}/s over {len(nodes)} nodes", flush=True)
    return result


def start_nodes(work: Path, data: Path, creds, count: int, config: Path, env: dict):
    nodes = [support.start_server(data, creds, config=config, env=env)]
    for i in range(2, count + 1):
        copy = work / f"{data.name}-node{i}"
        if not copy.exists():
            shutil.copytree(data, copy, ignore=shutil.ignore_patterns("psafe.db*"))
        nodes.append(support.start_server(copy, creds, config=config, env=env))
    return nodes


def stop_nodes(nodes) -> None:
    for n in nodes:
        n.stop()


def install(name: str, work: Path, env: dict, prefixes: list[str]) -> dict:
    """An installation to measure: init --demo and the fixtures (one account per connection
    and prefix for the flow, a credential secret, a system "big" for the seeded accounts)."""
    data = work / f"data-{name}"
    creds = support.init_data_dir_args(data, "--demo", env=env)
    # One load generator is one client: lift the per-client rate limits for the run.
    config = support.write_config(work / "bench.toml", "[limits]\nsignin_per_second = 0\n"
                                                      "requests_per_second = 0\n")
    srv = support.start_server(data, creds, config=config, env=env)
    api = srv.admin()
    for prefix in prefixes:
        for i in range(CONNS):
            r = api.post(srv.url("ManagedSystems/1/ManagedAccounts"),
                         json={"AccountName": f"{prefix}{i}", "Password": f"Bench/{i}"}, timeout=10)
            assert r.status_code == 201, r.text
    safe = api.post(srv.url("secrets-safe/safes/"), json={"Name": "bench"}, timeout=10).json()
    secret = api.post(srv.url(f"secrets-safe/folders/{safe['Id']}/secrets"),
                      json={"Title": "db", "Username": "app", "Password": "Secret/1"}, timeout=10).json()
    r = api.post(srv.url("Workgroups/1/ManagedSystems"), json={"SystemName": "big", "PlatformID": 2}, timeout=10)
    assert r.status_code == 201, r.text
    big = r.json()["ManagedSystemID"]
    api.close()
    srv.stop()
    return {"name": name, "data": data, "creds": creds, "config": config, "secret": secret["Id"], "big": big,
            "prefixes": prefixes, "env": env, "accounts": 0}


def seed(inst: dict, target: str, accounts: int) -> None:
    """`accounts` accounts in system "big", straight through the store (psafed stopped)."""
    print(f"{inst['name']}: seeding {accounts} accounts", flush=True)
    inst["seed"] = json.loads(sh(SEED, target, inst["big"], accounts, "acct-", env={**os.environ, **inst["env"]}))
    inst["accounts"] = accounts
    print(f"  seeded in {inst['seed']['seconds']:.0f} s", flush=True)


def measure_calls(inst: dict, work: Path, nodes_count: int, results: dict) -> None:
    """Workloads 1-3 and 5 against `nodes_count` nodes of an installation without the seeded accounts."""
    creds = inst["creds"]
    nodes = start_nodes(work, inst["data"], creds, nodes_count, inst["config"], inst["env"])
    ca = creds.ca_cert
    common = dict(key=creds.api_key, user="admin")
    secret_path = f"/BeyondTrust/api/public/v3/secrets-safe/secrets/{inst['secret']}"
    results["secret_read"] = on_nodes(nodes, ca, "get", signin=True, path=secret_path, **common)
    # The most memory the node held under the 32-connection load.
    results["rss_load_mb"] = rss_mb(nodes[0].proc.pid, "VmHWM")
    if nodes_count == 1 and (os.cpu_count() or 1) >= 2:
        # The same read with the node on one core, then back on all of them (the load
        # generator is not pinned: with one core it has the other to itself).
        pin(nodes[0].proc.pid, "0")
        results["secret_read_1core"] = loadgen(nodes[0].port, ca, "get", signin=True, path=secret_path, **common)
        pin(nodes[0].proc.pid, f"0-{(os.cpu_count() or 1) - 1}")
    results["health"] = on_nodes(nodes, ca, "get", path="/health")
    results["flow"] = on_nodes(nodes, ca, "flow", system="demo-linux", **common,
                               per_node={i: {"account_prefix": p} for i, p in enumerate(inst["prefixes"])})
    results["signin_key"] = on_nodes(nodes, ca, "signin-key", **common)
    results["signin_oauth"] = on_nodes(nodes, ca, "signin-oauth", client_id=creds.client_id,
                                       client_secret=creds.client_secret)
    print("psrun2 vs curl", flush=True)
    srv = nodes[0]
    conn = f"127.0.0.1:{srv.port} {creds.api_key} admin"
    runs = hyperfine({"psrun2": f"{PSRUN2} {conn} RetrievePassword demo-linux demo-root bench",
                      "curl": f"curl -s --cacert {ca} https://127.0.0.1:{srv.port}/health"}, work, ca)
    results["psrun2"] = {"mean_s": runs["psrun2"]["mean"], "stddev_s": runs["psrun2"]["stddev"]}
    results["curl"] = {"mean_s": runs["curl"]["mean"], "stddev_s": runs["curl"]["stddev"]}
    print(f"  psrun2 {results['psrun2']['mean_s']*1000:.1f} ms, curl {results['curl']['mean_s']*1000:.1f} ms")
    stop_nodes(nodes)


def measure_accounts(inst: dict, work: Path, nodes_count: int, results: dict) -> None:
    """Workload 4 against a seeded installation: start-up, the lookup, RSS; and the flow again,
    to show what the seeded accounts cost it."""
    creds = inst["creds"]
    results.update(accounts=inst["accounts"], seed=inst["seed"])
    t0 = time.monotonic()
    nodes = start_nodes(work, inst["data"], creds, nodes_count, inst["config"], inst["env"])
    results["startup_s"] = time.monotonic() - t0
    ca = creds.ca_cert
    common = dict(key=creds.api_key, user="admin")
    lookup_path = (f"/BeyondTrust/api/public/v3/ManagedAccounts?systemName=big"
                   f"&accountName=acct-{inst['accounts'] // 2}")
    results["lookup"] = on_nodes(nodes, ca, "get", signin=True, path=lookup_path, **common)
    # The latency of one lookup on its own, without queueing behind other connections.
    results["lookup_1"] = loadgen(nodes[0].port, ca, "get", conns=1, signin=True, path=lookup_path, **common)
    results["flow_accounts"] = on_nodes(nodes, ca, "flow", system="demo-linux", **common,
                                        per_node={i: {"account_prefix": p} for i, p in enumerate(inst["prefixes"])})
    results["rss_mb"] = rss_mb(nodes[0].proc.pid)
    stop_nodes(nodes)
    print(f"  start-up {results['startup_s']:.2f} s, RSS {results['rss_mb']:.0f} MB")


def ceilings(inst: dict, work: Path, results: dict) -> None:
    print("ceilings", flush=True)
    data = inst["data"]
    results["nginx"] = nginx_ceiling(work, data / "tls/server.crt", data / "tls/server.key", inst["creds"].ca_cert)
    results["commit"] = json.loads(sh(COMMIT, work / "commit.db", min(SECONDS, 5)))
    print(f"  sqlite durable commits {results['commit']['commits_per_s']:.0f}/s")


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="psafe-bench-"))
    stores = [s for s in os.environ.get("BENCH_STORES", DEFAULT_STORES).split(",") if s]
    results: dict = {"settings": {"seconds": SECONDS, "connections": CONNS, "accounts": ACCOUNTS,
                                  "pg_accounts": PG_ACCOUNTS, "stores": stores}}
    pg, pg_seeded = None, None
    try:
        for i, store in enumerate(stores):
            nodes = int(store.split("-")[1]) if "-" in store else 1
            r = results[store] = {}
            print(f"psafed on {store}", flush=True)
            if store == "sqlite":
                inst = install(store, work, {"PSAFE_STORE_URL": ""}, ["bench-a-"])
                measure_calls(inst, work, nodes, r)
                if i == 0:
                    ceilings(inst, work, r)
                seed(inst, str(inst["data"] / "psafe.db"), ACCOUNTS)
                measure_accounts(inst, work, nodes, r)
                continue
            if pg is None:
                pg = BenchPostgres(work / "postgres")
                pg.start()
            # A fresh database for the calls; the accounts measured on one seeded installation,
            # which the three nodes share with the one node measured before them.
            env = pg.env_for(work / store)
            inst = install(store, work, env, [f"bench-{c}-" for c in "abc"])  # room for three nodes' flows
            measure_calls(inst, work, nodes, r)
            if pg_seeded is None:
                seed(inst, env["PSAFE_STORE_URL"], PG_ACCOUNTS)
                pg_seeded = inst
            measure_accounts(pg_seeded, work, nodes, r)
    finally:
        if pg is not None:
            pg.stop()
        shutil.rmtree(work, ignore_errors=True)

    out = write_report(results, Path(tempfile.mkdtemp(prefix="psafe-bench-quick-")) if QUICK else REPO / "bench" / "results")
    print(f"wrote {out}")
    report = out.read_text().split("Raw results:")[0]
    print(report if QUICK else report[report.index("## Performance targets"):], end="")
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


STORE_TITLES = {"sqlite": "SQLite, 1 node", "postgresql": "PostgreSQL, 1 node", "postgresql-3": "PostgreSQL, 3 nodes"}
WORKLOADS = [("health", "psafed GET /health", "req/s"), ("secret_read", "1. audited secret read", "req/s"),
             ("flow", "2. RetrievePassword flow (4 calls)", "flows/s"),
             ("signin_key", "3a. sign-in with API key (+ sign-out)", "/s"), ("signin_oauth", "3b. OAuth token", "/s"),
             ("lookup", "4. ManagedAccounts lookup among the seeded accounts (below)", "req/s"),
             ("lookup_1", "4'. the same lookup, one connection", "req/s"),
             ("flow_accounts", "2'. the flow again, with the seeded accounts present", "flows/s")]


# Issue 15's targets: (what, the value before it, the target, how it is measured here).
# Each `measure` returns (value, met) from the results; None when this run lacks it.
def issue15_targets(r: dict) -> list[tuple[str, str, str, object]]:
    sq, pg = r.get("sqlite", {}), r.get("postgresql", {})

    def ratio(a, b):
        return a["ops_per_s"] / b["ops_per_s"] if a and b else None

    def show(v, fmt):
        return "—" if v is None else fmt.format(v)

    rows = []
    health = ratio(sq.get("health"), sq.get("nginx"))
    rows.append(("`GET /health` vs nginx static TLS", "0.32×", "≥ 0.8×", show(health, "{:.2f}×"),
                 health is not None and health >= 0.8))
    secret = ratio(sq.get("secret_read"), sq.get("nginx"))
    rows.append(("audited secret read (cookie), vs nginx", "0.05×", "≥ 0.5×", show(secret, "{:.2f}×"),
                 secret is not None and secret >= 0.5))
    flow = sq.get("flow", {}).get("ops_per_s")
    rows.append(("RetrievePassword flow (4 calls, durable), SQLite", "709/s", "≥ 3,000/s", show(flow, "{:,.0f}/s"),
                 flow is not None and flow >= 3000))
    pg_flow = pg.get("flow", {}).get("ops_per_s")
    rows.append(("the same flow, PostgreSQL on the same box", "103/s (2026-12-01)", "≥ 1,500/s",
                 show(pg_flow, "{:,.0f}/s"), pg_flow is not None and pg_flow >= 1500))
    signin = sq.get("signin_key", {}).get("ops_per_s")
    rows.append(("API-key sign-in + sign-out", "1,529/s", "≥ 5,000/s", show(signin, "{:,.0f}/s"),
                 signin is not None and signin >= 5000))
    p99 = sq.get("secret_read", {}).get("p99_us")
    rows.append((f"secret read p99 at {CONNS} connections", "21 ms", "≤ 5 ms",
                 show(None if p99 is None else p99 / 1000, "{:.2f} ms"), p99 is not None and p99 <= 5000))
    scale = ratio(sq.get("secret_read"), sq.get("secret_read_1core"))
    rows.append(("scaling 1 → 2 cores (`taskset`), secret read", "—", "≥ 1.8×", show(scale, "{:.2f}×"),
                 scale is not None and scale >= 1.8))
    rss = sq.get("rss_load_mb")
    rows.append((f"RSS under the {CONNS}-connection load (peak)", "—", "≤ 100 MB", show(rss, "{:.0f} MB"),
                 rss is not None and rss <= 100))
    return rows


def write_report(r: dict, directory: Path) -> Path:
    day = datetime.date.today().isoformat()
    out = directory / f"{day}.md"
    # A second run on one day never overwrites the first's report.
    for n in range(2, 100):
        if not out.exists():
            break
        out = directory / f"{day}-{n}.md"
    out.parent.mkdir(exist_ok=True)
    stores = r["settings"]["stores"]
    first = r[stores[0]]

    def row(name, x, unit="req/s"):
        return (f"| {name} | {x['ops_per_s']:.0f} {unit} | {x['p50_us']/1000:.2f} | {x['p90_us']/1000:.2f} | "
                f"{x['p99_us']/1000:.2f} | {x['max_us']/1000:.1f} | {x['errors']} |")

    def verdict(ok: bool) -> str:
        return "met" if ok else "**not met**"

    lines = [
        f"# Benchmark run {day}",
        "",
        f"Command: `bench/run.sh` (BENCH_SECONDS={r['settings']['seconds']:g}, "
        f"BENCH_CONNECTIONS={r['settings']['connections']}, BENCH_ACCOUNTS={r['settings']['accounts']}, BENCH_PG_ACCOUNTS={r['settings']['pg_accounts']}, "
        f"BENCH_STORES={','.join(stores)}).",
        "",
        "## Machine and versions",
        "",
        f"- CPU: {cpu_model()}, {os.cpu_count()} cores; memory "
        f"{int(Path('/proc/meminfo').read_text().split()[1]) // 1024} MiB; kernel {platform.release()}",
        f"- psafed {version(os.environ['PSAFED'], '--version')} (RelWithDebInfo); {version('nginx', '-v')}; "
        f"{version('openssl', 'version')}; SQLite {version('sqlite3', '--version') if shutil.which('sqlite3') else 'via libsqlite3'}; "
        f"{version(str(PG_BIN / 'postgres'), '--version')} (fsync, synchronous_commit on)",
        "- Load generators, psafed nodes, PostgreSQL and nginx share the same cores (loopback).",
        "- Three nodes: one load generator per node, the connections split between them; throughput is "
        "the sum, each percentile the worst generator's.",
        "",
        "## The stores side by side (throughput; p99 ms)",
        "",
        "| workload | " + " | ".join(STORE_TITLES.get(s, s) for s in stores) + " |",
        "|---|" + "---|" * len(stores),
    ]
    for key, title, unit in WORKLOADS:
        cells = [f"{r[s][key]['ops_per_s']:.0f} {unit}; {r[s][key]['p99_us']/1000:.2f}" for s in stores]
        lines.append(f"| {title} | " + " | ".join(cells) + " |")
    lines.append("| 5. psrun2 RetrievePassword (cold process) | " +
                 " | ".join(f"{r[s]['psrun2']['mean_s']*1000:.1f} ms" for s in stores) + " |")
    lines.append("| accounts seeded through the store (time) | " +
                 " | ".join(f"{r[s]['accounts']:,} ({r[s]['seed']['seconds']:.0f} s)" for s in stores) + " |")
    lines.append("| start-up with them | " + " | ".join(f"{r[s]['startup_s']:.2f} s" for s in stores) + " |")
    lines.append("| RSS of a node after the lookups | " + " | ".join(f"{r[s]['rss_mb']:.0f} MB" for s in stores) + " |")
    for s in stores:
        x = r[s]
        lines += ["", f"## {STORE_TITLES.get(s, s)}: throughput and latency (ms)", "",
                  "| workload | throughput | p50 | p90 | p99 | max | errors |", "|---|---|---|---|---|---|---|"]
        if "nginx" in x:
            lines.append(row("nginx static JSON over TLS (ceiling)", x["nginx"]))
        lines += [row(title, x[key], unit) for key, title, unit in WORKLOADS]
        if "commit" in x:
            lines += ["", f"- SQLite durable single-row commits (WAL, synchronous=FULL): {x['commit']['commits_per_s']:.0f}/s"]
        lines += [f"- 5. psrun2 RetrievePassword: {x['psrun2']['mean_s']*1000:.1f} ms ± {x['psrun2']['stddev_s']*1000:.1f}; "
                  f"one curl TLS GET: {x['curl']['mean_s']*1000:.1f} ms ± {x['curl']['stddev_s']*1000:.1f}"]

    lines += ["", "## Performance targets (issue 15; SQLite unless named)", "",
              "| workload | before | target | measured | |", "|---|---|---|---|---|"]
    for what, before, target, measured, met in issue15_targets(r):
        lines.append(f"| {what} | {before} | {target} | {measured} | {verdict(met)} |")
    if "nginx" in first:
        secret_ratio = first["secret_read"]["ops_per_s"] / first["nginx"]["ops_per_s"]
        psrun_ratio = first["psrun2"]["mean_s"] / first["curl"]["mean_s"]
        lookup_p99_ms = first["lookup_1"]["p99_us"] / 1000
        lines += [
            "",
            f"## Targets ({STORE_TITLES.get(stores[0], stores[0])})",
            "",
            "| target | measured | |",
            "|---|---|---|",
            f"| audited secret read ≥ 0.5 × nginx | {secret_ratio:.2f} × | {verdict(secret_ratio >= 0.5)} |",
            f"| RetrievePassword flow ≥ 3,000/s, durable | {first['flow']['ops_per_s']:.0f}/s | "
            f"{verdict(first['flow']['ops_per_s'] >= 3000)} |",
            f"| psrun2 ≤ 1.5 × curl | {psrun_ratio:.2f} × | {verdict(psrun_ratio <= 1.5)} |",
            f"| 1M accounts lookup p99 < 2 ms (one connection) | {lookup_p99_ms:.2f} ms | {verdict(lookup_p99_ms < 2)} |",
            f"| 1M accounts RSS < 300 MB | {first['rss_mb']:.0f} MB | {verdict(first['rss_mb'] < 300)} |",
            f"| 1M accounts start-up < 1 s | {first['startup_s']:.2f} s | {verdict(first['startup_s'] < 1)} |",
        ]
    lines += ["", "Raw results:", "", "```json", json.dumps(r, indent=1), "```", ""]
    out.write_text("\n".join(lines))
    return out


if __name__ == "__main__":
    sys.exit(main())
