"""Three psafed nodes on a PostgreSQL primary with a synchronous standby, under mixed load
(request, approve on another node, check in): SIGKILL one node and restart it, 20 times;
then crash the primary and promote the standby while the load runs.

What must hold: zero acknowledged writes lost (every request id, approval and check-in a
client saw acknowledged is in the database and on the audit chain); clients see errors only
from the node being killed, and from every node only between the primary's crash and a
short time after the promotion; the audit chain verifies. The counts are reported in the
terminal summary (support.REPORT).

Runs on the PostgreSQL pass (PSAFE_E2E_STORE=postgresql); deselected, never skipped, on SQLite.
"""
from __future__ import annotations

import shutil
import threading
import time
from dataclasses import dataclass, field

import pytest
import requests

import support
from replicated_store import PrimaryStore, StandbyStore, url_for
from support import ROLE_APPROVER, bare_int, create_system, create_workgroup, grant_account, post_request

pytestmark = pytest.mark.postgresql_store

KILLS = 20
WORKERS = 6
# After a promotion a node's pool reopens with a backoff of at most 5 s (store/connection_pool.h).
RECOVERY_SECONDS = 12


@dataclass
class Ledger:
    lock: threading.Lock = field(default_factory=threading.Lock)
    acked: dict = field(default_factory=lambda: {"create": [], "approve": [], "checkin": []})
    errors: list = field(default_factory=list)  # (monotonic time, node index, what)

    def ack(self, what: str, rid: int) -> None:
        with self.lock:
            self.acked[what].append(rid)

    def error(self, node: int, what: str) -> None:
        with self.lock:
            self.errors.append((time.monotonic(), node, what))

    def count(self) -> int:
        with self.lock:
            return sum(len(v) for v in self.acked.values())


class Cluster:
    """The nodes the load spreads over; a node being killed is left out, as a load balancer would."""

    def __init__(self, nodes):
        self.lock = threading.Lock()
        self.nodes = list(nodes)
        self.down: set[int] = set()

    def pick(self, turn: int):
        with self.lock:
            up = [i for i in range(len(self.nodes)) if i not in self.down]
            i = up[turn % len(up)]
            return i, self.nodes[i]

    def take_down(self, i: int):
        with self.lock:
            self.down.add(i)
            return self.nodes[i]

    def bring_up(self, i: int, node) -> None:
        with self.lock:
            self.nodes[i] = node
            self.down.discard(i)


def worker(cluster: Cluster, g, approver, ledger: Ledger, stop: threading.Event, seed: int) -> None:
    """request -> approve -> check in, each step on the next node; a step whose answer was lost
    (the node died) is found out from the request's state and carried on."""
    rid, phase, turn = None, "request", seed
    while not stop.is_set():
        turn += 1
        index, node = cluster.pick(turn)
        ok = False
        try:
            if phase == "request":
                r = post_request(g.s, node, g.system_id, g.account_id)
                if r.status_code == 201:
                    rid, phase, ok = bare_int(r), "approve", True
                    ledger.ack("create", rid)
                elif r.status_code == 409:  # an earlier request went in, its answer did not come back
                    rid, phase = open_request(g, node)
                    ok = rid is not None
            elif phase == "approve":
                r = approver.put(node.url(f"Requests/{rid}/Approve"), json={}, timeout=15)
                if r.status_code in (200, 204):
                    phase, ok = "checkin", True
                    ledger.ack("approve", rid)
                elif r.status_code == 409:
                    rid, phase = open_request(g, node)
                    ok = True
            else:
                r = g.s.put(node.url(f"Requests/{rid}/Checkin"), json={}, timeout=15)
                if r.status_code == 204:
                    phase, ok = "request", True
                    ledger.ack("checkin", rid)
                elif r.status_code in (403, 409):
                    rid, phase = open_request(g, node)
                    ok = True
            if not ok:
                ledger.error(index, f"HTTP {r.status_code} {r.text[:120]}")
        except requests.RequestException as e:
            ledger.error(index, f"{type(e).__name__}")
        if not ok:
            time.sleep(0.05)


def open_request(g, node):
    """The requestor's open request and the step it is at, or (None, "request")."""
    r = g.s.get(node.url("Requests"), params={"status": "all"}, timeout=15)
    if r.status_code != 200:
        raise requests.RequestException(f"listing requests: HTTP {r.status_code}")
    for q in r.json():
        if q["Status"] == "Pending":
            return q["RequestID"], "approve"
        if q["Status"] == "Approved":
            return q["RequestID"], "checkin"
    return None, "request"


def wait_for_progress(ledger: Ledger, acks: int, timeout: float) -> None:
    target = ledger.count() + acks
    deadline = time.monotonic() + timeout
    while ledger.count() < target:
        assert time.monotonic() < deadline, f"the load made no progress for {timeout} s: {ledger.errors[-5:]}"
        time.sleep(0.05)


