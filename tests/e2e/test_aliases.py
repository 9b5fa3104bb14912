"""Aliases (docs/REQUESTS.md, "Aliases"): an administrator maps an alias to accounts; a user who may
request the current account lists it, requests through it and retrieves through it, with
that account's checks; everyone else sees no alias at all."""

from __future__ import annotations

import pytest

import support
from support import ROLE_REQUESTOR, create_account, create_system, create_workgroup, grant_account, unique


@pytest.fixture
def system(api, server):
    return create_system(api, server, create_workgroup(api, server)["ID"])


def create_alias(api, server, name, *accounts, **extra):
    body = {"AliasName": name, "MappedAccounts": [{"SystemID": s, "AccountID": a} for s, a in accounts], **extra}
    r = api.post(server.url("Aliases"), json=body, timeout=10)
    assert r.status_code == 201, r.text
    return r.json()


def test_an_administrator_creates_maps_renames_and_deletes_an_alias(api, server, system):
    sid = system["ManagedSystemID"]
    first = create_account(api, server, sid, password="Al/1")
    second = create_account(api, server, sid, password="Al/2")
    name = unique("alias")
    alias = create_alias(api, server, name, (sid, first["ManagedAccountID"]))
    assert alias["AliasName"] == name and alias["AliasState"] == 1
    assert (alias["SystemId"], alias["AccountId"], alias["AccountName"]) == (sid, first["ManagedAccountID"],
                                                                            first["AccountName"])
    assert set(alias) >= {"AliasID", "AliasName", "AliasState", "SystemId", "SystemName", "AccountId", "AccountName",
                          "DomainName", "InstanceName", "DefaultReleaseDuration", "MaximumReleaseDuration",
                          "LastChangeDate", "NextChangeDate", "IsChanging", "ChangeState", "MappedAccounts"}
    assert [m["ManagedAccountID"] for m in alias["MappedAccounts"]] == [first["ManagedAccountID"]]
    aid = alias["AliasID"]

    # By id, by name (any case), and in the list (default states 1 and 2).
    assert api.get(server.url(f"Aliases/{aid}"), timeout=10).json()["AliasID"] == aid
    assert api.get(server.url(f"Aliases/{name.upper()}"), timeout=10).json()["AliasID"] == aid
    listed = api.get(server.url("Aliases"), timeout=10).json()
    assert aid in [a["AliasID"] for a in listed]
    assert [a["AliasID"] for a in api.get(server.url("Aliases"), params={"name": name}, timeout=10).json()] == [aid]

    # Two accounts: state 2, the first is current. Remapped, the other becomes current.
    r = api.put(server.url(f"Aliases/{aid}"), timeout=10, json={"MappedAccounts": [
        {"SystemID": sid, "AccountID": second["ManagedAccountID"]}, {"AccountID": first["ManagedAccountID"]}]})
    assert r.status_code == 200, r.text
    assert r.json()["AliasState"] == 2 and r.json()["AccountId"] == second["ManagedAccountID"]
    assert [m["Status"] for m in r.json()["MappedAccounts"]] == ["Active", "Standby"]
    assert r.json()["AliasName"] == name  # what the PUT left out is kept

    # An account's deletion unmaps it; with none left the alias is state 0, listed on asking.
    for acct in (second, first):
        assert api.delete(server.url(f"ManagedAccounts/{acct['ManagedAccountID']}"), timeout=10).status_code == 204
    unmapped = api.get(server.url(f"Aliases/{aid}"), timeout=10).json()
    assert unmapped["AliasState"] == 0 and unmapped["AccountId"] is None and unmapped["MappedAccounts"] == []
    assert aid not in [a["AliasID"] for a in api.get(server.url("Aliases"), timeout=10).json()]
    assert aid in [a["AliasID"] for a in api.get(server.url("Aliases"), params={"state": "0"}, timeout=10).json()]
    assert api.post(server.url(f"Aliases/{aid}/Requests"), json={}, timeout=10).status_code == 409

    assert api.delete(server.url(f"Aliases/{aid}"), timeout=10).status_code == 204
    assert api.get(server.url(f"Aliases/{aid}"), timeout=10).status_code == 404
    assert api.delete(server.url(f"Aliases/{aid}"), timeout=10).status_code == 404
    actions = [r["Action"] for r in support.audit_records(api, server)[0] if r.get("ObjectType") == "Alias"]
    assert {"alias.create", "alias.update", "alias.delete"} <= set(actions), actions


