"""Issue 12: what an outside review found, each tried as an attacker would, over TLS against
a psafed process, with a non-administrator's own credentials where that is the point.

The estate: an administrator; alice, a requestor in her own group; the registrations the
administrator creates "for alice's group". docs/SECURITY.md names these tests."""

from __future__ import annotations

import http.client
import json
import sqlite3
import ssl
import statistics
import time

import pytest

import store_backend
import support
from support import (ROLE_APPROVER, ROLE_ISA, ROLE_REQUESTOR, bare_int, create_system, create_workgroup,
                     grant_account, race, unique)

KEY_AUTH = "PS-Auth key={key}; runas={user};"


def ps_auth(key: str, user: str, pwd: str | None = None) -> str:
    return KEY_AUTH.format(key=key, user=user) + (f" pwd=[{pwd}];" if pwd else "")


def admin_id(api, srv) -> int:
    return next(u["UserID"] for u in api.get(srv.url("Users"), timeout=10).json() if u["UserName"] == "admin")


def new_registration(api, srv, **body) -> dict:
    r = api.post(srv.url("ApiRegistrations"), json={"Name": unique("reg"), **body}, timeout=10)
    assert r.status_code == 201, (r.status_code, r.text)
    return r.json()


def alice_in_group(api, srv, registration_ids=()):
    """A user alone in a new group linked to `registration_ids`."""
    group = support.create_user_group(api, srv, registration_ids=registration_ids)
    user = support.create_user(api, srv)
    support.add_user_to_group(api, srv, group["GroupID"], user["UserID"])
    return user, group


def post_from(srv, path: str, source: str | None, headers: dict, body: str | None = None) -> tuple[int, bytes]:
    """POST to the API from another loopback source address (127.0.0.0/8 all reaches psafed)."""
    ctx = ssl.create_default_context(cafile=srv.ca)
    conn = http.client.HTTPSConnection("127.0.0.1", srv.port, context=ctx, timeout=10,
                                       source_address=(source, 0) if source else None)
    conn.request("POST", support.BASE_PATH + "/" + path, body=body, headers=headers)
    res = conn.getresponse()
    data = res.read()
    conn.close()
    return res.status, data


def oauth_token(srv, client_id: str, secret: str, source: str | None = None) -> tuple[int, dict]:
    """POST Auth/connect/token, optionally from another loopback source address."""
    status, data = post_from(srv, "Auth/connect/token", source, {"Content-Type": "application/x-www-form-urlencoded"},
                             f"grant_type=client_credentials&client_id={client_id}&client_secret={secret}")
    return status, (json.loads(data) if data else {})


def bearer(srv, token: str):
    return srv.session(f"Bearer {token}")


# --- Critical: a registration admits exactly what it is linked to ---------------------------

def test_a_new_registration_does_not_admit_its_creator(server_factory):
    srv = server_factory.start()
    api = srv.admin()
    alice, group = alice_in_group(api, srv)
    reg = new_registration(api, srv, UserGroupIDs=[group["GroupID"]])
    # Alice holds only her own key; she tries to become the administrator with it.
    as_admin = srv.session(ps_auth(reg["Key"], "admin")).post(srv.url("Auth/SignAppIn"), timeout=10)
    assert as_admin.status_code == 401, (as_admin.status_code, as_admin.text)
    as_alice = srv.session(ps_auth(reg["Key"], alice["UserName"])).post(srv.url("Auth/SignAppIn"), timeout=10)
    assert as_alice.status_code == 200 and as_alice.json()["IsAdministrator"] is False, as_alice.text
    # The links are exactly what was named (plus the OAuth client's own application user).
    users = api.get(srv.url(f"ApiRegistrations/{reg['Id']}/Users"), timeout=10).json()
    assert [u["UserName"] for u in users] == [f"oauth-{reg['ClientId'].lower()}"], users
    groups = api.get(srv.url(f"ApiRegistrations/{reg['Id']}/UserGroups"), timeout=10).json()
    assert [g["GroupID"] for g in groups] == [group["GroupID"]], groups


def test_an_oauth_client_never_acts_as_its_creator(server_factory):
    srv = server_factory.start()
    api = srv.admin()
    _, group = alice_in_group(api, srv)
    reg = new_registration(api, srv, UserGroupIDs=[group["GroupID"]])
    status, token = oauth_token(srv, reg["ClientId"], reg["ClientSecret"])
    assert status == 200, token
    s = bearer(srv, token["access_token"])
    me = s.post(srv.url("Auth/SignAppIn"), timeout=10).json()
    assert me["UserName"] == f"oauth-{reg['ClientId'].lower()}" and me["IsAdministrator"] is False, me
    assert s.get(srv.url("Users"), timeout=10).status_code == 403
    assert s.post(srv.url("UserGroups/1/Users/1"), timeout=10).status_code == 403


