"""Crash durability (issue 7): mixed writes against psafed, SIGKILL at a random moment,
restart, 20 times. Every write the client saw acknowledged must be there afterwards,
nothing half-written may be visible, the database must pass SQLite's integrity check and
the audit chain must verify."""

from __future__ import annotations

import random
import signal
import sqlite3
import threading
import time
import uuid

import requests

import support
from support import create_account, create_system, create_workgroup, grant_admins_request_all

RUNS = 20


class Writer(threading.Thread):
    """One client doing one kind of write in a loop until the server goes away."""

    def __init__(self, srv, kind: str, ctx: dict, acked: list, attempted: list):
        super().__init__(daemon=True)
        self.srv, self.kind, self.ctx, self.acked, self.attempted = srv, kind, ctx, acked, attempted

    def run(self):
        s = self.srv.admin()
        try:
            while True:
                tag = uuid.uuid4().hex[:12]
                self.attempted.append((self.kind, tag))
                if self.kind == "workgroup":
                    r = s.post(self.srv.url("Workgroups"), json={"Name": "crash-" + tag}, timeout=10)
                    if r.status_code == 201:
                        self.acked.append(("workgroup", "crash-" + tag))
                elif self.kind == "secret":
                    value = "Crash/" + tag
                    r = s.post(self.srv.url(f"secrets-safe/folders/{self.ctx['safe']}/secrets"), timeout=10,
                               json={"Title": "t-" + tag, "Username": "u", "Password": value})
                    if r.status_code == 201:
                        self.acked.append(("secret", (r.json()["Id"], value)))
                else:  # request, then check-in
                    r = s.post(self.srv.url("Requests"), timeout=10,
                               json={"SystemID": self.ctx["system"], "AccountID": self.ctx["account"],
                                     "DurationMinutes": 5, "Reason": tag, "ConflictOption": "renew"})
                    if r.status_code not in (200, 201):
                        continue
                    rid = int(r.text)
                    r = s.put(self.srv.url(f"Requests/{rid}/Checkin"), json={}, timeout=10)
                    if r.status_code == 204:
                        self.acked.append(("checkin", rid))
        except requests.RequestException:
            return  # the server was killed
        finally:
            s.close()


def test_acknowledged_writes_survive_sigkill(server_factory):
    srv = server_factory.start()
    data, creds = srv.data_dir, srv.creds
    api = srv.admin()
    grant_admins_request_all(srv)
    wg = create_workgroup(api, srv)
    system = create_system(api, srv, wg["ID"])
    account = create_account(api, srv, system["ManagedSystemID"], password="Acct/1")
    safe = api.post(srv.url("secrets-safe/safes/"), json={"Name": "crash"}, timeout=10).json()
    ctx = {"system": system["ManagedSystemID"], "account": account["ManagedAccountID"], "safe": safe["Id"]}
    api.close()
    srv.stop()

    rng = random.Random(7)
    acked: list = []
    attempted: list = []
    for _ in range(RUNS):
        srv = server_factory.start(data, creds)
        writers = [Writer(srv, kind, ctx, acked, attempted) for kind in ("workgroup", "secret", "request", "secret")]
        for w in writers:
            w.start()
        time.sleep(rng.uniform(0.2, 1.0))
        srv.proc.send_signal(signal.SIGKILL)
        srv.proc.wait(timeout=10)
        for w in writers:
            w.join(timeout=20)
        srv.stop()  # closes its files; it is gone already

    # The store is whole, and so is the audit chain.
    conn = sqlite3.connect(str(data / "psafe.db"))
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    res = support.run_cli("audit", "verify", "--data-dir", str(data))
    assert res.returncode == 0, (res.stdout, res.stderr)

    srv = server_factory.start(data, creds)
    api = srv.admin()
    assert len(acked) > 20, f"too little load to mean anything: {len(acked)} acknowledged writes"
    for kind, what in acked:
        if kind == "workgroup":
            assert api.get(srv.url(f"Workgroups/{what}"), timeout=10).status_code == 200, what
        elif kind == "secret":
            sid, value = what
            r = api.get(srv.url(f"secrets-safe/secrets/{sid}"), timeout=10)
            assert r.status_code == 200 and r.json()["Password"] == value, (sid, r.status_code, r.text)
    # Nothing half-written: every secret that exists (acknowledged or not) reads back whole.
    r = api.get(srv.url(f"secrets-safe/folders/{ctx['safe']}/secrets"), timeout=30)
    assert r.status_code == 200
    for item in r.json():
        assert item["Password"] == "Crash/" + item["Title"][2:], item
    statuses = {x["RequestID"]: x["Status"] for x in
                api.get(srv.url("Requests"), params={"status": "all"}, timeout=30).json()}
    for kind, rid in acked:
        if kind == "checkin":
            assert statuses.get(rid) == "Released", (rid, statuses.get(rid))
    api.close()
