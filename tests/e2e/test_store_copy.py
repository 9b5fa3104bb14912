"""`psafed store copy --from sqlite:DIR --to postgresql://...` moves an installation: every
row, ciphertexts and the audit chain as they were, into an empty database, which a node then
serves with the same credentials, secrets and history. It refuses a database that holds
anything, and a URL carrying the password on the command line.

Runs on the PostgreSQL pass (PSAFE_E2E_STORE=postgresql); deselected, never skipped, on SQLite.
"""
from __future__ import annotations

import shutil
import sqlite3

import pytest

import store_backend
import support
from support import (create_account, create_credential_secret, create_folder, create_safe, create_system,
                     create_workgroup, get_secret, grant_account, bare_int, retrieve_password, run_cli)

pytestmark = pytest.mark.postgresql_store

SQLITE = {"PSAFE_STORE_URL": ""}  # this data dir keeps the embedded SQLite store, on any pass


def sqlite_rows(data_dir, sql):
    con = sqlite3.connect(str(data_dir / "psafe.db"))
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def copy(source, target_dir, *, url=None, env=None):
    db = store_backend.ACTIVE
    url = url or db.env_for(target_dir)["PSAFE_STORE_URL"]
    return run_cli("store", "copy", "--from", f"sqlite:{source}", "--to", url,
                   env={**db.env_for(target_dir), **(env or {})})


def test_an_installation_moves_to_postgresql_with_every_row_and_keeps_working(server_factory, tmp_path):
    source, creds = server_factory.new_data_dir(env=SQLITE)
    srv = server_factory.start(source, creds, env=SQLITE)
    api = srv.admin()
    sid = create_system(api, srv, create_workgroup(api, srv)["ID"])["ManagedSystemID"]
    g = grant_account(api, srv, sid, password="Moved-" + support.unique("pw"))
    rid = bare_int(g.request())
    assert retrieve_password(g.s, srv, rid) == g.password
    safe = create_safe(api, srv)
    sub = create_folder(api, srv, safe["Id"])  # a folder below another: copied after its parent
    secret_pw = "MovedSecret-" + support.unique("s")
    secret = create_credential_secret(api, srv, sub["Id"], password=secret_pw)
    # The newest system is deleted: its id must never name another one after the move.
    gone = create_system(api, srv, create_workgroup(api, srv)["ID"])["ManagedSystemID"]
    assert api.delete(srv.url(f"ManagedSystems/{gone}"), timeout=10).status_code in (200, 204)
    records_before, _ = support.audit_records(api, srv)
    api.close()
    assert srv.stop() == 0

    # The node's own files come along; the store is the database from now on.
    node = tmp_path / "moved"
    shutil.copytree(source, node, ignore=shutil.ignore_patterns("psafe.db*"))
    res = copy(source, node)
    assert res.returncode == 0, res.stderr
    assert "rows in" in res.stdout and "copied to" in res.stdout, res.stdout
    assert store_backend.ACTIVE.store_password not in res.stdout + res.stderr

    # Every row, byte for byte: ciphertexts and MACs were copied, never re-sealed.
    for table, cols in (("managed_accounts", "id, password_ct"), ("secrets", "id, value_ct"),
                        ("audit_log", "*"), ("users", "id, user_name, password_hash"), ("keyring", "*")):
        order = " ORDER BY 1"
        assert store_backend.query(node, f"SELECT {cols} FROM {table}{order}") == \
            sqlite_rows(source, f"SELECT {cols} FROM {table}{order}"), table

    moved = server_factory.start(node, creds)
    api = moved.admin()
    assert get_secret(api, moved, secret["Id"])["Password"] == secret_pw
    assert retrieve_password(g.s, moved, rid) == g.password  # the request approved before the move
    records_after, _ = support.audit_records(api, moved)
    assert len(records_after) > len(records_before)  # all of them, and what happened since
    verify = run_cli("audit", "verify", "--data-dir", str(node))
    assert verify.returncode == 0 and "OK" in verify.stdout, (verify.stdout, verify.stderr)
    # New rows get new ids after every id the source handed out, a deleted row's included.
    wg = create_workgroup(api, moved)
    old_ids = [row[0] for row in sqlite_rows(source, "SELECT id FROM workgroups")]
    assert wg["ID"] > max(old_ids), (wg, old_ids)
    system = create_system(api, moved, wg["ID"])["ManagedSystemID"]
    assert system > gone, (system, gone)
    create_account(api, moved, sid)