def test_an_oauth_client_acts_as_the_user_it_is_bound_to(server_factory):
    srv = server_factory.start()
    api = srv.admin()
    alice, group = alice_in_group(api, srv)
    # Binding to a user the registration does not admit is refused, and nothing is created.
    r = api.post(srv.url("ApiRegistrations"), json={"Name": "unbound", "OAuthUserID": admin_id(api, srv)}, timeout=10)
    assert r.status_code == 400 and "OAuthUserID" in r.text, r.text
    assert "unbound" not in {x["Name"] for x in api.get(srv.url("ApiRegistrations"), timeout=10).json()}
    reg = new_registration(api, srv, UserGroupIDs=[group["GroupID"]], OAuthUserID=alice["UserID"])
    assert reg["OAuthUserID"] == alice["UserID"]
    _, token = oauth_token(srv, reg["ClientId"], reg["ClientSecret"])
    me = bearer(srv, token["access_token"]).post(srv.url("Auth/SignAppIn"), timeout=10).json()
    assert me["UserName"] == alice["UserName"], me
    # Alice leaves the group: her client's token stops on the next call, and no new one comes.
    assert api.delete(srv.url(f"Users/{alice['UserID']}/UserGroups/{group['GroupID']}"), timeout=10).status_code == 204
    assert bearer(srv, token["access_token"]).get(srv.url("Requests"), timeout=10).status_code == 401
    assert oauth_token(srv, reg["ClientId"], reg["ClientSecret"])[0] == 401


def test_user_password_required_stops_the_oauth_path(server_factory):
    srv = server_factory.start()
    api = srv.admin()
    alice, group = alice_in_group(api, srv)
    reg = new_registration(api, srv, UserGroupIDs=[group["GroupID"]], OAuthUserID=alice["UserID"])
    _, old = oauth_token(srv, reg["ClientId"], reg["ClientSecret"])
    assert bearer(srv, old["access_token"]).get(srv.url("Requests"), timeout=10).status_code == 200
    assert api.put(srv.url(f"ApiRegistrations/{reg['Id']}"), json={"UserPasswordRequired": True},
                   timeout=10).status_code == 200
    # The token issued before is dead, and a client secret does not stand in for a password.
    assert bearer(srv, old["access_token"]).get(srv.url("Requests"), timeout=10).status_code == 401
    status, body = oauth_token(srv, reg["ClientId"], reg["ClientSecret"])
    assert (status, body.get("error")) == (401, "invalid_client"), (status, body)


@pytest.mark.sqlite_store  # the schema before v5 only ever existed in SQLite files
def test_migration_removes_the_implicit_creator_link(server_factory):
    """A data dir from before v5: registration 2 admitted its creator and its OAuth client
    acted as the administrator. After the upgrade neither holds; registration 1 (init's) works."""
    data, creds = server_factory.new_data_dir()
    srv = server_factory.start(data, creds)
    api = srv.admin()
    reg = new_registration(api, srv, UserIDs=[admin_id(api, srv)])
    srv.stop()
    # Rewind the schema to v4 with the link and OAuth binding v4 made.
    db = sqlite3.connect(data / "psafe.db")
    with db:
        support.rewind_schema_to_v5(db)
        app_user = db.execute("SELECT oauth_user_id FROM api_registrations WHERE id = ?", (reg["Id"],)).fetchone()[0]
        db.execute("UPDATE api_registrations SET oauth_user_id = 1 WHERE id = ?", (reg["Id"],))
        db.execute("DELETE FROM api_registration_users WHERE user_id = ?", (app_user,))
        db.execute("DELETE FROM users WHERE id = ?", (app_user,))
        for index in ("api_registration_users_user", "sessions_user", "sessions_registration"):
            db.execute(f"DROP INDEX {index}")
        for table, column in (("users", "enabled"), ("users", "deleted"), ("users", "application"), ("requests", "version"),
                              ("sessions", "password_verified")):
            db.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        db.execute("PRAGMA user_version = 4")
    db.close()
    srv = server_factory.start(data, creds)
    refused = srv.session(ps_auth(reg["Key"], "admin")).post(srv.url("Auth/SignAppIn"), timeout=10)
    assert refused.status_code == 401, refused.text
    _, token = oauth_token(srv, reg["ClientId"], reg["ClientSecret"])
    me = bearer(srv, token["access_token"]).post(srv.url("Auth/SignAppIn"), timeout=10).json()
    assert me["UserName"] == f"oauth-{reg['ClientId'].lower()}" and not me["IsAdministrator"], me
    as_app = srv.session(ps_auth(reg["Key"], me["UserName"])).post(srv.url("Auth/SignAppIn"), timeout=10)
    assert as_app.status_code == 401, as_app.text
    assert srv.admin().get(srv.url("Users"), timeout=10).status_code == 200  # init's registration


# --- Medium 1: every transition is a compare-and-set -----------------------------------------

ROUNDS = 200




def approval_estate(server_factory, approvers: int):
    """A psafed, an account whose requests need one approval, and `approvers` approvers."""
    srv = server_factory.start()
    api = srv.admin()
    sid = create_system(api, srv, create_workgroup(api, srv)["ID"])["ManagedSystemID"]
    g = grant_account(api, srv, sid, required_approvals=1)
    return srv, g, [g.add_user(api, (ROLE_APPROVER,))[1] for _ in range(approvers)]


