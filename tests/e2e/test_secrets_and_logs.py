"""What psafed writes: the access log must not leak secrets, the data directory must not
hold plaintext credentials, and data-key rotation keeps existing data usable."""

from __future__ import annotations

import json
from pathlib import Path

import hygiene
import store_backend
import support
from support import BASE_PATH, create_account, create_system, create_workgroup, files_containing, run_cli, unique

SENTINEL = "Sentinel-PLAINTEXT-4242"


def access_lines(stderr: str) -> list[dict]:
    """The JSON objects of the access-log lines (after spdlog's time/level prefix)."""
    out = []
    for line in stderr.splitlines():
        if '"event":"access"' not in line:
            continue
        obj = json.loads(line[line.index("{"):])
        out.append(obj)
    return out


def encodings(name: str, value: str) -> dict[str, bytes]:
    return {f"{name} (utf-8)": value.encode(), f"{name} (utf-16le)": value.encode("utf-16-le")}


def db_files(data_dir: Path) -> list[Path]:
    return [p for p in data_dir.iterdir() if p.name.startswith("psafe.db")]


# --- Access log ----------------------------------------------------------------------

def test_access_log_is_json_without_secrets_or_query_strings(server_factory):
    srv = server_factory.start()
    c = srv.creds
    query_value = unique("queryvalue")

    s = srv.session()
    r = s.post(srv.url("Auth/SignAppIn"),
               headers={"Authorization": f"PS-Auth key={c.api_key}; runas={c.user}; pwd=[{c.password}];"},
               timeout=10)
    assert r.status_code == 200
    cookie = s.cookies["ASP.NET_SessionId"]
    assert s.get(srv.url("ManagedAccounts"), params={"systemName": query_value, "accountName": "root"},
                 timeout=10).status_code == 404
    assert s.get(srv.url("ManagedSystems"), params={"name": query_value}, timeout=10).status_code == 200
    token = s.post(srv.url("Auth/connect/token"), timeout=10,
                   data={"client_id": c.client_id, "client_secret": c.client_secret,
                         "grant_type": "client_credentials"}).json()["access_token"]
    assert srv.session().get(srv.url("Workgroups"), headers={"Authorization": f"Bearer {token}"},
                             timeout=10).status_code == 200
    assert srv.session().get(srv.url("Workgroups"), timeout=10,
                             headers={"Authorization": f"PS-Auth key={c.api_key[:-1]}{'1' if c.api_key[-1] == '0' else '0'}; runas=admin;"}
                             ).status_code == 401
    assert s.post(srv.url("Auth/Signout"), timeout=10).status_code == 200
    s.close()
    assert srv.stop() == 0

    stderr = srv.stderr_text()
    lines = access_lines(stderr)
    seen = {(l["method"], l["path"], l["status"]) for l in lines}
    assert ("POST", BASE_PATH + "/Auth/SignAppIn", 200) in seen, lines
    assert ("GET", BASE_PATH + "/ManagedAccounts", 404) in seen, lines
    assert ("GET", BASE_PATH + "/ManagedSystems", 200) in seen, lines
    assert ("POST", BASE_PATH + "/Auth/connect/token", 200) in seen, lines
    assert ("GET", BASE_PATH + "/Workgroups", 401) in seen, lines
    assert ("POST", BASE_PATH + "/Auth/Signout", 200) in seen, lines
    for l in lines:
        assert isinstance(l["status"], int)
        assert "?" not in l["path"], l

    secrets = {"API key": c.api_key, "admin password": c.password, "session cookie": cookie,
               "client secret": c.client_secret, "access token": token, "query string": query_value}
    leaked = [name for name, value in secrets.items() if value in stderr]
    assert not leaked, f"stderr contains: {leaked}"


# --- Secrets at rest -----------------------------------------------------------------

def test_no_plaintext_secrets_in_the_data_dir(server_factory):
    srv = server_factory.start()
    c = srv.creds
    api = srv.signed_in()
    cookie = api.cookies["ASP.NET_SessionId"]
    wg = create_workgroup(api, srv)
    system = create_system(api, srv, wg["ID"])
    acct = create_account(api, srv, system["ManagedSystemID"], password=SENTINEL,
                          PrivateKey=SENTINEL + "-KEY", Passphrase=SENTINEL + "-PHRASE")
    assert SENTINEL not in json.dumps(acct)

    needles = {**encodings("account password", SENTINEL)}
    db_needles = {**needles, "API key": c.api_key.encode(), "admin password": c.password.encode(),
                  "client secret": c.client_secret.encode(), "session cookie": cookie.encode()}

    # While running (SQLite's WAL holds the latest writes) ...
    if not store_backend.ACTIVE:
        assert any(p.name == "psafe.db-wal" for p in db_files(srv.data_dir)), "expected a WAL while serving"
    assert files_containing(srv.data_dir, needles) == []
    assert store_backend.holding(srv.data_dir, db_needles) == []
    api.close()
    assert srv.stop() == 0
    # ... and after a clean stop.
    assert files_containing(srv.data_dir, needles) == []
    assert store_backend.holding(srv.data_dir, db_needles) == []
    assert SENTINEL not in srv.stderr_text()


