"""Rotation against real targets (docs/ROTATION.md): OpenSSH sshd, PostgreSQL 15 and
OpenLDAP slapd, started on loopback by the test setup (targets.py). For each, an account
is onboarded through the API with a functional account, rotated on check-in, by
Credentials/Change, by ForceReset with UpdateSystem and by its schedule, and after each
the target itself is asked: the served credential opens it, the old one no longer does.
"""

from __future__ import annotations

import time

import pytest

import support
from rotation_support import (KINDS, account, change, credential_opens, new_password, onboard, served_password,
                              wait_idle)
from support import unique

pytestmark = pytest.mark.real_targets

ROTATION_CONFIG = """
[rotation]
poll_seconds = 1
retry_seconds = 1
max_retry_seconds = 2
failed_retry_seconds = 3600
"""


@pytest.fixture(scope="module")
def rot_server(tmp_path_factory, psafed_bin):
    """A psafed whose rotation worker polls every second and whose clock the schedule test
    moves (PSAFE_CLOCK_OFFSET_FILE, a Debug-build test hook)."""
    root = tmp_path_factory.mktemp("rotation")
    data = root / "data"
    creds = support.init_data_dir(data)
    offset = root / "clock-offset"
    offset.write_text("0")
    cfg = support.write_config(root / "psafed.toml", ROTATION_CONFIG)
    srv = support.start_server(data, creds, config=cfg, env={"PSAFE_CLOCK_OFFSET_FILE": str(offset)})
    srv.clock_offset = offset
    support.grant_admins_request_all(srv)
    try:
        yield srv
    finally:
        srv.stop()
        srv.assert_no_sanitizer_report()


@pytest.fixture
def admin(rot_server):
    s = rot_server.admin()
    yield s
    s.close()


def target_for(kind, request):
    return request.getfixturevalue({"ssh": "sshd_target", "postgres": "postgres_target", "ldap": "slapd_target"}[kind])


@pytest.fixture(params=KINDS)
def managed(request, admin, rot_server):
    return onboard(request.param, admin, rot_server, target_for(request.param, request))


def assert_rotated(admin, m, old: str) -> str:
    new = served_password(admin, m)
    assert new != old
    assert m.opens(new), f"{m.kind}: the served credential does not open the target"
    assert not m.opens(old), f"{m.kind}: the old credential still opens the target"
    return new


def test_platforms_say_which_have_a_connector(admin, rot_server):
    r = admin.get(rot_server.url("Platforms"), timeout=10)
    assert r.status_code == 200 and isinstance(r.json(), list) and r.json(), r.text
    manageable = {p["PlatformID"] for p in r.json() if p["ManageableFlag"]}
    assert manageable == {2, 10, 79}
    for p in r.json():
        assert p["AutoManagementFlag"] == p["ManageableFlag"]
    r = admin.get(rot_server.url("Platforms/79"), timeout=10)
    assert r.status_code == 200 and r.json()["Name"] == "PostgreSQL" and r.json()["DefaultPort"] == 5432


def test_onboarded_credential_tests_true_and_a_wrong_one_false(admin, managed):
    assert credential_opens(admin, managed)
    # psafe's copy replaced by a wrong one (not on the target): the test answers false.
    r = admin.put(managed.srv.url(f"ManagedAccounts/{managed.account_id}/Credentials"),
                  json={"Password": new_password("wrong"), "UpdateSystem": False}, timeout=10)
    assert r.status_code == 204, r.text
    assert credential_opens(admin, managed) is False
    assert managed.opens(managed.first_password)


def test_rotate_on_checkin_changes_the_target(admin, managed):
    rid = support.bare_int(support.post_request(admin, managed.srv, managed.system_id, managed.account_id,
                                                RotateOnCheckin=True))
    old = support.retrieve_password(admin, managed.srv, rid)
    assert old == managed.first_password and managed.opens(old)
    support.checkin(admin, managed.srv, rid)
    a = wait_idle(admin, managed)
    assert a["LastChangeError"] is None, a
    assert_rotated(admin, managed, old)