def test_racing_approve_and_deny_have_one_winner_and_deny_is_final(server_factory):
    # Two approvers approve and two deny at once; one approval is needed, so exactly one of
    # the four decisions may win, and the others must get 409.
    srv, g, approvers = approval_estate(server_factory, 4)
    for _ in range(ROUNDS):
        rid = bare_int(g.request())
        calls = [lambda s=s, verb=verb: s.put(srv.url(f"Requests/{rid}/{verb}"), json={}, timeout=20)
                 for s, verb in zip(approvers, ("Approve", "Deny", "Approve", "Deny"))]
        answers = race(*calls)
        winners = [verb for r, verb in zip(answers, ("Approve", "Deny", "Approve", "Deny")) if r.status_code < 300]
        assert len(winners) == 1, [(r.status_code, r.text) for r in answers]
        assert sorted(r.status_code for r in answers)[1:] == [409, 409, 409], [r.status_code for r in answers]
        cred = g.s.get(srv.url(f"Credentials/{rid}"), timeout=10)
        if winners == ["Deny"]:
            assert cred.status_code == 403, ("a credential after a successful deny", cred.text)
        else:
            assert cred.status_code == 200
            assert g.s.put(srv.url(f"Requests/{rid}/Checkin"), json={}, timeout=10).status_code == 204


def test_racing_cancel_and_approve_never_end_approved_after_a_cancel(server_factory):
    srv, g, approvers = approval_estate(server_factory, 2)
    for _ in range(ROUNDS):
        rid = bare_int(g.request())
        cancel, *approves = race(lambda: g.s.delete(srv.url(f"/requests/{rid}"), timeout=20),
                                 *[lambda s=s: s.put(srv.url(f"Requests/{rid}/Approve"), json={}, timeout=20)
                                   for s in approvers])
        assert sum(r.status_code < 300 for r in approves) <= 1, [r.text for r in approves]
        assert cancel.status_code < 300 or any(r.status_code < 300 for r in approves), cancel.text
        status = g.s.get(srv.url(f"/requests/{rid}"), timeout=10).json()
        state = status.get("Status") or status.get("status")
        if cancel.status_code < 300:
            # Whichever came first, a successful cancel is final: never Approved after it.
            assert state in ("Cancelled", "Canceled"), status
            assert g.s.get(srv.url(f"Credentials/{rid}"), timeout=10).status_code == 403
        else:
            assert cancel.status_code == 409 and state == "Approved", (cancel.text, status)
            assert g.s.put(srv.url(f"Requests/{rid}/Checkin"), json={}, timeout=10).status_code == 204


def test_no_credential_leaves_for_a_request_checked_in_meanwhile(server_factory):
    srv = server_factory.start()
    api = srv.admin()
    sid = create_system(api, srv, create_workgroup(api, srv)["ID"])["ManagedSystemID"]
    g = grant_account(api, srv, sid)
    for _ in range(ROUNDS):
        rid = bare_int(g.request())
        got, checkin = race(lambda: g.s.get(srv.url(f"Credentials/{rid}"), timeout=20),
                            lambda: g.s.put(srv.url(f"Requests/{rid}/Checkin"), json={}, timeout=20))
        assert checkin.status_code == 204, checkin.text
        assert got.status_code in (200, 403), got.text
    # Every release is on record before the check-in of its request, never after.
    records, _ = support.audit_records(api, srv)
    order = {}
    for rec in sorted(records, key=lambda x: x["AuditID"] if "AuditID" in x else x["Id"]):
        if rec["ObjectType"] == "Request" and rec["Action"] in ("credential.release", "request.checkin"):
            order.setdefault(rec["ObjectID"], []).append(rec["Action"])
    for rid, actions in order.items():
        if "credential.release" in actions:
            assert actions.index("credential.release") < actions.index("request.checkin"), (rid, actions)


# --- Medium 2: unauthenticated callers cannot write the trail at will ------------------------

def test_failed_sign_ins_record_a_bounded_claimed_name_and_are_aggregated(server_factory):
    srv = server_factory.start(config_text="[limits]\nsignin_per_second = 0\n")
    anon = srv.session()
    long_name = "admin" + "x" * 3900
    for i in range(40):
        r = anon.post(srv.url("Auth/SignAppIn"), headers={"Authorization": ps_auth("0" * 128, long_name)}, timeout=10)
        assert r.status_code == 401
    records, _ = support.audit_records(srv.admin(), srv)
    failed = [r for r in records if r["Action"] == "signin.failed"]
    # At most 10 a minute from one source reach the trail; none names a user.
    assert 1 <= len(failed) <= 10, len(failed)
    for rec in failed:
        assert rec["UserName"] == "" and rec["UserID"] == 0, rec
        detail = json.loads(rec["Details"])
        assert detail["ClaimedUserName"] == long_name[:64], detail
        assert detail["Source"] == "127.0.0.1"


# --- Medium 3: account limits are enforced ---------------------------------------------------

