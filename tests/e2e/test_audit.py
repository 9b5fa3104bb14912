"""The audit trail (docs/REQUESTS.md "Audit"): every sign-in, request, approval, denial,
cancellation, release, check-in, rotation and administrative change leaves a record; no
record holds a secret; `psafed audit verify` detects a rewritten or deleted row."""

from __future__ import annotations

import json
import re
import time

import store_backend
import support
from support import (ROLE_APPROVER, ROLE_AUDITOR, audit_records, bare_int, checkin, create_system,
                     create_workgroup, grant_account, new_role_user, retrieve_password)

RECORD_FIELDS = {"AuditID", "Timestamp", "UserID", "UserName", "Action", "ObjectType", "ObjectID", "Details"}


def secret_forms(value: str) -> set[str]:
    """A secret as it could appear in a JSON response: raw, and JSON-escaped."""
    return {value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}


def verify(data_dir):
    res = support.run_cli("audit", "verify", "--data-dir", str(data_dir))
    return res.returncode, res.stdout + res.stderr


db_rows = store_backend.query
db_exec = store_backend.execute


def test_audit_trail_records_actions_without_secrets_and_verifies(server_factory):
    srv = server_factory.start()
    creds = srv.creds
    api = srv.admin()
    secrets = [creds.password, creds.api_key, creds.client_secret]

    wg = create_workgroup(api, srv)
    sid = create_system(api, srv, wg["ID"])["ManagedSystemID"]
    g = grant_account(api, srv, sid, required_approvals=1, password="Audit/Secret\"Pw-1")
    secrets.append(g.password)
    _, approver = g.add_user(api, (ROLE_APPROVER,))

    # sign-ins, one failed
    bad = srv.session().post(srv.url("Auth/SignAppIn"), timeout=10,
                             headers={"Authorization": f"PS-Auth key={creds.api_key}; runas=admin; pwd=[WrongPw-77];"})
    assert bad.status_code == 401
    srv.signed_in().close()

    # request -> approve -> release -> check-in with rotation
    rid1 = bare_int(g.request(RotateOnCheckin=True, reason="audit-one"))
    assert approver.put(srv.url(f"Requests/{rid1}/Approve"), json={"Reason": "fine"}, timeout=10).status_code == 204
    assert retrieve_password(g.s, srv, rid1) == g.password
    checkin(g.s, srv, rid1, {"Reason": "finished"})

    # request -> approve -> release -> cancel (the rotation was skipped: the account is not
    # auto-managed, so its password stays)
    rid2 = bare_int(g.request())
    assert approver.put(srv.url(f"Requests/{rid2}/Approve"), json={}, timeout=10).status_code == 204
    assert retrieve_password(g.s, srv, rid2) == g.password
    assert g.s.delete(srv.base + f"/requests/{rid2}", timeout=10).status_code == 200

    # request -> deny
    rid3 = bare_int(g.request())
    assert approver.put(srv.url(f"Requests/{rid3}/Deny"), json={"Reason": "no"}, timeout=10).status_code == 204

    # ForceReset with a known value
    forced = "Forced/Reset-Value-9"
    secrets.append(forced)
    r = api.put(srv.url(f"ManagedAccounts/{g.account_id}/Credentials"), json={"Password": forced}, timeout=10)
    assert r.status_code == 204, r.text

    records, text = audit_records(api, srv)
    assert records, "no audit records"
    for rec in records:
        assert set(rec) >= RECORD_FIELDS, rec
    actions = {rec["Action"] for rec in records}
    expected = {"signin", "signin.failed", "request.create", "request.approve", "request.deny",
                "request.cancel", "credential.release", "request.checkin", "credential.rotate.skipped",
                "workgroup.create", "user.create"}
    assert expected <= actions, f"missing actions: {sorted(expected - actions)}"
    ids = [rec["AuditID"] for rec in records]
    assert len(set(ids)) == len(ids)

    def one(action, object_id):
        hits = [rec for rec in records if rec["Action"] == action and str(rec["ObjectID"]) == str(object_id)]
        assert len(hits) == 1, (action, object_id, [r for r in records if r["Action"] == action])
        return hits[0]

    created = one("request.create", rid1)
    assert created["UserName"] == g.user["UserName"] and created["UserID"] == g.user["UserID"]
    assert one("request.approve", rid1)["UserName"] != g.user["UserName"]
    assert one("request.deny", rid3)
    assert one("request.cancel", rid2)["UserName"] == g.user["UserName"]
    assert one("request.checkin", rid1)
    assert len([rec for rec in records if rec["Action"] == "credential.release"]) >= 2

    for secret in secrets:
        for form in secret_forms(secret):
            assert form not in text, f"a secret value appears in GET Audit: {secret!r}"

    # filters
    r = api.get(srv.url("Audit"), params={"userId": g.user["UserID"]}, timeout=10)
    assert r.status_code == 200, r.text
    data = r.json()["Data"]
    assert data and all(rec["UserID"] == g.user["UserID"] for rec in data), data
    assert r.json()["TotalCount"] == len([rec for rec in records if rec["UserID"] == g.user["UserID"]])
    r = api.get(srv.url("Audit"), params={"limit": 2, "offset": 0}, timeout=10)
    assert len(r.json()["Data"]) == 2 and r.json()["TotalCount"] >= len(records)

    # who may read it
    assert g.s.get(srv.url("Audit"), timeout=10).status_code == 403
    assert approver.get(srv.url("Audit"), timeout=10).status_code == 403
    _, auditor = new_role_user(api, srv, (ROLE_AUDITOR,), g.rule_id)
    r = auditor.get(srv.url("Audit"), timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)

    # verify: while running, then stopped
    rc, out = verify(srv.data_dir)
    assert rc == 0 and "OK" in out, (rc, out)
    api.close()
    assert srv.stop() == 0
    count = db_rows(srv.data_dir, "SELECT COUNT(*) FROM audit_log")[0][0]
    assert count >= len(records)
    rc, out = verify(srv.data_dir)
    assert rc == 0, (rc, out)
    assert "OK" in out and re.search(rf"\b{count}\b", out), f"expected OK and {count} records: {out!r}"

    # No secret at rest in the audit table either.
    raw = "\n".join(repr(row) for row in db_rows(srv.data_dir, "SELECT * FROM audit_log"))
    for secret in secrets:
        for form in secret_forms(secret):
            assert form not in raw, f"a secret value is stored in audit_log: {secret!r}"

    # Rewrite one row in the middle: verify fails and names it.
    target, detail = db_rows(srv.data_dir,
                             "SELECT id, detail FROM audit_log WHERE action = 'request.create' ORDER BY id LIMIT 1")[0]
    db_exec(srv.data_dir, "UPDATE audit_log SET detail = ? WHERE id = ?", (detail + " tampered", target))
    rc, out = verify(srv.data_dir)
    assert rc == 1, (rc, out)
    assert "OK" not in out, out
    assert re.search(rf"\b{target}\b", out), f"verify does not name record {target}: {out!r}"

    # Put it back: intact again.
    db_exec(srv.data_dir, "UPDATE audit_log SET detail = ? WHERE id = ?", (detail, target))
    rc, out = verify(srv.data_dir)
    assert rc == 0, ("restored row", rc, out)

    # Delete a row from the middle: broken.
    db_exec(srv.data_dir, "DELETE FROM audit_log WHERE id = ?", (target,))
    rc, out = verify(srv.data_dir)
    assert rc == 1, ("deleted row", rc, out)