def test_data_dir_permissions(server_factory):
    data, _ = server_factory.new_data_dir()
    assert data.stat().st_mode & 0o777 == 0o700
    assert (data / "master.key").stat().st_mode & 0o777 == 0o600
    assert (data / "tls/server.key").stat().st_mode & 0o077 == 0
    if not store_backend.ACTIVE:
        assert (data / "psafe.db").stat().st_mode & 0o077 == 0


# --- Key rotation --------------------------------------------------------------------

def test_key_rotation_keeps_old_data_and_seals_new(server_factory):
    data, creds = server_factory.new_data_dir()
    srv = server_factory.start(data, creds)
    support.grant_admins_request_all(srv)
    api = srv.admin()
    wg = create_workgroup(api, srv)
    system = create_system(api, srv, wg["ID"])
    a = create_account(api, srv, system["ManagedSystemID"], password=SENTINEL + "-A")
    api.close()
    assert srv.stop() == 0

    res = run_cli("keys", "rotate", "--data-dir", str(data))
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "keyring: data key version 2 added; new writes use it"

    srv = server_factory.start(data, creds)
    api = srv.admin()
    b = create_account(api, srv, system["ManagedSystemID"], password=SENTINEL + "-B")
    r = api.get(srv.url(f"ManagedSystems/{system['ManagedSystemID']}/ManagedAccounts"), timeout=10)
    assert r.status_code == 200
    assert sorted(x["ManagedAccountID"] for x in r.json()) == sorted([a["ManagedAccountID"], b["ManagedAccountID"]])
    r = api.get(srv.url("ManagedAccounts"),
                params={"systemName": system["SystemName"], "accountName": a["AccountName"]}, timeout=10)
    assert r.status_code == 200 and r.json()["AccountId"] == a["ManagedAccountID"]
    assert api.get(srv.url(f"ManagedAccounts/{a['ManagedAccountID']}"), timeout=10).status_code == 200
    # Both the value sealed under key v1 and the one sealed under v2 still decrypt.
    for account, expected in ((a, SENTINEL + "-A"), (b, SENTINEL + "-B")):
        req = api.post(srv.url("Requests"), timeout=10,
                       json={"SystemID": system["ManagedSystemID"], "AccountID": account["ManagedAccountID"],
                             "DurationMinutes": 5, "Reason": "rotation check"})
        assert req.status_code == 201, req.text
        cred = api.get(srv.url(f"Credentials/{req.json()}"), timeout=10)
        assert cred.status_code == 200 and cred.json() == expected
    api.close()
    assert srv.stop() == 0

    res = run_cli("keys", "rotate", "--data-dir", str(data))
    assert res.returncode == 0, res.stderr
    assert "version 3" in res.stdout

    needles = {**encodings("A", SENTINEL + "-A"), **encodings("B", SENTINEL + "-B")}
    assert files_containing(data, needles) == []

    # Still starts after the second rotation, old credentials work.
    srv = server_factory.start(data, creds)
    assert srv.signed_in().get(srv.url(f"ManagedAccounts/{b['ManagedAccountID']}"), timeout=10).status_code == 200


def test_rotate_on_uninitialised_dir_fails(tmp_path):
    res = run_cli("keys", "rotate", "--data-dir", str(tmp_path / "nothing"))
    assert res.returncode != 0
    assert res.stdout.strip() == ""


# --- The session-wide secret hygiene sweep (hygiene.py, conftest.secret_hygiene) ------------

def test_hygiene_sweep_finds_a_secret_written_in_clear(tmp_path):
    ledger = hygiene.SecretLedger()
    data = tmp_path / "data"
    data.mkdir()
    assert hygiene.sweep(ledger) is None  # no server, nothing to say
    leaked = hygiene.sentinel_secret("-leak")
    ledger.record_json(data, {"AccountName": "public-name-1", "Password": leaked}, request=True)
    ledger.add_secret(data, "never-written-7f3a")
    assert hygiene.sweep(ledger) is None  # recorded, written nowhere
    # Secrets that share a prefix are each searched for.
    twin = hygiene.sentinel_secret("-leak")
    ledger.add_secret(data, twin)
    assert {leaked.encode(), twin.encode()} <= set(ledger.needles(data).values())

    (data / "psafe.db").write_bytes(b"\x00page" + json.dumps({"p": leaked}).encode() + b"\x00")
    (tmp_path / "data.psafed.stderr").write_text("public-name-1\n")
    hits = hygiene.scan(data, ledger.needles(data))
    assert {Path(f).name for f, _ in hits} == {"psafe.db"}, hits
    # Found JSON-escaped (the value holds a quote), and through the sentinel alone.
    labels = {label for _, label in hits}
    assert "the sentinel" in labels and any("JSON-escaped" in l for l in labels), labels
    # A name is public, and so is not searched for.
    assert b"public-name-1" not in ledger.needles(data).values()
    # The log beside the data dir is searched as well, and the sweep fails the run.
    (tmp_path / "data.psafed.stderr").write_text("never-written-7f3a\n")
    failure = hygiene.sweep(ledger)
    assert failure and "data.psafed.stderr" in failure and "psafe.db" in failure, failure


def test_hygiene_records_what_the_suite_sends(api, server):
    wg = create_workgroup(api, server)
    system = create_system(api, server, wg["ID"])
    password = hygiene.sentinel_secret("-probe")
    create_account(api, server, system["ManagedSystemID"], password=password)
    needles = hygiene.LEDGER.needles(server.data_dir).values()
    assert password.encode() in needles
    assert server.creds.api_key.encode() in needles  # what init printed
