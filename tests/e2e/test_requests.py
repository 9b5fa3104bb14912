"""Access requests and credential release (docs/REQUESTS.md): the GoLib flow byte for byte,
approval, conflicts, concurrency, rotation on check-in, expiry, ForceReset, the document
dialect (/requests...) and input validation."""

from __future__ import annotations

import threading
import json
import time

import pytest

import support
from support import (ROLE_APPROVER, ROLE_REQUESTOR, bare_int, bare_json_string, checkin,
                     create_access_policy, create_account, create_smart_rule, create_system,
                     create_workgroup, grant_account, init_data_dir_args, list_requests, retrieve_password,
                     unique, audit_records)

JSON_CT = {"Content-Type": "application/json"}
OPEN = ("Pending", "Approved")


@pytest.fixture(scope="module")
def system(server) -> dict:
    api = server.admin()
    wg = create_workgroup(api, server)
    s = create_system(api, server, wg["ID"])
    api.close()
    return s


@pytest.fixture
def sys_id(system) -> int:
    return system["ManagedSystemID"]


def find(reqs: list, rid: int) -> dict:
    hits = [r for r in reqs if r["RequestID"] == rid]
    assert len(hits) == 1, f"request {rid} appears {len(hits)} times in {reqs}"
    return hits[0]


def status_of(s, srv, rid: int) -> str:
    return find(list_requests(s, srv, status="all"), rid)["Status"]


# --- 1. The GoLib flow, byte for byte, on a --demo server --------------------------------