@pytest.mark.parametrize("body, field", [
    ({}, "AliasName"),
    ({"AliasName": ""}, "AliasName"),
    ({"AliasName": "12345"}, "AliasName"),
    ({"AliasName": "x" * 257}, "AliasName"),
    ({"AliasName": "a", "AliasState": 7}, "AliasState"),
    ({"AliasName": "a", "AliasState": 2, "MappedAccounts": []}, "AliasState"),
    ({"AliasName": "a", "MappedAccounts": {"AccountID": 1}}, "MappedAccounts"),
    ({"AliasName": "a", "MappedAccounts": [7]}, "MappedAccounts[0]"),
    ({"AliasName": "a", "MappedAccounts": [{}]}, "MappedAccounts[0].AccountID"),
    ({"AliasName": "a", "MappedAccounts": [{"AccountID": "x"}]}, "MappedAccounts[0].AccountID"),
    ({"AliasName": "a", "MappedAccounts": [{"AccountID": 999999}]}, "MappedAccounts[0].AccountID"),
])
def test_bad_alias_input_is_400_naming_the_field_and_stores_nothing(api, server, body, field):
    before = api.get(server.url("Aliases"), params={"state": "0,1,2"}, timeout=10).json()
    r = api.post(server.url("Aliases"), json=body, timeout=10)
    assert r.status_code == 400, r.text
    assert field in r.text, r.text
    assert api.get(server.url("Aliases"), params={"state": "0,1,2"}, timeout=10).json() == before


def test_the_mapping_must_name_each_account_once_on_its_own_system(api, server, system):
    sid = system["ManagedSystemID"]
    acct = create_account(api, server, sid)
    other = create_system(api, server, create_workgroup(api, server)["ID"])
    for mapped, field in (([{"SystemID": other["ManagedSystemID"], "AccountID": acct["ManagedAccountID"]}],
                           "MappedAccounts[0].SystemID"),
                          ([{"AccountID": acct["ManagedAccountID"]}, {"AccountID": acct["ManagedAccountID"]}],
                           "MappedAccounts[1].AccountID")):
        r = api.post(server.url("Aliases"), json={"AliasName": unique("al"), "MappedAccounts": mapped}, timeout=10)
        assert r.status_code == 400 and field in r.text, r.text
    name = unique("al")
    create_alias(api, server, name, (sid, acct["ManagedAccountID"]))
    r = api.post(server.url("Aliases"), json={"AliasName": name.upper()}, timeout=10)
    assert r.status_code == 409, r.text  # names are unique, case-insensitively
    assert api.get(server.url("Aliases"), params={"state": "x"}, timeout=10).status_code == 400


def test_a_requestor_requests_and_retrieves_through_the_alias_with_the_accounts_checks(api, server, system):
    sid = system["ManagedSystemID"]
    g = grant_account(api, server, sid, role_ids=(ROLE_REQUESTOR,))
    name = unique("alias")
    alias = create_alias(api, server, name, (sid, g.account_id))
    aid = alias["AliasID"]

    # The requestor sees it, by id, name and list; psrun2's Aliases/{name} works as theirs.
    assert g.s.get(server.url(f"Aliases/{name}"), timeout=10).json()["AccountId"] == g.account_id
    assert [a["AliasID"] for a in g.s.get(server.url("Aliases"), timeout=10).json()] == [aid]

    # POST Aliases/{id}/Requests: the POST Requests body without system or account; a bare id.
    r = g.s.post(server.url(f"Aliases/{aid}/Requests"), timeout=10,
                 json={"AccessType": "View", "DurationMinutes": 5, "Reason": "via alias"})
    assert r.status_code == 201, r.text
    rid = support.bare_int(r)
    req = next(x for x in support.list_requests(g.s, server, status="all") if x["RequestID"] == rid)
    assert (req["SystemID"], req["AccountID"]) == (sid, g.account_id)

    # GET Aliases/{id}/Credentials/{rid}: an object, not a bare string.
    r = g.s.get(server.url(f"Aliases/{aid}/Credentials/{rid}"), timeout=10)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body == {"AliasID": aid, "AliasName": name, "SystemID": sid, "SystemName": system["SystemName"],
                    "AccountID": g.account_id, "AccountName": g.account_name, "DomainName": None,
                    "Password": g.password, "PrivateKey": None, "Passphrase": None}
    assert g.s.get(server.url(f"Aliases/{aid}/Credentials/{rid}"), params={"type": "bogus"},
                   timeout=10).status_code == 400
    releases = [x for x in support.audit_records(api, server)[0]
                if x.get("Action") == "credential.release" and x.get("ObjectID") == str(rid)]
    assert releases, "a release through an alias is audited like any other"

    # The account's own limits apply: the policy's 60-minute maximum.
    r = g.s.post(server.url(f"Aliases/{aid}/Requests"), json={"DurationMinutes": 600}, timeout=10)
    assert r.status_code == 400 and "DurationMinutes" in r.text, r.text

    # A request for an account the alias does not map is not retrievable through it.
    other = grant_account(api, server, sid)
    orid = support.bare_int(other.request())
    other_alias = create_alias(api, server, unique("al"), (sid, other.account_id))
    assert other.s.get(server.url(f"Aliases/{aid}/Credentials/{orid}"), timeout=10).status_code == 404
    assert other.s.get(server.url(f"Aliases/{other_alias['AliasID']}/Credentials/{rid}"),
                       timeout=10).status_code in (403, 404)

    support.checkin(g.s, server, rid)
    r = g.s.get(server.url(f"Aliases/{aid}/Credentials/{rid}"), timeout=10)
    assert r.status_code == 403, r.text  # checked in: the request's own answer