def test_audit_rewrite_of_action_is_detected(server_factory):
    srv = server_factory.start()
    api = srv.admin()
    create_workgroup(api, srv)
    create_workgroup(api, srv)
    api.close()
    assert srv.stop() == 0
    assert verify(srv.data_dir)[0] == 0
    rows = db_rows(srv.data_dir, "SELECT id FROM audit_log WHERE action = 'workgroup.create' ORDER BY id")
    assert len(rows) == 2, rows
    first = rows[0][0]
    db_exec(srv.data_dir, "UPDATE audit_log SET action = 'workgroup.delete' WHERE id = ?", (first,))
    rc, out = verify(srv.data_dir)
    assert rc == 1 and re.search(rf"\b{first}\b", out), (rc, out)


def test_audit_filters_by_user_account_and_time(server_factory, tmp_path):
    offset = tmp_path / "clock-offset"
    srv = server_factory.start(env={"PSAFE_CLOCK_OFFSET_FILE": str(offset)})
    api = srv.admin()
    wg = create_workgroup(api, srv)
    sid = create_system(api, srv, wg["ID"])["ManagedSystemID"]
    a, b = grant_account(api, srv, sid), grant_account(api, srv, sid)
    rid_a = bare_int(a.request())
    offset.write_text("7200")  # two hours later
    rid_b = bare_int(b.request())

    def audit(**params):
        r = api.get(srv.url("Audit"), params={"limit": 1000, **params}, timeout=10)
        assert r.status_code == 200, (params, r.text)
        return r.json()["Data"]

    by_a = audit(accountId=a.account_id)
    assert by_a and {x["ManagedAccountID"] for x in by_a} == {a.account_id}, by_a
    assert any(x["Action"] == "request.create" and str(x["ObjectID"]) == str(rid_a) for x in by_a)
    assert not any(str(x["ObjectID"]) == str(rid_b) and x["Action"] == "request.create" for x in by_a)
    by_user = audit(userId=b.user["UserID"])
    assert by_user and {x["UserName"] for x in by_user} == {b.user["UserName"]}, by_user
    # from/to are Unix seconds; the clock moved two hours between the two requests.
    now = int(time.time())

    def created(records):
        return {int(x["ObjectID"]) for x in records if x["Action"] == "request.create"}

    assert created(audit(to=now + 3600)) & {rid_a, rid_b} == {rid_a}
    assert created(audit(**{"from": now + 3600})) & {rid_a, rid_b} == {rid_b}
    r = api.get(srv.url("Audit"), params={"from": "yesterday"}, timeout=10)
    assert r.status_code == 400, r.text
    api.close()