def test_credentials_change_and_force_reset_update_the_target(admin, managed):
    r = change(admin, managed)
    assert r.status_code == 204, r.text
    generated = assert_rotated(admin, managed, managed.first_password)
    chosen = new_password("chosen")
    r = admin.put(managed.srv.url(f"ManagedAccounts/{managed.account_id}/Credentials"),
                  json={"Password": chosen, "UpdateSystem": True}, timeout=60)
    assert r.status_code == 204, r.text
    assert served_password(admin, managed) == chosen
    assert managed.opens(chosen) and not managed.opens(generated)
    # Queue=true answers at once; the worker makes the change.
    r = change(admin, managed, {"Queue": True})
    assert r.status_code == 204, r.text
    wait_idle(admin, managed)
    assert_rotated(admin, managed, chosen)


def test_system_wide_change_queues_every_account(admin, managed):
    r = admin.post(managed.srv.url(f"ManagedSystems/{managed.system_id}/ManagedAccounts/Credentials/Change"),
                   json={}, timeout=10)
    assert r.status_code == 204, r.text
    wait_idle(admin, managed)
    assert_rotated(admin, managed, managed.first_password)


def test_schedule_rotates_when_due(admin, managed, rot_server):
    r = admin.put(rot_server.url(f"ManagedAccounts/{managed.account_id}"), timeout=10,
                  json={"ChangeFrequencyType": "xdays", "ChangeFrequencyDays": 1, "ChangeTime": "00:00"})
    assert r.status_code == 200, r.text
    a = r.json()
    assert (a["ChangeFrequencyType"], a["ChangeFrequencyDays"], a["ChangeTime"]) == ("xdays", 1, "00:00")
    before = a["LastChangeDate"]
    try:
        rot_server.clock_offset.write_text(str(3 * 86400))  # three days on: due
        support.wait_for(lambda: account(admin, managed)["LastChangeDate"] != before, timeout=60,
                         what="the scheduled change")
        wait_idle(admin, managed)
        assert_rotated(admin, managed, managed.first_password)
    finally:
        rot_server.clock_offset.write_text("0")


def test_settings_are_kept_and_validated(admin, rot_server, managed):
    sid = managed.system_id
    r = admin.put(rot_server.url(f"ManagedSystems/{sid}"), timeout=10,
                  json={"ChangeFrequencyType": "last", "ChangeFrequencyDays": 7, "ChangeTime": "02:15",
                        "CheckPasswordFlag": True, "ElevationCommand": "sudo", "AccountNameFormat": 1,
                        "RemoteClientType": "EPM", "ResetPasswordOnMismatchFlag": True})
    assert r.status_code == 200, r.text
    got = admin.get(rot_server.url(f"ManagedSystems/{sid}"), timeout=10).json()
    for k, v in {"ChangeFrequencyType": "last", "ChangeFrequencyDays": 7, "ChangeTime": "02:15",
                 "CheckPasswordFlag": True, "ElevationCommand": "sudo", "AccountNameFormat": 1,
                 "RemoteClientType": "EPM", "ResetPasswordOnMismatchFlag": True}.items():
        assert got[k] == v, (k, got[k])
    for field, bad in (("ChangeFrequencyType", "weekly"), ("ChangeFrequencyDays", 0), ("ChangeTime", "25:00"),
                       ("SshKeyEnforcementMode", 3), ("ElevationCommand", "sudo; rm -rf /"),
                       ("FunctionalAccountID", 999999), ("Port", 70000), ("RemoteClientType", "X")):
        r = admin.put(rot_server.url(f"ManagedSystems/{sid}"), json={field: bad}, timeout=10)
        assert r.status_code == 400 and field in r.text, (field, r.status_code, r.text)
    r = admin.put(rot_server.url(f"ManagedAccounts/{managed.account_id}"), json={"Password": "x"}, timeout=10)
    assert r.status_code == 400 and "Password" in r.text, r.text
    assert admin.get(rot_server.url(f"ManagedSystems/{sid}"), timeout=10).json() == got  # nothing half-written


