"""The permission model (docs/REQUESTS.md): users, groups, smart rules, roles and access
policies decide who may request, approve, use ISA and force a reset - and plain `init`
grants nothing but administration."""

from __future__ import annotations

import pytest

import support
from support import (ROLE_APPROVER, ROLE_AUDITOR, ROLE_ISA, ROLE_REQUESTOR, ROLE_REQUESTOR_APPROVER,
                     add_user_to_group, assign_roles, bare_int, bare_json_string, create_account,
                     create_smart_rule, create_system, create_user, create_user_group, create_workgroup,
                     grant_account, list_requests, new_role_user, post_request, retrieve_password, unique,
                     user_session)


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


def status_of(s, srv, rid):
    return [q for q in list_requests(s, srv, status="all") if q["RequestID"] == rid][0]["Status"]


# --- Secure by default ------------------------------------------------------------------------

def test_plain_init_grants_only_administration(server_factory):
    srv = server_factory.start()
    api = srv.admin()
    wg = create_workgroup(api, srv)  # administration works
    system = create_system(api, srv, wg["ID"])
    acct = create_account(api, srv, system["ManagedSystemID"])

    r = api.get(srv.url("ManagedAccounts"), timeout=10)
    assert r.status_code == 200, r.text
    assert r.json() == [], "a plain init must not make any account requestable"

    r = post_request(api, srv, system["ManagedSystemID"], acct["ManagedAccountID"])
    assert r.status_code == 403, (r.status_code, r.text)
    assert r.content == b"4031"
    assert list_requests(api, srv, status="all") == []


def test_roles_are_listed(api, server):
    r = api.get(server.url("Roles"), timeout=10)
    assert r.status_code == 200, r.text
    roles = {x["RoleID"]: x["Name"] for x in r.json()}
    assert roles == {1: "Requestor", 2: "Approver", 3: "RequestorApprover", 4: "ISA", 5: "Auditor"}


def test_demo_init_gives_administrators_requestor_approver(server_factory):
    data = server_factory.tmp_path / "demo"
    creds = support.init_data_dir_args(data, "--demo")
    srv = server_factory.start(data, creds)
    api = srv.admin()
    accounts = api.get(srv.url("ManagedAccounts"), timeout=10).json()
    assert [(a["SystemName"], a["AccountName"]) for a in accounts] == [("demo-linux", "demo-root")]
    policies = api.get(srv.url("AccessPolicies"), timeout=10).json()
    auto = [p for p in policies if p["Name"] == "Auto-approve"]
    assert len(auto) == 1 and auto[0]["RequiredApprovals"] == 0 and auto[0]["MaxDurationMinutes"] == 60, policies
    rules = api.get(srv.url("SmartRules"), timeout=10).json()
    assert any(r["Title"] == "All managed accounts" for r in rules), rules
    # A newcomer's account is covered by the demo rule at once.
    wg = create_workgroup(api, srv)
    system = create_system(api, srv, wg["ID"])
    acct = create_account(api, srv, system["ManagedSystemID"], password="Fresh/1")
    r = post_request(api, srv, system["ManagedSystemID"], acct["ManagedAccountID"])
    assert r.status_code == 201, (r.status_code, r.text)
    assert retrieve_password(api, srv, bare_int(r)) == "Fresh/1"


# --- Who sees and requests what ---------------------------------------------------------------

def test_requestable_accounts_follow_role_assignments(api, server, sys_id):
    g = grant_account(api, server, sys_id)
    mine = g.s.get(server.url("ManagedAccounts"), timeout=10)
    assert mine.status_code == 200, mine.text
    assert [(a["SystemId"], a["AccountId"]) for a in mine.json()] == [(g.system_id, g.account_id)]
    system_name = [a["SystemName"] for a in mine.json()][0]
    one = g.s.get(server.url("ManagedAccounts"), timeout=10,
                  params={"systemName": system_name, "accountName": g.account_name})
    assert one.status_code == 200 and one.json()["AccountId"] == g.account_id, one.text

    # Same system, an account the rule does not select: invisible and not requestable.
    other = create_account(api, server, sys_id)
    r = g.s.get(server.url("ManagedAccounts"), timeout=10,
                params={"systemName": system_name, "accountName": other["AccountName"]})
    assert r.status_code == 404, (r.status_code, r.text)
    r = post_request(g.s, server, sys_id, other["ManagedAccountID"])
    assert (r.status_code, r.content) == (403, b"4031")