def test_account_and_system_limits_are_enforced(server_factory):
    srv = server_factory.start()
    api = srv.admin()
    wg = create_workgroup(api, srv)
    sid = create_system(api, srv, wg["ID"], MaxReleaseDuration=90)["ManagedSystemID"]
    # The policy allows 600 minutes; the system 90, the account 30: 30 is the effective maximum.
    g = grant_account(api, srv, sid, max_minutes=600, account_extra={"MaxReleaseDuration": 30})
    r = g.request(duration=31)
    assert r.status_code == 400 and "30 minutes" in r.text, r.text
    assert g.request(duration=30).status_code == 201
    h = grant_account(api, srv, sid, max_minutes=600)
    assert h.request(duration=91).status_code == 400
    # Not API-enabled: not requestable (4031), and not listed as requestable.
    off = grant_account(api, srv, sid, account_extra={"ApiEnabled": False})
    r = off.request()
    assert (r.status_code, r.content) == (403, b"4031"), r.text
    listed = off.s.get(srv.url("ManagedAccounts"), timeout=10).json()
    assert off.account_id not in {a["AccountId"] for a in listed}, listed


def test_an_isa_release_lasts_no_longer_than_the_isa_release_duration(server_factory):
    srv = server_factory.start()
    api = srv.admin()
    sid = create_system(api, srv, create_workgroup(api, srv)["ID"])["ManagedSystemID"]
    g = grant_account(api, srv, sid, role_ids=(ROLE_ISA,), account_extra={"ISAReleaseDuration": 15})
    body = {"SystemID": sid, "AccountID": g.account_id}
    r = g.s.post(srv.url("ISARequests"), json={**body, "DurationMinutes": 525600}, timeout=10)
    assert r.status_code == 400 and "15 minutes" in r.text, r.text
    r = g.s.post(srv.url("ISARequests"), json=body, timeout=10)
    assert r.status_code == 200, r.text
    isa = [q for q in support.list_requests(g.s, srv, status="all") if q["AccountID"] == g.account_id]
    assert len(isa) == 1 and isa[0]["RequestedDurationMinutes"] == 15, isa


# --- Medium 4: revocation takes effect on the next call --------------------------------------

def test_disabling_a_user_ends_every_session_and_token_at_once(server_factory):
    srv = server_factory.start()
    api = srv.admin()
    alice, group = alice_in_group(api, srv, registration_ids=(1,))
    reg = new_registration(api, srv, UserGroupIDs=[group["GroupID"]], OAuthUserID=alice["UserID"])
    key_session = support.user_session(srv, alice["UserName"])
    cookie = srv.session()
    assert cookie.post(srv.url("Auth/SignAppIn"), headers={"Authorization": ps_auth(srv.creds.api_key, alice["UserName"])},
                       timeout=10).status_code == 200
    _, token = oauth_token(srv, reg["ClientId"], reg["ClientSecret"])
    for s in (key_session, cookie, bearer(srv, token["access_token"])):
        assert s.get(srv.url("Requests"), timeout=10).status_code == 200
    r = api.put(srv.url(f"Users/{alice['UserID']}"), json={"IsActive": False}, timeout=10)
    assert r.status_code == 200 and r.json()["IsActive"] is False, r.text
    for s in (key_session, cookie, bearer(srv, token["access_token"])):
        assert s.get(srv.url("Requests"), timeout=10).status_code == 401
    # Enabled again: a new sign-in works, the old cookie and token stay dead.
    assert api.put(srv.url(f"Users/{alice['UserID']}"), json={"IsActive": True}, timeout=10).status_code == 200
    assert key_session.get(srv.url("Requests"), timeout=10).status_code == 200
    assert cookie.get(srv.url("Requests"), timeout=10).status_code == 401
    assert bearer(srv, token["access_token"]).get(srv.url("Requests"), timeout=10).status_code == 401
    actions = {a["Action"] for a in support.audit_records(api, srv)[0]}
    assert "user.update" in actions


def test_deleting_a_user_keeps_history_and_frees_the_name(server_factory):
    srv = server_factory.start()
    api = srv.admin()
    sid = create_system(api, srv, create_workgroup(api, srv)["ID"])["ManagedSystemID"]
    g = grant_account(api, srv, sid)
    rid = bare_int(g.request())
    assert api.delete(srv.url(f"Users/{g.user['UserID']}"), timeout=10).status_code == 204
    assert g.s.get(srv.url("Requests"), timeout=10).status_code == 401
    assert api.get(srv.url(f"Users/{g.user['UserID']}"), timeout=10).status_code == 404
    assert g.user["UserName"] not in {u["UserName"] for u in api.get(srv.url("Users"), timeout=10).json()}
    # The name can be given to someone new, who inherits nothing: signed in (through a
    # group linked to the registration), the old request is not theirs.
    again = support.create_user(api, srv, name=g.user["UserName"])
    assert again["UserID"] != g.user["UserID"]
    linked = support.create_user_group(api, srv, registration_ids=(1,))
    support.add_user_to_group(api, srv, linked["GroupID"], again["UserID"])
    heir = support.user_session(srv, again["UserName"])
    assert heir.get(srv.url("Requests"), timeout=10).json() == []
    assert heir.get(srv.url(f"Credentials/{rid}"), timeout=10).status_code == 404