def test_schedule_waits_while_the_account_is_checked_out(admin, rot_server, sshd_target):
    m = onboard("ssh", admin, rot_server, sshd_target)
    r = admin.put(rot_server.url(f"ManagedAccounts/{m.account_id}"), timeout=10,
                  json={"ChangeFrequencyType": "xdays", "ChangeFrequencyDays": 1})
    assert r.status_code == 200, r.text
    # A release that lasts a week, by a user under a policy of its own that allows it.
    rule = support.create_smart_rule(admin, rot_server, AccountIDs=[m.account_id])
    policy = support.create_access_policy(admin, rot_server, required_approvals=0, max_minutes=10080)
    _, holder = support.new_role_user(admin, rot_server, (support.ROLE_REQUESTOR,), rule["SmartRuleID"],
                                      policy["AccessPolicyID"])
    r = support.post_request(holder, rot_server, m.system_id, m.account_id, duration=10080)
    assert r.status_code in (200, 201), r.text
    rid = support.bare_int(r)
    before = account(admin, m)["LastChangeDate"]
    try:
        rot_server.clock_offset.write_text(str(3 * 86400))
        time.sleep(4)  # several rotation passes (poll_seconds = 1) while it is checked out
        assert account(admin, m)["LastChangeDate"] == before, "rotated under a checked-out account"
        support.checkin(holder, rot_server, rid)
        support.wait_for(lambda: account(admin, m)["LastChangeDate"] != before, timeout=60,
                         what="the scheduled change after the check-in")
        wait_idle(admin, m)
        assert credential_opens(admin, m) and not m.opens(m.first_password)
    finally:
        rot_server.clock_offset.write_text("0")


# A password rule only these characters and lengths fit (checked on generated passwords).
RULE_LENGTH = 30  # the built-in rule makes 24: a 30-character password shows the rule was used
EXCLUDED = "aeiouAEIOU01lIO"
SYMBOLS = "!#%+-=@^_~"


def create_password_rule(api, srv) -> dict:
    body = {
        "Name": unique("pwrule"), "Description": "e2e",
        "MinimumLength": RULE_LENGTH, "MaximumLength": RULE_LENGTH,
        "RequireLowercase": True, "RequireUppercase": True, "RequireNumeric": True, "RequireSymbol": True,
        "Symbols": SYMBOLS,
        "ExcludedCharacters": EXCLUDED,
    }
    r = api.post(srv.url("PasswordRules"), json=body, timeout=10)
    assert r.status_code == 201, (r.status_code, r.text)
    rule = r.json()
    assert type(rule["PasswordRuleID"]) is int
    listed = api.get(srv.url("PasswordRules"), timeout=10)
    assert listed.status_code == 200
    assert any(p["PasswordRuleID"] == rule["PasswordRuleID"] for p in listed.json())
    return rule


def assert_fits_rule(pw: str) -> None:
    assert len(pw) == RULE_LENGTH, (len(pw), pw)
    assert any(c.islower() for c in pw), f"no lowercase letter in {pw!r}"
    assert any(c.isupper() for c in pw), f"no uppercase letter in {pw!r}"
    assert any(c.isdigit() for c in pw), f"no digit in {pw!r}"
    assert any(c in SYMBOLS for c in pw), f"no symbol in {pw!r}"
    assert not set(pw) & set(EXCLUDED), f"excluded characters {set(pw) & set(EXCLUDED)} in {pw!r}"
    assert all(c.isalnum() or c in SYMBOLS for c in pw), f"a character outside the rule in {pw!r}"