def test_user_without_role_sees_nothing_and_gets_4031(api, server, sys_id):
    g = grant_account(api, server, sys_id)
    user = create_user(api, server)
    group = create_user_group(api, server)
    add_user_to_group(api, server, group["GroupID"], user["UserID"])
    s = user_session(server, user["UserName"])
    r = s.get(server.url("ManagedAccounts"), timeout=10)
    assert r.status_code == 200, r.text
    assert r.json() == []
    r = post_request(s, server, g.system_id, g.account_id)
    assert (r.status_code, r.content) == (403, b"4031")


def test_account_not_on_that_system_is_4031(api, server, sys_id):
    g = grant_account(api, server, sys_id)
    wg = create_workgroup(api, server)
    elsewhere = create_system(api, server, wg["ID"])
    r = post_request(g.s, server, elsewhere["ManagedSystemID"], g.account_id)
    assert (r.status_code, r.content) == (403, b"4031")
    r = post_request(g.s, server, 999999, g.account_id)
    assert (r.status_code, r.content) == (403, b"4031")


def test_sign_in_needs_a_linked_api_registration(api, server):
    user = create_user(api, server)
    group = create_user_group(api, server, registration_ids=())
    add_user_to_group(api, server, group["GroupID"], user["UserID"])
    auth = support.user_ps_auth(server.creds, user["UserName"])
    r = server.session().post(server.url("Auth/SignAppIn"), headers={"Authorization": auth}, timeout=10)
    assert r.status_code == 401, ("signed in without a linked registration", r.status_code, r.text)

    linked = create_user_group(api, server)
    add_user_to_group(api, server, linked["GroupID"], user["UserID"])
    r = server.session().post(server.url("Auth/SignAppIn"), headers={"Authorization": auth}, timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    assert r.json()["UserName"] == user["UserName"]
    assert r.json()["UserId"] == user["UserID"]


def test_smart_rule_criteria(api, server):
    tag = unique("sr").lower()
    wg = create_workgroup(api, server)
    lnx = create_system(api, server, wg["ID"], name=f"lnx-{tag}-a")
    win = create_system(api, server, wg["ID"], name=f"win-{tag}")
    a_root = create_account(api, server, lnx["ManagedSystemID"], name=f"root-{tag}")
    a_svc = create_account(api, server, lnx["ManagedSystemID"], name=f"svc-{tag}")
    w_root = create_account(api, server, win["ManagedSystemID"], name=f"root-{tag}")

    def visible(**criteria):
        rule = create_smart_rule(api, server, **criteria)
        _, s = new_role_user(api, server, (ROLE_REQUESTOR,), rule["SmartRuleID"])
        r = s.get(server.url("ManagedAccounts"), timeout=10)
        assert r.status_code == 200, r.text
        return sorted(a["AccountId"] for a in r.json())

    ids = lambda *accts: sorted(a["ManagedAccountID"] for a in accts)  # noqa: E731
    assert visible(SystemNamePattern=f"LNX-{tag.upper()}-*") == ids(a_root, a_svc)
    assert visible(AccountNamePattern=f"root-{tag}") == ids(a_root, w_root)
    assert visible(SystemNamePattern=f"*-{tag}*", AccountNamePattern="r??t-*") == ids(a_root, w_root)
    assert visible(WorkgroupName=wg["Name"], AccountNamePattern="svc-*") == ids(a_svc)
    assert visible(AccountIDs=[w_root["ManagedAccountID"]]) == ids(w_root)


# --- Approvals ------------------------------------------------------------------------------------

def test_deny_is_final(api, server, sys_id):
    g = grant_account(api, server, sys_id, required_approvals=1)
    _, a = g.add_user(api, (ROLE_APPROVER,))
    rid = bare_int(g.request())
    r = a.put(server.url(f"Requests/{rid}/Deny"), json={"Reason": "no"}, timeout=10)
    assert r.status_code == 204, (r.status_code, r.text)
    assert r.content == b""
    assert status_of(g.s, server, rid) == "Denied"
    r = a.put(server.url(f"Requests/{rid}/Approve"), json={}, timeout=10)
    assert r.status_code == 409, ("approve after deny", r.status_code, r.text)
    r = a.put(server.url(f"Requests/{rid}/Deny"), json={}, timeout=10)
    assert r.status_code == 409, ("deny after deny", r.status_code, r.text)
    r = g.s.get(server.url(f"Credentials/{rid}"), timeout=10)
    assert r.status_code == 403, (r.status_code, r.text)
    assert status_of(g.s, server, rid) == "Denied"
    r = g.request()  # a denied request is not open
    assert r.status_code == 201, (r.status_code, r.text)


def test_nobody_approves_their_own_request(api, server, sys_id):
    g = grant_account(api, server, sys_id, role_ids=(ROLE_REQUESTOR_APPROVER,), required_approvals=1)
    _, other = g.add_user(api, (ROLE_APPROVER,))
    rid = bare_int(g.request())
    assert not [q for q in list_requests(g.s, server, queue="app") if q["RequestID"] == rid], \
        "the requester's own request is in their approval queue"
    r = g.s.put(server.url(f"Requests/{rid}/Approve"), json={}, timeout=10)
    assert r.status_code == 403, ("self-approval", r.status_code, r.text)
    r = g.s.get(server.url(f"Credentials/{rid}"), timeout=10)
    assert (r.status_code, r.content) == (403, b"4034")
    assert other.put(server.url(f"Requests/{rid}/Approve"), json={}, timeout=10).status_code == 204
    assert retrieve_password(g.s, server, rid) == g.password


def test_requestor_only_user_cannot_approve_or_deny(api, server, sys_id):
    g = grant_account(api, server, sys_id, required_approvals=1, account_extra={"MaxConcurrentRequests": 2})
    g.add_user(api, (ROLE_APPROVER,))
    _, requestor = g.add_user(api, (ROLE_REQUESTOR,))
    rid = bare_int(g.request())
    own = bare_int(support.post_request(requestor, server, g.system_id, g.account_id))
    for verb in ("Approve", "Deny"):
        # Their own request: "requestor only" (4032) tells them nothing new.
        r = requestor.put(server.url(f"Requests/{own}/{verb}"), json={}, timeout=10)
        assert (r.status_code, r.content) == (403, b"4032"), (verb, r.status_code, r.text)
        # Someone else's request reads exactly as one that does not exist: no id oracle.
        r = requestor.put(server.url(f"Requests/{rid}/{verb}"), json={}, timeout=10)
        missing = requestor.put(server.url(f"Requests/{rid + 100000}/{verb}"), json={}, timeout=10)
        assert (r.status_code, r.content) == (missing.status_code, missing.content) == (404, missing.content), \
            (verb, r.status_code, r.text, missing.text)
    assert status_of(g.s, server, rid) == "Pending"


def test_approver_elsewhere_cannot_approve(api, server, sys_id):
    g = grant_account(api, server, sys_id, required_approvals=1)
    g.add_user(api, (ROLE_APPROVER,))
    h = grant_account(api, server, sys_id, role_ids=(ROLE_APPROVER,), required_approvals=1)
    rid = bare_int(g.request())
    r = h.s.put(server.url(f"Requests/{rid}/Approve"), json={}, timeout=10)
    assert r.status_code in (403, 404), ("approved by an approver of another account", r.status_code, r.text)
    assert status_of(g.s, server, rid) == "Pending"


def test_approver_only_user_cannot_request(api, server, sys_id):
    g = grant_account(api, server, sys_id, role_ids=(ROLE_APPROVER,), required_approvals=1)
    r = g.request()
    assert (r.status_code, r.content) == (403, b"4033"), (r.status_code, r.text)


def test_policy_needing_more_approvers_than_exist(api, server, sys_id):
    g = grant_account(api, server, sys_id, required_approvals=2)
    _, a1 = g.add_user(api, (ROLE_APPROVER,))
    r = g.request()
    assert (r.status_code, r.content) == (403, b"4035"), (r.status_code, r.text)
    assert list_requests(g.s, server, status="all") == []
    _, a2 = g.add_user(api, (ROLE_APPROVER,))
    r = g.request()
    assert r.status_code == 201, ("two approvers now exist", r.status_code, r.text)


def test_requester_alone_as_approver_is_not_enough(api, server, sys_id):
    """A RequestorApprover cannot approve their own request, so they do not count."""
    g = grant_account(api, server, sys_id, role_ids=(ROLE_REQUESTOR_APPROVER,), required_approvals=1)
    r = g.request()
    assert (r.status_code, r.content) == (403, b"4035"), (r.status_code, r.text)


def test_fewest_approvals_wins(api, server, sys_id):
    g = grant_account(api, server, sys_id, required_approvals=1)
    g.add_user(api, (ROLE_APPROVER,))
    # A second group of the same user, on a second rule covering the same account, auto-approves.
    rule = create_smart_rule(api, server, AccountIDs=[g.account_id])
    auto = support.create_access_policy(api, server, required_approvals=0)
    group = create_user_group(api, server)
    add_user_to_group(api, server, group["GroupID"], g.user["UserID"])
    assign_roles(api, server, group["GroupID"], rule["SmartRuleID"], (ROLE_REQUESTOR,), auto["AccessPolicyID"])
    rid = bare_int(g.request())
    assert retrieve_password(g.s, server, rid) == g.password


# --- ISA ----------------------------------------------------------------------------------------

def test_isa_release(api, server, sys_id):
    g = grant_account(api, server, sys_id, role_ids=(ROLE_ISA,))
    body = {"SystemID": g.system_id, "AccountID": g.account_id, "DurationMinutes": 5, "Reason": "isa"}
    r = g.s.post(server.url("ISARequests?type=password"), json=body, timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    assert bare_json_string(r) == g.password

    _, requestor = g.add_user(api, (ROLE_REQUESTOR,))
    r = requestor.post(server.url("ISARequests?type=password"), json=body, timeout=10)
    assert (r.status_code, r.content) == (403, b"4031"), (r.status_code, r.text)
    r = api.post(server.url("ISARequests?type=password"), json=body, timeout=10)
    assert (r.status_code, r.content) == (403, b"4031"), ("administrator without ISA", r.status_code, r.text)


# --- ForceReset and Audit access ------------------------------------------------------------------

def test_force_reset_is_for_administrators(api, server, sys_id):
    g = grant_account(api, server, sys_id, role_ids=(ROLE_REQUESTOR_APPROVER,))
    r = g.s.put(server.url(f"ManagedAccounts/{g.account_id}/Credentials"), json={"Password": "x/Y1"}, timeout=10)
    assert r.status_code == 403, (r.status_code, r.text)
    rid = bare_int(g.request())
    assert retrieve_password(g.s, server, rid) == g.password


def test_audit_is_for_auditors_and_administrators(api, server, sys_id):
    g = grant_account(api, server, sys_id)
    r = g.s.get(server.url("Audit"), timeout=10)
    assert r.status_code == 403, ("a requestor read the audit trail", r.status_code, r.text)
    _, auditor = new_role_user(api, server, (ROLE_AUDITOR,), g.rule_id)
    r = auditor.get(server.url("Audit"), timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    assert set(r.json()) >= {"TotalCount", "Data"}
    r = api.get(server.url("Audit"), timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)


# --- Setting it up through the API ------------------------------------------------------------

def test_setup_objects_can_be_read_back(api, server, sys_id):
    g = grant_account(api, server, sys_id)
    users = api.get(server.url("Users"), timeout=10)
    assert users.status_code == 200
    assert any(u["UserID"] == g.user["UserID"] and u["UserName"] == g.user["UserName"] for u in users.json())

    groups = api.get(server.url("UserGroups"), timeout=10).json()
    mine = [x for x in groups if g.user["UserID"] in
            [m["UserID"] for m in api.get(server.url(f"UserGroups/{x['GroupID']}/Users"), timeout=10).json()]]
    assert len(mine) == 1, mine
    group = mine[0]
    assert group["ApplicationRegistrationIDs"] == [support.DEFAULT_REGISTRATION_ID]
    for ref in (group["GroupID"], group["Name"], group["Name"].upper()):
        r = api.get(server.url(f"UserGroups/{ref}"), timeout=10)
        assert r.status_code == 200, (ref, r.status_code, r.text)
        assert r.json()["GroupID"] == group["GroupID"]
    assert api.get(server.url(f"UserGroups/{unique('nogroup')}"), timeout=10).status_code == 404

    for path in ("SmartRules", "SmartRules?type=ManagedAccount"):
        rules = api.get(server.url(path), timeout=10)
        assert rules.status_code == 200, (path, rules.text)
        assert any(r["SmartRuleID"] == g.rule_id for r in rules.json()), path
    policies = api.get(server.url("AccessPolicies"), timeout=10).json()
    assert any(p["AccessPolicyID"] == g.policy_id and p["RequiredApprovals"] == 0 for p in policies)


def test_only_administrators_change_the_permission_model(api, server, sys_id):
    g = grant_account(api, server, sys_id, role_ids=(ROLE_REQUESTOR,), required_approvals=1)
    g.add_user(api, (ROLE_APPROVER,))
    s = g.s
    groups = api.get(server.url("UserGroups"), timeout=10).json()
    admins = next(x for x in groups if x["Name"] == "Administrators")
    attempts = [
        ("Users", {"UserName": unique("evil"), "FirstName": "e", "EmailAddress": "e@x", "Password": "Aa1!aaaaaaaaaa"}),
        ("UserGroups", {"groupName": unique("evil"), "ApplicationRegistrationIDs": [1]}),
        (f"UserGroups/{admins['GroupID']}/Users/{g.user['UserID']}", None),
        ("SmartRules", {"Title": unique("evil")}),
        ("AccessPolicies", {"Name": unique("evil"), "RequiredApprovals": 0}),
        ("PasswordRules", {"Name": unique("evil"), "MinimumLength": 8, "MaximumLength": 8}),
        (f"UserGroups/{admins['GroupID']}/SmartRules/{g.rule_id}/Roles", {"Roles": [{"RoleID": 3}]}),
    ]
    for path, body in attempts:
        r = s.post(server.url(path), json=body, timeout=10)
        assert r.status_code == 403, (path, r.status_code, r.text)
    # Nothing changed: still requestor-only, still needing approval, not an administrator.
    rid = bare_int(g.request())
    r = s.put(server.url(f"Requests/{rid}/Approve"), json={}, timeout=10)
    assert (r.status_code, r.content) == (403, b"4032")
    assert s.get(server.url("Audit"), timeout=10).status_code == 403
    members = api.get(server.url(f"UserGroups/{admins['GroupID']}/Users"), timeout=10).json()
    assert g.user["UserID"] not in [m["UserID"] for m in members]


def test_unknown_references_in_setup_are_refused(api, server):
    group = create_user_group(api, server)
    rule = create_smart_rule(api, server, SystemNamePattern=unique("nosuchsystem"))
    bad = [
        (f"UserGroups/{group['GroupID']}/SmartRules/{rule['SmartRuleID']}/Roles", {"Roles": [{"RoleID": 9}]}),
        (f"UserGroups/{group['GroupID']}/SmartRules/{rule['SmartRuleID']}/Roles",
         {"Roles": [{"RoleID": 1}], "AccessPolicyID": 999999}),
        (f"UserGroups/{group['GroupID']}/SmartRules/999999/Roles", {"Roles": [{"RoleID": 1}]}),
        (f"UserGroups/999999/SmartRules/{rule['SmartRuleID']}/Roles", {"Roles": [{"RoleID": 1}]}),
        (f"UserGroups/{group['GroupID']}/Users/999999", None),
    ]
    for path, body in bad:
        r = api.post(server.url(path), json=body, timeout=10)
        assert r.status_code in (400, 404), (path, body, r.status_code, r.text)