def test_a_database_holding_anything_is_refused_and_left_as_it_was(server_factory, tmp_path):
    source, _ = server_factory.new_data_dir(env=SQLITE)
    node = tmp_path / "target"
    node.mkdir()
    assert copy(source, node).returncode == 0
    counted = "SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM audit_log) AS audit"
    counts = store_backend.query(node, counted)
    assert len(counts[0]) == 2 and all(n > 0 for n in counts[0]), counts
    again = copy(source, node)
    assert again.returncode != 0 and "not empty" in again.stderr, (again.stdout, again.stderr)
    assert store_backend.query(node, counted) == counts
    # An initialised PostgreSQL installation is just as refused.
    other, _ = server_factory.new_data_dir()
    refused = copy(source, other)
    assert refused.returncode != 0 and "not empty" in refused.stderr, refused.stderr
    # So is someone else's database, and psafe's schema is not added to it.
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    db = store_backend.ACTIVE
    db.admin_sql(f'CREATE TABLE theirs (x int); ALTER TABLE theirs OWNER TO "{db.ROLE}";\n',
                 dbname=db.database_for(foreign))
    refused = copy(source, foreign)
    assert refused.returncode != 0 and "not empty" in refused.stderr and "theirs" in refused.stderr, refused.stderr
    tables = store_backend.query(foreign, "SELECT table_name FROM information_schema.tables "
                                          "WHERE table_schema = 'public'")
    assert tables == [("theirs",)], tables


def test_bad_arguments_are_refused_before_anything_is_written(server_factory, tmp_path):
    source, _ = server_factory.new_data_dir(env=SQLITE)
    node = tmp_path / "target"
    node.mkdir()
    db = store_backend.ACTIVE
    url = db.env_for(node)["PSAFE_STORE_URL"]
    with_password = url.replace(f"{db.ROLE}@", f"{db.ROLE}:{db.store_password}@")
    cases = {
        "password in the URL": (["--from", f"sqlite:{source}", "--to", with_password], "must not hold the password"),
        "not sqlite": (["--from", str(source), "--to", url], "sqlite:"),
        "not postgresql": (["--from", f"sqlite:{source}", "--to", "mysql://x/y"], "postgresql://"),
        "no such data dir": (["--from", f"sqlite:{tmp_path / 'none'}", "--to", url], "does not exist"),
        "uninitialised data dir": (["--from", f"sqlite:{node}", "--to", url], "does not exist"),
        "password in the query": (["--from", f"sqlite:{source}", "--to", f"{url}&password={db.store_password}"],
                                  "must not hold the password"),
    }
    for what, (args, message) in cases.items():
        res = run_cli("store", "copy", *args, env=db.env_for(node))
        assert res.returncode != 0 and message in res.stderr, (what, res.stderr)
        assert db.store_password not in res.stderr, what
    bad_password = support.unique("Wr0ng")
    wrong = run_cli("store", "copy", "--from", f"sqlite:{source}", "--to", url,
                    env={**db.env_for(node), "PSAFE_STORE_PASSWORD": bad_password})
    assert wrong.returncode != 0 and "password authentication failed" in wrong.stderr, wrong.stderr
    assert bad_password not in wrong.stderr
    # A source at another schema version is refused, and left as it was (never upgraded here).
    older = tmp_path / "older"
    shutil.copytree(source, older)
    con = sqlite3.connect(str(older / "psafe.db"))
    con.execute("PRAGMA user_version = 7")
    con.commit()
    con.close()
    res = run_cli("store", "copy", "--from", f"sqlite:{older}", "--to", url, env=db.env_for(node))
    assert res.returncode != 0 and "psafed migrate" in res.stderr, res.stderr
    assert sqlite_rows(older, "PRAGMA user_version") == [(7,)]
    assert copy(source, node).returncode == 0  # nothing was half-written: the database is still empty