def test_generated_passwords_follow_the_accounts_rule_on_the_target(admin, rot_server, sshd_target):
    m = onboard("ssh", admin, rot_server, sshd_target)
    rule = create_password_rule(admin, rot_server)
    r = admin.put(rot_server.url(f"ManagedAccounts/{m.account_id}"), json={"PasswordRuleID": rule["PasswordRuleID"]},
                  timeout=10)
    assert r.status_code == 200 and r.json()["PasswordRuleID"] == rule["PasswordRuleID"], r.text
    rid = support.bare_int(support.post_request(admin, rot_server, m.system_id, m.account_id, RotateOnCheckin=True))
    assert support.retrieve_password(admin, rot_server, rid) == m.first_password
    support.checkin(admin, rot_server, rid)
    wait_idle(admin, m)
    new = assert_rotated(admin, m, m.first_password)
    assert_fits_rule(new)


def test_cancelling_a_released_request_rotates_as_a_checkin_would(admin, rot_server, sshd_target):
    m = onboard("ssh", admin, rot_server, sshd_target)
    rid = support.bare_int(support.post_request(admin, rot_server, m.system_id, m.account_id, RotateOnCheckin=True))
    assert support.retrieve_password(admin, rot_server, rid) == m.first_password
    r = admin.delete(rot_server.base + f"/requests/{rid}", timeout=10)
    assert r.status_code == 200, r.text
    wait_idle(admin, m)
    assert_rotated(admin, m, m.first_password)


def served_key(admin, m) -> str:
    r = support.post_request(admin, m.srv, m.system_id, m.account_id, duration=5, reason="key e2e")
    rid = support.bare_int(r)
    try:
        got = admin.get(m.srv.url(f"Credentials/{rid}"), params={"type": "dsskey"}, timeout=10)
        assert got.status_code == 200, got.text
        return support.bare_json_string(got)
    finally:
        support.checkin(admin, m.srv, rid)


def test_ssh_keys_rotate_with_the_password(admin, rot_server, sshd_target, tmp_path):
    """DSSAutoManagementFlag: each change also makes a new Ed25519 key the account's only
    authorized key, verified by signing in with it, and serves it as the dsskey."""
    m = onboard("ssh", admin, rot_server, sshd_target, keys=True)
    assert account(admin, m)["DSSAutoManagementFlag"] is True
    keys = []
    for i in range(2):
        r = change(admin, m)
        assert r.status_code == 204, r.text
        key = served_key(admin, m)
        assert key.startswith("-----BEGIN OPENSSH PRIVATE KEY-----"), key[:40]
        path = tmp_path / f"key{i}"
        path.write_text(key if key.endswith("\n") else key + "\n")
        path.chmod(0o600)
        keys.append(path)
        assert sshd_target.key_login_ok(m.account_name, path), "the served key does not open the target"
        assert m.opens(served_password(admin, m))
    assert not sshd_target.key_login_ok(m.account_name, keys[0]), "the replaced key still opens the target"


def test_an_ssh_account_that_uses_its_own_credentials_changes_itself(admin, rot_server, sshd_target):
    """No functional account: the account signs in with its current password and answers
    passwd's prompts over a PTY."""
    pw = new_password("own")
    user = sshd_target.add_user(None, pw)
    wg = support.create_workgroup(admin, rot_server)
    r = admin.post(rot_server.url(f"Workgroups/{wg['ID']}/ManagedSystems"), timeout=10,
                   json={"PlatformID": 2, "SystemName": unique("own"), "IPAddress": "127.0.0.1",
                         "Port": sshd_target.port, "AutoManagementFlag": True, "Timeout": 10})
    assert r.status_code == 201, r.text
    sid = r.json()["ManagedSystemID"]
    r = admin.post(rot_server.url(f"ManagedSystems/{sid}/ManagedAccounts"), timeout=10,
                   json={"AccountName": user, "Password": pw, "AutoManagementFlag": True, "UseOwnCredentials": True})
    assert r.status_code == 201, r.text
    from rotation_support import Managed
    m = Managed("ssh", rot_server, sid, r.json()["ManagedAccountID"], user,
                lambda p: sshd_target.login_ok(user, p), pw, sshd_target)
    r = change(admin, m)
    assert r.status_code == 204, r.text
    assert_rotated(admin, m, pw)