def test_no_acknowledged_write_is_lost_when_nodes_die_and_the_primary_fails_over(server_factory, tmp_path):
    primary = PrimaryStore(tmp_path / "primary")
    standby = StandbyStore(primary, tmp_path / "standby")
    try:
        primary.start()
        dbname = primary.database_for(tmp_path / "nodes")
        standby.start()
        primary.require_synchronous()
        env = {"PSAFE_STORE_URL": url_for(primary, standby, dbname), "PSAFE_STORE_PASSWORD": primary.store_password}
        run(server_factory, tmp_path, primary, standby, dbname, env)
    finally:
        server_factory.close()
        standby.stop()
        primary.stop()


def run(server_factory, tmp_path, primary, standby, dbname, env) -> None:
    first, creds = server_factory.new_data_dir(env=env)
    dirs = [first]
    for i in (2, 3):
        copy = tmp_path / f"node{i}"
        shutil.copytree(first, copy)
        dirs.append(copy)
    cluster = Cluster([server_factory.start(d, creds, env=env) for d in dirs])
    api = cluster.nodes[0].admin()
    sid = create_system(api, cluster.nodes[0], create_workgroup(api, cluster.nodes[0])["ID"])["ManagedSystemID"]
    grants = [grant_account(api, cluster.nodes[0], sid, required_approvals=1) for _ in range(WORKERS)]
    approvers = [g.add_user(api, (ROLE_APPROVER,))[1] for g in grants]

    ledger, stop = Ledger(), threading.Event()
    threads = [threading.Thread(target=worker, args=(cluster, g, a, ledger, stop, k), daemon=True)
               for k, (g, a) in enumerate(zip(grants, approvers))]
    for t in threads:
        t.start()
    try:
        wait_for_progress(ledger, 30, 60)

        # 1. SIGKILL a node and restart it, 20 times, while the others carry the load.
        windows = []
        for k in range(KILLS):
            victim = k % 3
            node = cluster.take_down(victim)
            t0 = time.monotonic()
            node.kill()
            restarted = server_factory.start(node.data_dir, creds, env=env)
            cluster.bring_up(victim, restarted)
            windows.append((victim, t0, time.monotonic()))
            wait_for_progress(ledger, 6, 60)

        # 2. The primary crashes; the standby is promoted while the load keeps trying.
        wait_for_progress(ledger, 12, 60)
        crashed_at = time.monotonic()
        primary.crash()
        time.sleep(1.0)  # the window with no primary at all
        promote_seconds = standby.promote()
        promoted_at = time.monotonic()
        wait_for_progress(ledger, 60, 60)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a load client did not stop: its acks would race the check"

    # Errors: from the node being killed during its window, and from any node during failover.
    kill_errors = [e for e in ledger.errors if e[0] < crashed_at]
    failover_errors = [e for e in ledger.errors if e[0] >= crashed_at]
    for at, node, what in kill_errors:
        assert any(v == node and t0 - 1 <= at <= t1 + 1 for v, t0, t1 in windows), \
            ("an error outside the killed node's window", node, what, at)
        assert not what.startswith("HTTP 5"), ("a 5xx while a node was killed", node, what)
    for at, node, what in failover_errors:
        assert at <= promoted_at + RECOVERY_SECONDS, ("an error long after the promotion", at - promoted_at, what)
        # Without a primary a node answers 503 with a short JSON message, never another error.
        assert not what.startswith("HTTP ") or what.startswith("HTTP 503"), ("not a 503 during failover", what)
    last_error = max((e[0] for e in failover_errors), default=promoted_at)

    # Zero acknowledged writes lost: in the tables, and on the chain, on the promoted standby.
    def ids(sql):
        return {int(x) for x in standby.admin_sql(sql, dbname=dbname).split()}
    stored = ids("SELECT id FROM requests;\n")
    approved = ids("SELECT request_id FROM request_approvals WHERE decision = 'approve';\n")
    chain = {}
    for row in standby.admin_sql("SELECT action, object_id FROM audit_log WHERE object_type = 'Request';\n",
                                 dbname=dbname).split():
        action, object_id = row.split("|")
        chain.setdefault(action, set()).add(int(object_id))
    acked = ledger.acked
    lost = {
        "request ids": sorted(set(acked["create"]) - stored),
        "approvals": sorted(set(acked["approve"]) - approved),
        "request.create records": sorted(set(acked["create"]) - chain.get("request.create", set())),
        "request.approve records": sorted(set(acked["approve"]) - chain.get("request.approve", set())),
        "request.checkin records": sorted(set(acked["checkin"]) - chain.get("request.checkin", set())),
    }
    assert all(not v for v in lost.values()), lost
    verify = support.run_cli("audit", "verify", "--data-dir", str(dirs[1]), env=env)
    assert verify.returncode == 0 and "OK" in verify.stdout, (verify.stdout, verify.stderr)

    support.REPORT.append(
        f"store failover: {KILLS} node kills, then primary crash + promotion ({promote_seconds:.2f} s); "
        f"acknowledged {len(acked['create'])} requests, {len(acked['approve'])} approvals, "
        f"{len(acked['checkin'])} check-ins, 0 lost; client errors {len(kill_errors)} during node kills "
        f"(killed node only), {len(failover_errors)} during failover (last {last_error - promoted_at:+.2f} s "
        f"after promotion); {verify.stdout.strip()}")
