"""A value never leaves before its audit record is durable (issue 15).

On SQLite, commits return before the disk has them; the store's syncer then makes everything
committed durable with one fdatasync of the WAL, and only then may a response that depends
on them leave (store/durability.h, http/response_gate.h). (On PostgreSQL a commit returns
once PostgreSQL has flushed it: there is no syncer to hold, so this runs on SQLite.) A
debug psafed holds its syncer while the file named by PSAFE_TEST_HOLD_SYNC_FILE exists: an
audited read is then committed but not yet durable, and its value must not reach the
client. Killed at that moment, the node has shown the value to no one.
"""

from __future__ import annotations

import threading
import time

import pytest
import requests

import store_backend
import support

VALUE = "Held/Until-Synced-1"


def read_records(srv, secret_id: str) -> int:
    rows = store_backend.query(srv.data_dir, "SELECT count(*) FROM audit_log WHERE action = 'secret.read' "
                                             "AND object_id = ?", (secret_id,))
    return rows[0][0]


class Reader(threading.Thread):
    """One audited read; `response` is what the client got, `error` why it got nothing."""

    def __init__(self, session, url: str):
        super().__init__(daemon=True)
        self.session, self.url = session, url
        self.response = None
        self.error = None

    def run(self):
        try:
            self.response = self.session.get(self.url, timeout=60)
        except requests.RequestException as e:
            self.error = e


@pytest.mark.sqlite_store  # the syncer it holds is SQLite's
def test_a_secret_leaves_only_after_its_audit_record_is_synced(server_factory, tmp_path):
    hold = tmp_path / "hold-sync"
    srv = server_factory.start(env={"PSAFE_TEST_HOLD_SYNC_FILE": str(hold)})
    api = srv.admin()
    safe = api.post(srv.url("secrets-safe/safes/"), json={"Name": "held"}, timeout=10).json()
    secret = api.post(srv.url(f"secrets-safe/folders/{safe['Id']}/secrets"), timeout=10,
                      json={"Title": "db", "Username": "app", "Password": VALUE}).json()
    url = srv.url(f"secrets-safe/secrets/{secret['Id']}")
    reader = srv.signed_in()
    assert VALUE in reader.get(url, timeout=10).text, "control: the read works without the hold"
    records = read_records(srv, secret["Id"])

    # Held: the read's record is committed (another connection sees it), its value waits.
    hold.touch()
    held = Reader(reader, url)
    held.start()
    support.wait_for(lambda: read_records(srv, secret["Id"]) == records + 1, timeout=15, interval=0.02,
                     what="the read's audit record to be committed")
    held.join(1.5)
    assert held.is_alive() and held.response is None, "the value left before its record was durable"
    # Other callers are not stopped by the wait, only held the same way when they depend on it.
    assert api.get(srv.base.rsplit("/BeyondTrust", 1)[0] + "/health", timeout=10).status_code == 200
    hold.unlink()
    held.join(15)
    assert held.response is not None and held.response.status_code == 200, held.error
    assert VALUE in held.response.text

    # Held again, and the node dies while the record waits for the disk: nobody saw the value.
    second = srv.signed_in()  # before the hold: signing in commits a session, and waits for it too
    hold.touch()
    killed = Reader(second, url)
    killed.start()
    support.wait_for(lambda: read_records(srv, secret["Id"]) == records + 2, timeout=15, interval=0.02,
                     what="the second read's audit record to be committed")
    time.sleep(0.3)
    assert killed.response is None, "the value left before its record was durable"
    srv.kill()
    killed.join(15)
    assert killed.response is None and killed.error is not None, "a client got an answer from a held read"
    hold.unlink()
    srv.stop()

    # The restarted node has both records and a chain that verifies.
    again = server_factory.start(srv.data_dir, srv.creds)
    assert read_records(again, secret["Id"]) == records + 2
    res = support.run_cli("audit", "verify", "--data-dir", str(srv.data_dir))
    assert res.returncode == 0, (res.stdout, res.stderr)