def test_golib_flow_on_demo_server(server_factory):
    data = server_factory.tmp_path / "demo-data"
    creds = init_data_dir_args(data, "--demo")
    srv = server_factory.start(data, creds)

    s = srv.session()
    r = s.post(srv.url("Auth/SignAppIn"), data=b"", timeout=10,
               headers={**JSON_CT, "Authorization": f"PS-Auth key={creds.api_key};runas=admin;"})
    assert r.status_code == 200, r.text
    assert s.cookies.get("ASP.NET_SessionId")
    assert "Authorization" not in s.headers  # from here on: the cookie only

    r = s.get(srv.url("ManagedAccounts?accountName=demo-root&systemName=demo-linux"), timeout=10)
    assert r.status_code == 200, r.text
    acct = r.json()
    assert isinstance(acct, dict), f"expected one object, got {acct!r}"
    assert acct["AccountName"] == "demo-root" and acct["SystemName"] == "demo-linux"
    assert type(acct["SystemId"]) is int and type(acct["AccountId"]) is int

    body = (f'{{"SystemID":{acct["SystemId"]}, "AccountID":{acct["AccountId"]}, "DurationMinutes":5, '
            f'"Reason":"Tesr", "ConflictOption": "reuse"}}')
    r = s.post(srv.url("Requests"), data=body.encode(), headers=JSON_CT, timeout=10)
    assert r.status_code == 201, (r.status_code, r.text)
    rid = bare_int(r)
    raw_id = r.text  # GoLib pastes the raw body into the next URLs

    r = s.get(srv.url(f"Credentials/{raw_id}"), timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    password = bare_json_string(r)
    assert password, "the demo account's password is empty"

    r = s.put(srv.url(f"Requests/{raw_id}/checkin"), data=b"{}", headers=JSON_CT, timeout=10)
    assert r.status_code == 204, (r.status_code, r.text)
    assert r.content == b""

    r = s.post(srv.url("Auth/Signout"), data=b"", headers=JSON_CT, timeout=10)
    assert r.status_code == 200, r.text
    assert r.content == b""

    admin = srv.admin()
    r = admin.get(srv.url(f"Credentials/{rid}"), timeout=10)
    assert r.status_code == 403, ("credentials after check-in", r.status_code, r.text)
    assert status_of(admin, srv, rid) == "Released"

    # The next run of the same client gets a new request (a released one is not reused),
    # and the same password: nothing asked for rotation.
    r = admin.post(srv.url("Requests"), data=body.encode(), headers=JSON_CT, timeout=10)
    assert r.status_code == 201, (r.status_code, r.text)
    rid2 = bare_int(r)
    assert rid2 != rid
    assert retrieve_password(admin, srv, rid2) == password
    checkin(admin, srv, rid2)


# --- 3. Approval by another user -------------------------------------------------------------

def test_request_needs_approval_then_releases_the_password(api, server, sys_id):
    g = grant_account(api, server, sys_id, role_ids=(ROLE_REQUESTOR,), required_approvals=1)
    approver, a = g.add_user(api, (ROLE_APPROVER,))
    assert approver["UserName"] != g.user["UserName"]

    r = g.request(duration=10, reason="needs approval")
    assert r.status_code == 201, (r.status_code, r.text)
    rid = bare_int(r)

    r = g.s.get(server.url(f"Credentials/{rid}"), timeout=10)
    assert r.status_code == 403, (r.status_code, r.text)
    assert r.content == b"4034"

    mine = list_requests(g.s, server, status="all")
    assert find(mine, rid)["Status"] == "Pending"
    queue = list_requests(a, server, queue="app")
    assert find(queue, rid)["Status"] == "Pending"
    assert find(queue, rid)["AccountID"] == g.account_id
    assert not [q for q in list_requests(g.s, server, queue="app") if q["RequestID"] == rid], \
        "a requestor-only user sees the request in the approval queue"

    r = a.put(server.url(f"Requests/{rid}/Approve"), json={"Reason": "ok"}, timeout=10)
    assert r.status_code == 204, (r.status_code, r.text)
    assert r.content == b""
    assert not [q for q in list_requests(a, server, queue="app") if q["RequestID"] == rid], \
        "an approved request is still in the approval queue"

    assert retrieve_password(g.s, server, rid) == g.password
    assert status_of(g.s, server, rid) == "Approved"
    checkin(g.s, server, rid, {"Reason": "done"})
    r = g.s.get(server.url(f"Credentials/{rid}"), timeout=10)
    assert r.status_code == 403, (r.status_code, r.text)
    assert status_of(g.s, server, rid) == "Released"


def test_two_approvals_needed(api, server, sys_id):
    g = grant_account(api, server, sys_id, required_approvals=2)
    _, a1 = g.add_user(api, (ROLE_APPROVER,))
    _, a2 = g.add_user(api, (ROLE_APPROVER,))
    rid = bare_int(g.request())
    assert a1.put(server.url(f"Requests/{rid}/Approve"), json={}, timeout=10).status_code == 204
    r = g.s.get(server.url(f"Credentials/{rid}"), timeout=10)
    assert (r.status_code, r.content) == (403, b"4034"), "released after one of two approvals"
    assert status_of(g.s, server, rid) == "Pending"
    r = a1.put(server.url(f"Requests/{rid}/Approve"), json={}, timeout=10)
    assert r.status_code in (403, 409), ("the same approver counted twice?", r.status_code, r.text)
    assert status_of(g.s, server, rid) == "Pending"
    assert a2.put(server.url(f"Requests/{rid}/Approve"), json={}, timeout=10).status_code == 204
    assert retrieve_password(g.s, server, rid) == g.password


# --- 5. Conflicts --------------------------------------------------------------------------

def test_conflict_options(api, server, sys_id):
    g = grant_account(api, server, sys_id)
    r = g.request()
    assert r.status_code == 201, r.text
    first = bare_int(r)

    r = g.request()
    assert r.status_code == 409, (r.status_code, r.text)

    r = g.request(ConflictOption="reuse")
    assert r.status_code == 200, (r.status_code, r.text)
    assert bare_int(r) == first

    r = g.request(ConflictOption="renew")
    assert r.status_code == 201, (r.status_code, r.text)
    second = bare_int(r)
    assert second != first
    reqs = list_requests(g.s, server, status="all")
    assert find(reqs, first)["Status"] == "Cancelled"
    assert find(reqs, second)["Status"] == "Approved"
    r = g.s.get(server.url(f"Credentials/{first}"), timeout=10)
    assert r.status_code == 403, ("the renewed (cancelled) request still releases", r.status_code)
    assert retrieve_password(g.s, server, second) == g.password


def test_conflict_with_a_pending_request(api, server, sys_id):
    g = grant_account(api, server, sys_id, required_approvals=1)
    g.add_user(api, (ROLE_APPROVER,))
    first = bare_int(g.request())
    assert g.request().status_code == 409
    r = g.request(ConflictOption="reuse")
    assert r.status_code == 200, (r.status_code, r.text)
    assert bare_int(r) == first


def test_different_users_do_not_conflict(api, server, sys_id):
    g = grant_account(api, server, sys_id, account_extra={"MaxConcurrentRequests": 2})
    _, other = g.add_user(api, (ROLE_REQUESTOR,))
    assert g.request().status_code == 201
    r = support.post_request(other, server, g.system_id, g.account_id)
    assert r.status_code == 201, (r.status_code, r.text)


def test_max_concurrent_requests_is_enforced_across_users(api, server, sys_id):
    """The product's default is one open request per account, whoever asks (409 after)."""
    g = grant_account(api, server, sys_id)
    _, other = g.add_user(api, (ROLE_REQUESTOR,))
    first = bare_int(g.request())
    r = support.post_request(other, server, g.system_id, g.account_id)
    assert r.status_code == 409 and "concurrent" in r.text, (r.status_code, r.text)
    assert g.s.put(server.url(f"Requests/{first}/Checkin"), json={}, timeout=10).status_code == 204
    assert support.post_request(other, server, g.system_id, g.account_id).status_code == 201


# --- 6. Concurrency -------------------------------------------------------------------------

def test_100_concurrent_identical_requests_create_exactly_one(api, server, sys_id):
    g = grant_account(api, server, sys_id)
    n = 100
    barrier = threading.Barrier(n, timeout=30)
    results: list = [None] * n

    def worker(i):
        s = support.user_session(server, g.user["UserName"])  # its own connection
        try:
            barrier.wait()
            r = support.post_request(s, server, g.system_id, g.account_id)
            results[i] = (r.status_code, r.content)
        except Exception as e:  # recorded, asserted below
            results[i] = ("error", repr(e))
        finally:
            s.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    codes = [res[0] for res in results]
    assert codes.count(201) == 1, f"201 x{codes.count(201)}; all: {sorted(set(map(str, codes)))}"
    assert codes.count(409) == n - 1, [res for res in results if res[0] != 409]
    created = int([res[1] for res in results if res[0] == 201][0])

    mine = [q for q in list_requests(g.s, server, status="all") if q["AccountID"] == g.account_id]
    assert [q["RequestID"] for q in mine] == [created], mine
    assert mine[0]["Status"] in OPEN


# --- 7. Rotation on check-in ---------------------------------------------------------------




def last_change(api, srv, account_id) -> str:
    r = api.get(srv.url(f"ManagedAccounts/{account_id}"), timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["LastChangeDate"]


def test_rotate_on_checkin_never_changes_only_psafes_copy(api, server, sys_id):
    """An account psafe does not change on its system (here: not auto-managed, and a
    system without a functional account) keeps its password through a rotating check-in:
    a new password only in psafe would no longer open the system. The trigger is audited
    as skipped, with why. Rotation on real targets: test_rotation.py."""
    g = grant_account(api, server, sys_id, policy_extra={"RotateOnCheckin": True})
    before = last_change(api, server, g.account_id)
    rid = bare_int(g.request())
    assert retrieve_password(g.s, server, rid) == g.password
    checkin(g.s, server, rid)
    rid2 = bare_int(g.request())
    assert retrieve_password(g.s, server, rid2) == g.password
    assert last_change(api, server, g.account_id) == before
    records, _ = audit_records(api, server)
    skipped = [json.loads(r["Details"]) for r in records
               if r["Action"] == "credential.rotate.skipped" and r["ManagedAccountID"] == g.account_id]
    assert skipped == [{"Trigger": "checkin", "Reason": "the account is not auto-managed"}], skipped

    # PUT Requests/{id}/RotateOnCheckin: on an approved request, not after its check-in.
    h = grant_account(api, server, sys_id)
    rid = bare_int(h.request())
    r = h.s.put(server.url(f"Requests/{rid}/RotateOnCheckin"), json={}, timeout=10)
    assert r.status_code == 204, (r.status_code, r.text)
    checkin(h.s, server, rid)
    r = h.s.put(server.url(f"Requests/{rid}/RotateOnCheckin"), json={}, timeout=10)
    assert r.status_code == 409, ("RotateOnCheckin on a released request", r.status_code, r.text)


# --- 8. Expiry ---------------------------------------------------------------------------------

def test_requests_expire_by_server_time(server_factory, tmp_path):
    offset = tmp_path / "clock-offset"  # absent: offset 0
    srv = server_factory.start(env={"PSAFE_CLOCK_OFFSET_FILE": str(offset)})
    api = srv.admin()
    wg = create_workgroup(api, srv)
    sid = create_system(api, srv, wg["ID"])["ManagedSystemID"]
    g = grant_account(api, srv, sid)
    p = grant_account(api, srv, sid, required_approvals=1)
    _, approver = p.add_user(api, (ROLE_APPROVER,))

    rid = bare_int(g.request(duration=5))
    pending = bare_int(p.request(duration=5))
    assert retrieve_password(g.s, srv, rid) == g.password
    found = find(list_requests(g.s, srv, status="all"), rid)
    assert found["Status"] == "Approved" and found["ExpiresDate"]

    offset.write_text("240")  # 4 minutes later: still valid
    assert retrieve_password(g.s, srv, rid) == g.password

    offset.write_text("360")  # 6 minutes later: past ExpiresDate
    r = g.s.get(srv.url(f"Credentials/{rid}"), timeout=10)
    assert r.status_code == 403, ("credentials after ExpiresDate", r.status_code, r.text)
    assert status_of(g.s, srv, rid) == "Expired"
    r = g.s.put(srv.url(f"Requests/{rid}/Checkin"), json={}, timeout=10)
    assert r.status_code == 409, ("check-in of an expired request", r.status_code, r.text)

    assert status_of(p.s, srv, pending) == "Expired", "a Pending request past ExpiresDate"
    r = approver.put(srv.url(f"Requests/{pending}/Approve"), json={}, timeout=10)
    assert r.status_code == 409, ("approving an expired request", r.status_code, r.text)
    r = p.s.get(srv.url(f"Credentials/{pending}"), timeout=10)
    assert r.status_code == 403

    # An expired request no longer conflicts.
    r = g.request(duration=5)
    assert r.status_code == 201, (r.status_code, r.text)
    assert retrieve_password(g.s, srv, bare_int(r)) == g.password


# --- 9. The document dialect ------------------------------------------------------------------

def doc(srv, path: str) -> str:
    return srv.base + path  # the document's exact lowercase spelling


def test_document_dialect_request_lifecycle(api, server, sys_id):
    g = grant_account(api, server, sys_id)
    body = {"SystemID": g.system_id, "AccountID": g.account_id, "DurationMinutes": 5,
            "Reason": "doc dialect", "AccessType": "View"}
    r = g.s.post(doc(server, "/requests"), json=body, timeout=10)
    assert r.status_code == 201, (r.status_code, r.text)
    created = r.json()
    assert isinstance(created, dict), created
    rid = created["RequestID"]
    assert type(rid) is int
    assert created["Status"] == "Approved"  # 0 approvals: auto-approved
    assert created["AccountID"] == g.account_id and created["SystemID"] == g.system_id
    assert created["AccountName"] == g.account_name
    assert created["RequestedDurationMinutes"] == 5
    assert created["AccessType"] == "View"
    assert created["Reason"] == "doc dialect"

    r = g.s.get(doc(server, "/requests"), timeout=10)
    assert r.status_code == 200
    assert find(r.json(), rid)["Status"] == "Approved"
    r = g.s.get(doc(server, f"/requests/{rid}"), timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["RequestID"] == rid

    r = g.s.get(doc(server, f"/requests/{rid}/credentials"), timeout=10)
    assert r.status_code == 200, r.text
    assert r.json() == {"Password": g.password, "PrivateKey": None}

    # Product and document calls see the same request.
    assert retrieve_password(g.s, server, rid) == g.password

    r = g.s.put(doc(server, f"/requests/{rid}"), json={"Action": "Cancel", "Reason": "done"}, timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    assert r.json()["RequestID"] == rid and r.json()["Status"] == "Cancelled"
    r = g.s.get(doc(server, f"/requests/{rid}/credentials"), timeout=10)
    assert r.status_code == 403, (r.status_code, r.text)
    assert isinstance(r.json(), dict) and r.json().get("ErrorCode"), r.text

    r = g.s.post(doc(server, "/requests"), json=body, timeout=10)
    assert r.status_code == 201, ("a cancelled request must not conflict", r.status_code, r.text)
    rid2 = r.json()["RequestID"]
    assert rid2 != rid
    r = g.s.delete(doc(server, f"/requests/{rid2}"), timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    assert g.s.get(doc(server, f"/requests/{rid2}"), timeout=10).json()["Status"] == "Cancelled"
    r = g.s.delete(doc(server, f"/requests/{rid2}"), timeout=10)
    assert r.status_code == 409, ("cancelling twice", r.status_code, r.text)
    assert g.s.delete(doc(server, "/requests/999999999"), timeout=10).status_code == 404
    assert g.s.get(doc(server, "/requests/999999999"), timeout=10).status_code == 404

    # Another user with no approval rights does not see it.
    _, other = g.add_user(api, (ROLE_REQUESTOR,))
    assert other.get(doc(server, f"/requests/{rid}"), timeout=10).status_code == 404
    assert other.get(doc(server, f"/requests/{rid}/credentials"), timeout=10).status_code in (403, 404)
    r = other.get(server.url(f"Credentials/{rid2}"), timeout=10)
    assert r.status_code == 404, ("Credentials of someone else's request", r.status_code, r.text)


def test_document_dialect_approve_and_deny(api, server, sys_id):
    g = grant_account(api, server, sys_id, required_approvals=1)
    _, a = g.add_user(api, (ROLE_APPROVER,))
    body = {"SystemID": g.system_id, "AccountID": g.account_id, "DurationMinutes": 5,
            "Reason": "doc", "AccessType": "View"}
    r = g.s.post(doc(server, "/requests"), json=body, timeout=10)
    assert r.status_code == 201, r.text
    assert r.json()["Status"] == "Pending"
    rid = r.json()["RequestID"]
    r = a.get(doc(server, f"/requests/{rid}"), timeout=10)
    assert r.status_code == 200, ("the approver may see the request", r.status_code, r.text)
    r = a.put(doc(server, f"/requests/{rid}"), json={"Action": "Approve", "Reason": "ok"}, timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    assert r.json()["Status"] == "Approved"
    assert g.s.get(doc(server, f"/requests/{rid}/credentials"), timeout=10).json()["Password"] == g.password
    checkin(g.s, server, rid)

    r = g.s.post(doc(server, "/requests"), json=body, timeout=10)
    rid2 = r.json()["RequestID"]
    r = a.put(doc(server, f"/requests/{rid2}"), json={"Action": "Deny", "Reason": "no"}, timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    assert r.json()["Status"] == "Denied"
    r = a.put(doc(server, f"/requests/{rid2}"), json={"Action": "Approve"}, timeout=10)
    assert r.status_code == 409, (r.status_code, r.text)


# --- 11. ForceReset --------------------------------------------------------------------------

def cycle(g, srv) -> str:
    """Request, read the password, check in."""
    rid = bare_int(g.request())
    pw = retrieve_password(g.s, srv, rid)
    checkin(g.s, srv, rid)
    return pw


def test_force_reset(api, server, sys_id):
    g = grant_account(api, server, sys_id)
    assert cycle(g, server) == g.password
    url = server.url(f"ManagedAccounts/{g.account_id}/Credentials")

    r = api.put(url, json={"Password": "New/Pass1", "UpdateSystem": False}, timeout=10)
    assert r.status_code == 204, (r.status_code, r.text)
    assert r.content == b""
    assert cycle(g, server) == "New/Pass1"

    r = api.put(url, json={}, timeout=10)
    assert r.status_code == 204, (r.status_code, r.text)
    generated = cycle(g, server)
    assert generated and generated != "New/Pass1"

    r = g.s.put(url, json={"Password": "Mine/123"}, timeout=10)
    assert r.status_code == 403, ("ForceReset by a non-administrator", r.status_code, r.text)
    assert cycle(g, server) == generated


# --- 13. Validation ------------------------------------------------------------------------------

@pytest.mark.parametrize("extra,field", [
    ({"DurationMinutes": 0}, "DurationMinutes"),
    ({"DurationMinutes": 525601}, "DurationMinutes"),
    ({"DurationMinutes": -5}, "DurationMinutes"),
    ({"TicketNumber": "T" * 21}, "TicketNumber"),
    ({"AccessType": "Telnet"}, "AccessType"),
    ({"ConflictOption": "replace"}, "ConflictOption"),
], ids=["duration-0", "duration-525601", "duration-negative", "ticket-21", "accesstype", "conflictoption"])
def test_bad_request_fields_are_400_and_named(api, server, sys_id, extra, field):
    g = grant_account(api, server, sys_id)
    body = {"SystemID": g.system_id, "AccountID": g.account_id, "DurationMinutes": 5, "Reason": "v", **extra}
    r = g.s.post(server.url("Requests"), json=body, timeout=10)
    assert r.status_code == 400, (body, r.status_code, r.text)
    assert field.lower() in r.text.lower(), f"the 400 does not name {field}: {r.text!r}"
    assert list_requests(g.s, server, status="all") == [], "a refused request was stored"


def test_boundary_values_are_accepted(api, server, sys_id):
    g = grant_account(api, server, sys_id)
    r = g.request(duration=1, TicketNumber="T" * 20, AccessType="View")
    assert r.status_code == 201, (r.status_code, r.text)
    checkin(g.s, server, bare_int(r))
    # The built-in default policy (no policy on the assignment) allows 525600 minutes.
    d = grant_account(api, server, sys_id, required_approvals=None)
    d.add_user(api, (ROLE_APPROVER,))
    r = d.request(duration=525600)
    assert r.status_code == 201, (r.status_code, r.text)
    assert find(list_requests(d.s, server, status="all"), bare_int(r))["Status"] == "Pending"


def test_access_type_outside_the_policy_is_refused(api, server, sys_id):
    g = grant_account(api, server, sys_id, policy_extra={"AccessTypes": ["View"]})
    r = g.request(AccessType="RDP")
    assert r.status_code in (400, 403), (r.status_code, r.text)
    assert g.request(AccessType="View").status_code == 201


def test_checkin_reason_limit(api, server, sys_id):
    g = grant_account(api, server, sys_id)
    rid = bare_int(g.request())
    r = g.s.put(server.url(f"Requests/{rid}/Checkin"), json={"Reason": "r" * 1001}, timeout=10)
    assert r.status_code == 400, (r.status_code, r.text)
    assert retrieve_password(g.s, server, rid) == g.password, "a refused check-in changed the request"
    checkin(g.s, server, rid, {"Reason": "r" * 1000})


def test_checkin_rules(api, server, sys_id):
    g = grant_account(api, server, sys_id)
    _, other = g.add_user(api, (ROLE_REQUESTOR,))
    rid = bare_int(g.request())
    r = other.put(server.url(f"Requests/{rid}/Checkin"), json={}, timeout=10)
    assert r.status_code == 404, ("someone else's check-in is answered as absent", r.status_code, r.text)
    checkin(g.s, server, rid)
    r = g.s.put(server.url(f"Requests/{rid}/Checkin"), json={}, timeout=10)
    assert r.status_code == 409, ("second check-in", r.status_code, r.text)


def test_duration_above_policy_maximum_is_not_granted(api, server, sys_id):
    """REQUESTS.md does not say whether a duration above the policy's maximum is refused
    (400) or cut down; either is fine, granting it is not."""
    g = grant_account(api, server, sys_id, max_minutes=60)
    r = g.request(duration=61)
    if r.status_code == 400:
        assert "durationminutes" in r.text.lower(), r.text
        assert g.request(duration=60).status_code == 201
    else:
        assert r.status_code == 201, (r.status_code, r.text)
        got = find(list_requests(g.s, server, status="all"), bare_int(r))
        doc_view = g.s.get(server.base + f"/requests/{got['RequestID']}", timeout=10).json()
        assert doc_view["RequestedDurationMinutes"] <= 60, doc_view


# --- Lists, durations and dates ----------------------------------------------------------------

def test_request_list_filters(api, server, sys_id):
    g = grant_account(api, server, sys_id, required_approvals=1)
    _, approver = g.add_user(api, (ROLE_APPROVER,))
    pending = bare_int(g.request())
    # Two more accounts for the same user, auto-approved: one stays approved, one is released.
    h_acct = create_account(api, server, sys_id)
    rule = create_smart_rule(api, server, AccountIDs=[h_acct["ManagedAccountID"]])
    auto = create_access_policy(api, server, required_approvals=0)
    group = support.create_user_group(api, server)
    support.add_user_to_group(api, server, group["GroupID"], g.user["UserID"])
    support.assign_roles(api, server, group["GroupID"], rule["SmartRuleID"], (ROLE_REQUESTOR,), auto["AccessPolicyID"])
    approved = bare_int(support.post_request(g.s, server, sys_id, h_acct["ManagedAccountID"]))
    released_acct = create_account(api, server, sys_id)
    rule2 = create_smart_rule(api, server, AccountIDs=[released_acct["ManagedAccountID"]])
    support.assign_roles(api, server, group["GroupID"], rule2["SmartRuleID"], (ROLE_REQUESTOR,), auto["AccessPolicyID"])
    released = bare_int(support.post_request(g.s, server, sys_id, released_acct["ManagedAccountID"]))
    checkin(g.s, server, released)

    def ids(**params):
        return {q["RequestID"]: q["Status"] for q in list_requests(g.s, server, **params)}

    assert ids(status="all") == {pending: "Pending", approved: "Approved", released: "Released"}
    assert ids(status="pending") == {pending: "Pending"}
    active = ids(status="active")
    assert active.get(approved) == "Approved" and released not in active, active
    # The approver's own requests: none; their queue: the pending one only.
    assert list_requests(approver, server, status="all") == []
    assert [q["RequestID"] for q in list_requests(approver, server, queue="app")] == [pending]


def iso(ts: str):
    from datetime import datetime
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


def test_default_duration_and_expiry_date(api, server, sys_id):
    g = grant_account(api, server, sys_id, max_minutes=60, policy_extra={"DefaultDurationMinutes": 15})
    r = g.s.post(server.url("Requests"), json={"SystemID": g.system_id, "AccountID": g.account_id,
                                               "Reason": "no duration"}, timeout=10)
    assert r.status_code == 201, (r.status_code, r.text)
    rid = bare_int(r)
    got = g.s.get(server.base + f"/requests/{rid}", timeout=10).json()
    assert got["RequestedDurationMinutes"] == 15, got
    assert (iso(got["ExpiresDate"]) - iso(got["RequestDate"])).total_seconds() == 15 * 60, got
    checkin(g.s, server, rid)

    rid = bare_int(g.request(duration=7))
    listed = find(list_requests(g.s, server, status="all"), rid)
    assert (iso(listed["ExpiresDate"]) - iso(listed["RequestDate"])).total_seconds() == 7 * 60, listed


def test_policy_without_reuse_answers_409_to_reuse(api, server, sys_id):
    g = grant_account(api, server, sys_id, policy_extra={"AllowReuse": False})
    first = bare_int(g.request())
    r = g.request(ConflictOption="reuse")
    assert r.status_code == 409, ("reuse under a policy with AllowReuse false", r.status_code, r.text)
    r = g.request(ConflictOption="renew")
    assert r.status_code == 201 and bare_int(r) != first


# --- Credential bytes (real-api-contract §0 rule 8) -------------------------------------------

@pytest.mark.parametrize("password", [
    "Tab\there", "back\\slash", "q\"uote/slash//", "uni-p\u00e4ss-\u20ac", "ctl\x01x", "a]b;c=d", " lead-trail ",
], ids=["tab", "backslash", "quote-slash", "non-ascii", "control", "brackets", "spaces"])
def test_credential_body_round_trips(api, server, sys_id, password):
    g = grant_account(api, server, sys_id, password=password)
    rid = bare_int(g.request())
    r = g.s.get(server.url(f"Credentials/{rid}"), timeout=10)
    assert r.status_code == 200, r.text
    assert bare_json_string(r) == password, r.content
    assert "\n" not in r.text
    # ?type=password is the default, and an empty or unknown query is ignored.
    for suffix in ("?type=password", "?", '?{"type": "password"}'):
        r = g.s.get(server.url(f"Credentials/{rid}{suffix}"), timeout=10)
        assert r.status_code == 200 and bare_json_string(r) == password, (suffix, r.status_code, r.text)


def test_change_dates_move_with_rotation(api, server, sys_id):
    """LastChangeDate is the last credential change; NextChangeDate is the next date of the
    account's schedule after it (docs/ROTATION.md): for `first`, the first of a month at
    ChangeTime plus the account's spread of at most 30 minutes; null unless auto-managed."""
    from datetime import datetime, timedelta

    def dates(account_id):
        r = api.get(server.url(f"ManagedAccounts/{account_id}"), timeout=10)
        assert r.status_code == 200, r.text
        a = r.json()
        assert (a["ChangeFrequencyType"], a["ChangeTime"]) == ("first", "23:30"), a
        return a["LastChangeDate"], a["NextChangeDate"]

    def parse(ts):
        return datetime.strptime(ts, "%Y-%m-%dT%H:%M:%SZ")

    def first_of_next_month_at_2330(last):
        nxt = parse(last).replace(day=1, hour=23, minute=30, second=0)
        if nxt <= parse(last):
            nxt = (nxt + timedelta(days=32)).replace(day=1)
        return nxt

    def on_schedule(last, nxt):
        slot = first_of_next_month_at_2330(last)
        return slot <= parse(nxt) < slot + timedelta(minutes=30)

    auto = create_account(api, server, sys_id, password="First/1", AutoManagementFlag=True)
    manual = create_account(api, server, sys_id, password="First/1")
    last, nxt = dates(auto["ManagedAccountID"])
    assert last and nxt and on_schedule(last, nxt), (last, nxt)
    m_last, m_next = dates(manual["ManagedAccountID"])
    assert m_last and m_next is None

    time.sleep(1.1)
    for acct in (auto, manual):
        r = api.put(server.url(f"ManagedAccounts/{acct['ManagedAccountID']}/Credentials"),
                    json={"Password": "Second/2", "UpdateSystem": False}, timeout=10)
        assert r.status_code == 204, r.text
    last2, nxt2 = dates(auto["ManagedAccountID"])
    assert parse(last2) > parse(last) and on_schedule(last2, nxt2), (last2, nxt2)
    m_last2, m_next2 = dates(manual["ManagedAccountID"])
    assert parse(m_last2) > parse(m_last) and m_next2 is None


def test_dss_key_and_passphrase_are_released_by_type(api, server, sys_id):
    key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA/+=\n-----END OPENSSH PRIVATE KEY-----\n"
    g = grant_account(api, server, sys_id, account_extra={"PrivateKey": key, "Passphrase": "phrase/1"})
    rid = bare_int(g.request())
    for type_, want in (("password", g.password), ("dsskey", key), ("passphrase", "phrase/1")):
        r = g.s.get(server.url(f"Credentials/{rid}"), params={"type": type_}, timeout=10)
        assert r.status_code == 200, (type_, r.status_code, r.text)
        assert bare_json_string(r) == want, type_
    r = g.s.get(server.url(f"Credentials/{rid}"), params={"type": "sshkey"}, timeout=10)
    assert r.status_code == 400, (r.status_code, r.text)
    checkin(g.s, server, rid)
    # ForceReset replaces the key too; the old one is no longer served.
    new_key = key.replace("AAAA", "BBBB")
    r = api.put(server.url(f"ManagedAccounts/{g.account_id}/Credentials"), timeout=10,
                json={"Password": "Pw/new", "PrivateKey": new_key, "Passphrase": "phrase/2", "UpdateSystem": False})
    assert r.status_code == 204, r.text
    rid = bare_int(g.request())
    r = g.s.get(server.url(f"Credentials/{rid}"), params={"type": "dsskey"}, timeout=10)
    assert bare_json_string(r) == new_key
    r = g.s.get(server.url(f"Credentials/{rid}"), params={"type": "passphrase"}, timeout=10)
    assert bare_json_string(r) == "phrase/2"
    checkin(g.s, server, rid)


def test_background_sweeper_expires_requests_nobody_reads(server_factory, tmp_path):
    """Expiry is written by the sweeper too, not only by the next read of the request."""
    offset = tmp_path / "clock-offset"
    srv = server_factory.start(env={"PSAFE_CLOCK_OFFSET_FILE": str(offset)},
                               config_text="[limits]\nsweep_interval_seconds = 1\n")
    api = srv.admin()
    wg = create_workgroup(api, srv)
    g = grant_account(api, srv, create_system(api, srv, wg["ID"])["ManagedSystemID"])
    rid = bare_int(g.request(duration=5))

    def expiries():
        r = api.get(srv.url("Audit"), params={"limit": 100}, timeout=10)
        assert r.status_code == 200, r.text
        return [a for a in r.json()["Data"] if a["Action"] == "request.expire" and str(a["ObjectID"]) == str(rid)]

    time.sleep(1.5)
    assert expiries() == [], "expired before its time"
    offset.write_text("360")
    deadline = time.time() + 10
    while not expiries() and time.time() < deadline:
        time.sleep(0.2)
    records = expiries()
    assert len(records) == 1, records
    # Written by the system, not by a reader; the request reads as Expired afterwards.
    assert records[0]["UserName"] == "psafed", records[0]
    assert status_of(g.s, srv, rid) == "Expired"
    api.close()


# --- Direct retrieval and termination (issue 16) ---------------------------------------------

def test_account_credentials_go_to_the_roles_the_product_names(api, server, sys_id):
    """GET ManagedAccounts/{id}/Credentials: an administrator, an ISA holder, or a requestor
    with an Approved request of their own; every release audited; anyone else 4031."""
    g = grant_account(api, server, sys_id)
    path = server.url(f"ManagedAccounts/{g.account_id}/Credentials")
    assert g.s.get(path, timeout=10).status_code == 403 and g.s.get(path, timeout=10).text == "4031"
    rid = bare_int(g.request())
    r = g.s.get(path, timeout=10)
    assert r.status_code == 200, r.text
    assert bare_json_string(r) == g.password
    checkin(g.s, server, rid)
    assert g.s.get(path, timeout=10).status_code == 403  # the request is over

    isa_user, isa = g.add_user(api, [support.ROLE_ISA])
    r = isa.get(path, timeout=10)
    assert r.status_code == 200 and bare_json_string(r) == g.password, r.text
    isa_requests = [x for x in list_requests(isa, server, status="all") if x["AccountID"] == g.account_id]
    assert len(isa_requests) == 1, isa_requests  # an ISA release is a request of its own

    r = api.get(path, timeout=10)
    assert r.status_code == 200 and bare_json_string(r) == g.password, r.text
    records = audit_records(api, server)[0]
    direct = [x for x in records if x["Action"] == "credential.release" and x["ObjectType"] == "ManagedAccount"
              and x["ObjectID"] == str(g.account_id)]
    assert direct and json.loads(direct[0]["Details"]) == {"Type": "password", "Direct": True}, direct
    assert any(x["Action"] == "credential.release" and x["ObjectID"] == str(rid) for x in records)

    for bad, code in (("totp", 400), ("bogus", 400)):
        assert api.get(path, params={"type": bad}, timeout=10).status_code == code
    assert api.get(server.url("ManagedAccounts/99999999/Credentials"), timeout=10).status_code == 403
    assert api.get(server.url("ManagedAccounts/x/Credentials"), timeout=10).status_code == 400


@pytest.mark.parametrize("scope", ["ManagedAccounts", "ManagedSystems", "Users"])
def test_terminate_ends_every_open_request_in_its_scope_and_nothing_else(api, server, scope):
    wg = create_workgroup(api, server)
    sid = create_system(api, server, wg["ID"])["ManagedSystemID"]
    other_sid = create_system(api, server, wg["ID"])["ManagedSystemID"]
    g = grant_account(api, server, sid, account_extra={"MaxConcurrentRequests": 2})
    approved = bare_int(g.request())
    _, other_s = g.add_user(api, [ROLE_REQUESTOR])
    elsewhere = grant_account(api, server, other_sid)
    untouched = bare_int(elsewhere.request())
    target = {"ManagedAccounts": g.account_id, "ManagedSystems": sid, "Users": g.user["UserID"]}[scope]
    second = bare_int(support.post_request(other_s, server, sid, g.account_id))  # another user's, same account

    r = g.s.post(server.url(f"{scope}/{target}/Requests/Terminate"), timeout=10)
    assert r.status_code == 403, r.text  # administrators only
    r = api.post(server.url(f"{scope}/{target}/Requests/Terminate"), timeout=10)
    assert (r.status_code, r.content) == (204, b""), r.text

    def status(s, rid):
        return find(list_requests(s, server, status="all"), rid)["Status"]

    assert status(g.s, approved) not in OPEN
    assert g.s.get(server.url(f"Credentials/{approved}"), timeout=10).status_code == 403
    assert (status(other_s, second) in OPEN) == (scope == "Users")  # ended by account or system, not by user
    assert status(elsewhere.s, untouched) in OPEN
    terminated = [x for x in audit_records(api, server)[0] if x["Action"] == "request.terminate"]
    assert str(approved) in {x["ObjectID"] for x in terminated}
    # Again: nothing open is left, still 204; an unknown target is 404.
    assert api.post(server.url(f"{scope}/{target}/Requests/Terminate"), timeout=10).status_code == 204
    assert api.post(server.url(f"{scope}/99999999/Requests/Terminate"), timeout=10).status_code == 404