def test_removing_a_membership_a_role_or_a_grant_takes_effect_on_the_next_call(server_factory):
    srv = server_factory.start()
    api = srv.admin()
    sid = create_system(api, srv, create_workgroup(api, srv)["ID"])["ManagedSystemID"]
    g = grant_account(api, srv, sid, account_extra={"MaxConcurrentRequests": 0})
    rid = bare_int(g.request())
    assert g.s.put(srv.url(f"Requests/{rid}/Checkin"), json={}, timeout=10).status_code == 204
    groups = [x for x in api.get(srv.url("UserGroups"), timeout=10).json()
              if g.user["UserID"] in {m["UserID"] for m in
                                      api.get(srv.url(f"UserGroups/{x['GroupID']}/Users"), timeout=10).json()}]
    role_group = groups[0]["GroupID"]
    # The role goes: the next request is refused.
    assert api.delete(srv.url(f"UserGroups/{role_group}/SmartRules/{g.rule_id}/Roles"), timeout=10).status_code == 204
    assert g.request().status_code == 403
    # A folder grant goes: the folder is gone for the group's members.
    safe = support.create_safe(api, srv)
    support.grant_folder(api, srv, safe["Id"], role_group, "read")
    assert g.s.get(srv.url(f"secrets-safe/folders/{safe['Id']}"), timeout=10).status_code == 200
    assert api.delete(srv.url(f"secrets-safe/folders/{safe['Id']}/grants/{role_group}"), timeout=10).status_code == 204
    assert g.s.get(srv.url(f"secrets-safe/folders/{safe['Id']}"), timeout=10).status_code == 404
    # The membership goes: the registration (linked through the group) no longer admits her.
    assert api.delete(srv.url(f"UserGroups/{role_group}/Users/{g.user['UserID']}"), timeout=10).status_code == 204
    assert g.s.get(srv.url("Requests"), timeout=10).status_code == 401
    # The group goes.
    assert api.delete(srv.url(f"UserGroups/{role_group}"), timeout=10).status_code == 204
    assert api.get(srv.url(f"UserGroups/{role_group}"), timeout=10).status_code == 404
    actions = {a["Action"] for a in support.audit_records(api, srv)[0]}
    assert {"role.remove", "folder.revoke", "usergroup.member.remove", "usergroup.delete"} <= actions


def test_deleting_or_unlinking_a_registration_ends_its_use(server_factory):
    srv = server_factory.start()
    api = srv.admin()
    alice, group = alice_in_group(api, srv)
    reg = new_registration(api, srv, UserGroupIDs=[group["GroupID"]])
    s = srv.session(ps_auth(reg["Key"], alice["UserName"]))
    assert s.get(srv.url("Requests"), timeout=10).status_code == 200
    assert api.delete(srv.url(f"ApiRegistrations/{reg['Id']}/UserGroups/{group['GroupID']}"), timeout=10).status_code == 204
    assert s.get(srv.url("Requests"), timeout=10).status_code == 401
    assert api.post(srv.url(f"ApiRegistrations/{reg['Id']}/Users/{alice['UserID']}"), timeout=10).status_code == 201
    assert s.get(srv.url("Requests"), timeout=10).status_code == 200
    assert api.delete(srv.url(f"ApiRegistrations/{reg['Id']}"), timeout=10).status_code == 204
    assert s.get(srv.url("Requests"), timeout=10).status_code == 401
    assert api.get(srv.url(f"ApiRegistrations/{reg['Id']}"), timeout=10).status_code == 404
    # The registration a call signs in with cannot delete itself (it would lock the caller out).
    assert api.delete(srv.url("ApiRegistrations/1"), timeout=10).status_code == 409


def test_the_last_administrator_cannot_be_disabled_or_removed(server_factory):
    srv = server_factory.start()
    api = srv.admin()
    me = admin_id(api, srv)
    assert api.put(srv.url(f"Users/{me}"), json={"IsActive": False}, timeout=10).status_code == 409
    assert api.delete(srv.url(f"Users/{me}"), timeout=10).status_code == 409
    admins = next(x for x in api.get(srv.url("UserGroups"), timeout=10).json() if x["IsAdministrator"])
    assert api.delete(srv.url(f"Users/{me}/UserGroups/{admins['GroupID']}"), timeout=10).status_code == 409
    assert api.delete(srv.url(f"UserGroups/{admins['GroupID']}"), timeout=10).status_code == 409
    assert api.get(srv.url("Users"), timeout=10).status_code == 200


# --- Low: sessions ---------------------------------------------------------------------------

def offset_server(server_factory, tmp_path, config_text=None):
    offset = tmp_path / "clock-offset"
    return offset, server_factory.start(env={"PSAFE_CLOCK_OFFSET_FILE": str(offset)}, config_text=config_text)


def signed_in_cookie(srv, auth: str):
    s = srv.session()
    r = s.post(srv.url("Auth/SignAppIn"), headers={"Authorization": auth}, timeout=10)
    assert r.status_code == 200, r.text
    return s


def test_sessions_have_an_absolute_lifetime(server_factory, tmp_path):
    offset, srv = offset_server(server_factory, tmp_path, "[auth]\nsession_max_minutes = 30\n")
    s = signed_in_cookie(srv, srv.creds.ps_auth)
    for minutes in (10, 20, 29):  # active all along, never idle for 20 minutes
        offset.write_text(str(minutes * 60))
        assert s.get(srv.url("Requests"), timeout=10).status_code == 200, minutes
    offset.write_text(str(31 * 60))
    assert s.get(srv.url("Requests"), timeout=10).status_code == 401