def test_callers_without_a_role_on_the_account_see_no_alias_and_cannot_change_one(api, server, system):
    sid = system["ManagedSystemID"]
    acct = create_account(api, server, sid)
    alias = create_alias(api, server, unique("alias"), (sid, acct["ManagedAccountID"]))
    aid = alias["AliasID"]
    _, _, s = support.new_group_member(api, server)  # signed in, no role on anything
    assert s.get(server.url("Aliases"), timeout=10).json() == []
    assert s.get(server.url(f"Aliases/{aid}"), timeout=10).status_code == 404
    assert s.get(server.url(f"Aliases/{alias['AliasName']}"), timeout=10).status_code == 404
    assert s.post(server.url(f"Aliases/{aid}/Requests"), json={}, timeout=10).status_code == 404
    assert s.post(server.url("Aliases"), json={"AliasName": unique("al")}, timeout=10).status_code == 403
    assert s.put(server.url(f"Aliases/{aid}"), json={"AliasName": unique("al")}, timeout=10).status_code == 403
    assert s.delete(server.url(f"Aliases/{aid}"), timeout=10).status_code == 403
    assert api.get(server.url(f"Aliases/{aid}"), timeout=10).json()["AliasName"] == alias["AliasName"]
    anon = server.session()
    assert anon.get(server.url("Aliases"), timeout=10).status_code == 401


def test_a_non_administrator_sees_only_the_mapped_accounts_they_may_use(api, server, system):
    sid = system["ManagedSystemID"]
    g = grant_account(api, server, sid)
    hidden = create_account(api, server, sid)  # no role on it for g.user
    alias = create_alias(api, server, unique("alias"), (sid, g.account_id), (sid, hidden["ManagedAccountID"]))
    assert len(alias["MappedAccounts"]) == 2  # the administrator sees both
    seen = g.s.get(server.url(f"Aliases/{alias['AliasID']}"), timeout=10).json()
    assert [m["ManagedAccountID"] for m in seen["MappedAccounts"]] == [g.account_id]
    assert str(hidden["AccountName"]) not in g.s.get(server.url("Aliases"), timeout=10).text
    # An account without API access is not requestable, so neither is its alias.
    r = api.put(server.url(f"ManagedAccounts/{g.account_id}"), json={"ApiEnabled": False}, timeout=10)
    assert r.status_code == 200, r.text
    assert g.s.get(server.url(f"Aliases/{alias['AliasID']}"), timeout=10).status_code == 404
    assert alias["AliasID"] not in [a["AliasID"] for a in g.s.get(server.url("Aliases"), timeout=10).json()]


@pytest.mark.parametrize("name", [" padded", "tab\there", "bidi\u202eevil"])
def test_alias_names_follow_the_name_rules(api, server, name):
    r = api.post(server.url("Aliases"), json={"AliasName": name}, timeout=10)
    assert r.status_code == 400 and "AliasName" in r.text, r.text