USER_AUDIT_FIELDS = {"AuditID", "ActionType", "Section", "UserID", "UserName", "IPAddress", "CreateDate"}


def test_user_audits_page_the_way_elastic_does_with_addresses(server_factory, tmp_path):
    """GET UserAudits as Elastic's integration calls it (a cookie session, limit, startdate,
    enddate moved to the last CreateDate): every record of the window, newest first, each
    with the caller's address."""
    offset = tmp_path / "clock-offset"
    srv = server_factory.start(env={"PSAFE_CLOCK_OFFSET_FILE": str(offset)})
    api = srv.admin()
    wg = create_workgroup(api, srv)
    g = grant_account(api, srv, create_system(api, srv, wg["ID"])["ManagedSystemID"])
    offset.write_text("-7200")  # two hours ago: outside the window below
    old = bare_int(g.request())
    offset.write_text("0")
    rid = bare_int(g.request())
    retrieve_password(g.s, srv, rid)
    start = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3600))

    pages, params = [], {"limit": "1000", "startdate": start, "enddate": ""}
    while True:
        r = api.get(srv.url("UserAudits"), params=params, timeout=10)
        assert r.status_code == 200, r.text
        body = r.json()
        assert set(body) == {"TotalCount", "Data"} and isinstance(body["Data"], list), body
        pages.append(body["Data"])
        if not body["Data"] or body["Data"][-1]["CreateDate"] == params["enddate"]:
            break
        params["enddate"] = body["Data"][-1]["CreateDate"]
        assert len(pages) < 10, "Elastic's cursor does not converge"
    seen = {x["AuditID"]: x for page in pages for x in page}
    window = [x for x in api.get(srv.url("Audit"), params={"limit": 1000}, timeout=10).json()["Data"]
              if x["Timestamp"] >= start]
    assert set(seen) == {x["AuditID"] for x in window}
    first = pages[0]
    assert [x["AuditID"] for x in first] == sorted((x["AuditID"] for x in first), reverse=True)  # newest first
    for x in seen.values():
        assert set(x) >= USER_AUDIT_FIELDS, x
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", x["CreateDate"]), x
    release = next(x for x in seen.values() if x["Action"] == "credential.release" and x["ObjectID"] == str(rid))
    assert (release["ActionType"], release["Section"], release["UserName"], release["IPAddress"]) == (
        "Retrieve", "Request", g.user["UserName"], "127.0.0.1")
    creates = [x for x in seen.values() if x["Action"] == "request.create"]
    assert [x["ObjectID"] for x in creates] == [str(rid)] and creates[0]["ActionType"] == "Add"
    assert str(old) not in {x["ObjectID"] for x in seen.values() if x["Action"] == "request.create"}

    # Fractions and offsets as RFC 3339 allows; a bad date is a 400 naming the parameter.
    later = time.strftime("%Y-%m-%dT%H:%M:%S.25+01:00", time.gmtime(time.time() + 3600 + 600))
    assert api.get(srv.url("UserAudits"), params={"startdate": later}, timeout=10).json()["Data"] == []
    for name in ("startdate", "enddate"):
        r = api.get(srv.url("UserAudits"), params={name: "yesterday"}, timeout=10)
        assert r.status_code == 400 and name in r.text, r.text
    # The audit trail's readers only: administrators and the Auditor role.
    assert g.s.get(srv.url("UserAudits"), timeout=10).status_code == 403
    rule = support.create_smart_rule(api, srv)["SmartRuleID"]
    _, auditor = new_role_user(api, srv, [ROLE_AUDITOR], rule)
    assert auditor.get(srv.url("UserAudits"), params={"limit": 1}, timeout=10).status_code == 200
    api.close()
    assert srv.stop() == 0
    assert verify(srv.data_dir)[0] == 0  # records with addresses verify in the chain