def test_a_cookie_made_from_a_bearer_token_ends_with_the_token(server_factory, tmp_path):
    offset, srv = offset_server(server_factory, tmp_path, "[auth]\ntoken_lifetime_seconds = 120\n")
    _, token = oauth_token(srv, srv.creds.client_id, srv.creds.client_secret)
    s = signed_in_cookie(srv, f"Bearer {token['access_token']}")
    assert s.get(srv.url("Requests"), timeout=10).status_code == 200
    offset.write_text("121")
    assert s.get(srv.url("Requests"), timeout=10).status_code == 401


def test_disabling_a_registration_does_not_leave_sessions_to_revive(server_factory):
    srv = server_factory.start()
    api = srv.admin()
    alice, group = alice_in_group(api, srv)
    reg = new_registration(api, srv, UserGroupIDs=[group["GroupID"]])
    s = signed_in_cookie(srv, ps_auth(reg["Key"], alice["UserName"]))
    for active, expected in ((False, 401), (True, 401)):
        assert api.put(srv.url(f"ApiRegistrations/{reg['Id']}"), json={"Active": active}, timeout=10).status_code == 200
        assert s.get(srv.url("Requests"), timeout=10).status_code == expected
    assert signed_in_cookie(srv, ps_auth(reg["Key"], alice["UserName"])).get(srv.url("Requests"), timeout=10).status_code == 200


def test_requiring_a_password_ends_sessions_signed_in_without_one(server_factory):
    srv = server_factory.start()
    api = srv.admin()
    alice, group = alice_in_group(api, srv)
    pw = support.sentinel_secret("-pw") if hasattr(support, "sentinel_secret") else "Pw-" + unique()
    assert api.put(srv.url(f"Users/{alice['UserID']}"), json={"Password": pw}, timeout=10).status_code == 200
    reg = new_registration(api, srv, UserGroupIDs=[group["GroupID"]])
    without = signed_in_cookie(srv, ps_auth(reg["Key"], alice["UserName"]))
    with_pw = signed_in_cookie(srv, ps_auth(reg["Key"], alice["UserName"], pw))
    assert api.put(srv.url(f"ApiRegistrations/{reg['Id']}"), json={"UserPasswordRequired": True},
                   timeout=10).status_code == 200
    assert without.get(srv.url("Requests"), timeout=10).status_code == 401
    assert with_pw.get(srv.url("Requests"), timeout=10).status_code == 200


# --- Low: OAuth lockout is per client and source ---------------------------------------------

def test_a_guesser_elsewhere_cannot_lock_an_oauth_client_out(server_factory):
    srv = server_factory.start(config_text="[limits]\nsignin_per_second = 0\n")
    for _ in range(6):
        assert oauth_token(srv, srv.creds.client_id, "wrong", source="127.0.0.2")[0] == 401
    # The guesser's source is locked, even with the right secret ...
    assert oauth_token(srv, srv.creds.client_id, srv.creds.client_secret, source="127.0.0.2")[0] == 401
    # ... the real client, elsewhere, is not.
    assert oauth_token(srv, srv.creds.client_id, srv.creds.client_secret)[0] == 200


# --- Low: CSRF and content types -------------------------------------------------------------

def test_a_cross_site_form_post_with_the_admin_cookie_changes_nothing(server_factory):
    srv = server_factory.start()
    api = srv.admin()
    victim = support.create_user(api, srv)
    admins = next(x for x in api.get(srv.url("UserGroups"), timeout=10).json() if x["IsAdministrator"])
    browser = signed_in_cookie(srv, srv.creds.ps_auth)
    target = srv.url(f"UserGroups/{admins['GroupID']}/Users/{victim['UserID']}")
    evil = {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
    form = browser.post(target, data="x=1", headers={**evil, "Content-Type": "application/x-www-form-urlencoded"},
                        timeout=10)
    assert form.status_code in (403, 415), form.text
    no_body = browser.post(target, headers=evil, timeout=10)
    assert no_body.status_code == 403, no_body.text
    members = api.get(srv.url(f"UserGroups/{admins['GroupID']}/Users"), timeout=10).json()
    assert victim["UserID"] not in {m["UserID"] for m in members}
    # psafed's own page: same origin and the session's token echoed.
    own = {"Origin": srv.root, "Sec-Fetch-Site": "same-origin"}
    assert browser.post(target, headers=own, timeout=10).status_code == 403  # no token
    token = browser.cookies.get("__RequestVerificationToken")
    assert browser.post(target, headers={**own, "RequestVerificationToken": "0" * 32}, timeout=10).status_code == 403
    assert browser.post(target, headers={**own, "RequestVerificationToken": token}, timeout=10).status_code == 201


def test_a_body_must_declare_its_content_type(server):
    api = server.admin()
    r = api.post(server.url("Workgroups"), data=b'{"Name":"x"}', timeout=10)
    assert r.status_code == 415, r.text
    r = api.post(server.url("Workgroups"), data=b'{"Name":"x"}', headers={"Content-Type": "text/plain"}, timeout=10)
    assert r.status_code == 415, r.text
    r = api.post(server.url("Auth/connect/token"), data=b"grant_type=client_credentials",
                 headers={"Content-Type": "application/json"}, timeout=10)
    assert r.status_code == 415, r.text


def test_programmatic_clients_keep_working_without_browser_signals(server_factory):
    srv = server_factory.start()
    # GoLib: the cookie alone. PyLib: the header and the cookie. Both POST state changes.
    golib = signed_in_cookie(srv, srv.creds.ps_auth)
    assert golib.post(srv.url("Workgroups"), json={"Name": unique("wg")}, timeout=10).status_code == 201
    pylib = srv.admin()
    assert pylib.post(srv.url("Auth/SignAppIn"), timeout=10).status_code == 200
    assert pylib.post(srv.url("Workgroups"), json={"Name": unique("wg")}, timeout=10).status_code == 201
    _, token = oauth_token(srv, srv.creds.client_id, srv.creds.client_secret)
    assert bearer(srv, token["access_token"]).post(srv.url("Workgroups"), json={"Name": unique("wg")},
                                                   timeout=10).status_code == 201


# --- Low: sign-in answers tell nothing about who is linked ----------------------------------

def test_sign_in_failures_look_and_take_the_same_for_linked_and_unlinked_users(server_factory):
    srv = server_factory.start(config_text="[auth]\nlockout_threshold = 1000\n[limits]\nsignin_per_second = 0\n")
    api = srv.admin()
    linked, _ = alice_in_group(api, srv, registration_ids=(1,))
    unlinked = support.create_user(api, srv)
    anon = srv.session()

    def attempt(user):
        start = time.monotonic()
        r = anon.post(srv.url("Auth/SignAppIn"), timeout=10,
                      headers={"Authorization": ps_auth(srv.creds.api_key, user, "wrong-password")})
        return time.monotonic() - start, r

    answers, times = {}, {}
    for name in (linked["UserName"], unlinked["UserName"], "nobody-" + unique()):
        samples = [attempt(name) for _ in range(5)]
        answers[name] = {(r.status_code, r.content) for _, r in samples}
        times[name] = statistics.median(t for t, _ in samples)
    assert len({frozenset(a) for a in answers.values()}) == 1, answers
    # An Argon2id run each time: the unlinked and unknown names cost as much as the linked one.
    slowest, fastest = max(times.values()), min(times.values())
    assert fastest > slowest / 3, times


# --- What a second, attacker's reading of the fix found ---------------------------------------

def ps_auth_from(srv, source: str, auth: str) -> int:
    """POST Auth/SignAppIn with `auth` from another loopback source address; the status."""
    return post_from(srv, "Auth/SignAppIn", source, {"Authorization": auth})[0]


def test_a_revoked_role_stops_releases_of_requests_approved_before(server_factory):
    srv = server_factory.start()
    api = srv.admin()
    sid = create_system(api, srv, create_workgroup(api, srv)["ID"])["ManagedSystemID"]
    g = grant_account(api, srv, sid, max_minutes=600)
    rid = bare_int(g.request(duration=600))
    assert g.s.get(srv.url(f"Credentials/{rid}"), timeout=10).status_code == 200
    group = next(x["GroupID"] for x in api.get(srv.url("UserGroups"), timeout=10).json()
                 if g.user["UserID"] in {m["UserID"] for m in
                                         api.get(srv.url(f"UserGroups/{x['GroupID']}/Users"), timeout=10).json()})
    assert api.delete(srv.url(f"UserGroups/{group}/SmartRules/{g.rule_id}/Roles"), timeout=10).status_code == 204
    for path in (f"Credentials/{rid}", f"/requests/{rid}/credentials"):
        r = g.s.get(srv.url(path), timeout=10)
        assert r.status_code == 403, (path, r.status_code, r.text)


def test_a_key_holder_cannot_act_as_the_oauth_clients_own_user(server_factory):
    srv = server_factory.start()
    api = srv.admin()
    alice, group = alice_in_group(api, srv)
    reg = new_registration(api, srv, UserGroupIDs=[group["GroupID"]])
    app_user = f"oauth-{reg['ClientId'].lower()}"
    r = srv.session(ps_auth(reg["Key"], app_user)).post(srv.url("Auth/SignAppIn"), timeout=10)
    assert r.status_code == 401, r.text
    # The client itself still acts as that user.
    _, token = oauth_token(srv, reg["ClientId"], reg["ClientSecret"])
    assert bearer(srv, token["access_token"]).post(srv.url("Auth/SignAppIn"), timeout=10).json()["UserName"] == app_user


def test_a_key_holder_elsewhere_cannot_lock_another_user_out(server_factory):
    srv = server_factory.start()
    api = srv.admin()
    pw = srv.creds.password
    for _ in range(6):
        assert ps_auth_from(srv, "127.0.0.3", ps_auth(srv.creds.api_key, "admin", "wrong-password")) == 401
    # The guesser's own source is locked ...
    assert ps_auth_from(srv, "127.0.0.3", ps_auth(srv.creds.api_key, "admin", pw)) == 401
    # ... the administrator, signing in from where they are, is not.
    assert srv.session(ps_auth(srv.creds.api_key, "admin", pw)).post(srv.url("Auth/SignAppIn"), timeout=10).status_code == 200


def test_isa_releases_count_toward_max_concurrent_requests(server_factory):
    srv = server_factory.start()
    api = srv.admin()
    sid = create_system(api, srv, create_workgroup(api, srv)["ID"])["ManagedSystemID"]
    g = grant_account(api, srv, sid, role_ids=(ROLE_ISA,))
    _, other_isa = g.add_user(api, (ROLE_ISA,))
    _, requestor = g.add_user(api, (ROLE_REQUESTOR,))
    body = {"SystemID": sid, "AccountID": g.account_id}
    # The same user again: the new release supersedes their own open one.
    for _ in range(3):
        assert g.s.post(srv.url("ISARequests"), json=body, timeout=10).status_code == 200
    open_isa = [q for q in support.list_requests(g.s, srv, status="active") if q["AccountID"] == g.account_id]
    assert len(open_isa) == 1, open_isa
    # Anyone else is held to MaxConcurrentRequests (1) while it is open.
    r = other_isa.post(srv.url("ISARequests"), json=body, timeout=10)
    assert r.status_code == 409 and "concurrent" in r.text, r.text
    assert support.post_request(requestor, srv, sid, g.account_id).status_code == 409


def test_delete_user_group_by_name_never_reads_the_name_as_an_id(server_factory):
    srv = server_factory.start()
    api = srv.admin()
    victim = support.create_user_group(api, srv, registration_ids=())
    named = support.create_user_group(api, srv, name=str(victim["GroupID"]), registration_ids=())
    assert api.delete(srv.url("UserGroups"), params={"name": str(victim["GroupID"])}, timeout=10).status_code == 200
    assert api.get(srv.url(f"UserGroups/{victim['GroupID']}"), timeout=10).status_code == 200
    names = {x["Name"] for x in api.get(srv.url("UserGroups"), timeout=10).json()}
    assert named["Name"] not in names


def test_a_removed_users_open_requests_no_longer_hold_the_account(server_factory):
    srv = server_factory.start()
    api = srv.admin()
    sid = create_system(api, srv, create_workgroup(api, srv)["ID"])["ManagedSystemID"]
    g = grant_account(api, srv, sid)
    _, other = g.add_user(api, (ROLE_REQUESTOR,))
    bare_int(g.request())
    assert support.post_request(other, srv, g.system_id, g.account_id).status_code == 409
    assert api.delete(srv.url(f"Users/{g.user['UserID']}"), timeout=10).status_code == 204
    assert support.post_request(other, srv, g.system_id, g.account_id).status_code == 201


def test_an_administrator_cannot_lock_out_the_registration_or_user_they_sign_in_with(server_factory):
    srv = server_factory.start()
    api = srv.admin()
    me = admin_id(api, srv)
    assert api.put(srv.url("ApiRegistrations/1"), json={"Active": False}, timeout=10).status_code == 409
    assert api.delete(srv.url(f"ApiRegistrations/1/Users/{me}"), timeout=10).status_code == 409
    assert api.get(srv.url("ApiRegistrations/1"), timeout=10).json()["Active"] is True
    assert api.get(srv.url("Users"), timeout=10).status_code == 200
    # From another registration that admits the administrator, disabling this one is allowed.
    other = new_registration(api, srv, UserIDs=[me])
    from_other = srv.session(ps_auth(other["Key"], "admin"))
    assert from_other.put(srv.url("ApiRegistrations/1"), json={"Active": False}, timeout=10).status_code == 200
    assert api.get(srv.url("Users"), timeout=10).status_code == 401


def test_a_registrations_own_rules_refuse_before_any_user_is_looked_at(server_factory):
    """With an IP rule the caller fails, linked and unlinked names get the same answer."""
    srv = server_factory.start()
    api = srv.admin()
    alice, group = alice_in_group(api, srv)
    reg = new_registration(api, srv, UserGroupIDs=[group["GroupID"]],
                           IPAuthenticationRules=[{"Type": "SingleIP", "Value": "10.9.9.9"}])
    answers = set()
    for name in (alice["UserName"], "admin", "nobody-" + unique()):
        r = srv.session(ps_auth(reg["Key"], name)).post(srv.url("Auth/SignAppIn"), timeout=10)
        answers.add((r.status_code, r.content))
    assert len(answers) == 1 and next(iter(answers))[0] == 401, answers


def test_a_user_named_before_the_name_rules_can_still_be_disabled(server_factory):
    data, creds = server_factory.new_data_dir()
    srv = server_factory.start(data, creds)
    api = srv.admin()
    old = support.create_user(api, srv)
    srv.stop()
    store_backend.execute(data, "UPDATE users SET user_name = 'admin ' WHERE id = ?", (old["UserID"],))
    srv = server_factory.start(data, creds)
    r = srv.admin().put(srv.url(f"Users/{old['UserID']}"), json={"IsActive": False}, timeout=10)
    assert r.status_code == 200 and r.json()["IsActive"] is False, r.text
    r = srv.admin().put(srv.url(f"Users/{old['UserID']}"), json={"UserName": "admin  "}, timeout=10)
    assert r.status_code == 400, r.text
