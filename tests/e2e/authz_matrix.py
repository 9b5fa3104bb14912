"""The authorization matrix (issue 7): every route of src/api/routes.cc, how to call it, and
the exact status each kind of caller gets. test_authorization_matrix.py fails when a route
is missing here, so a new endpoint cannot ship without deciding who may call it.

Callers: `anon` (no credentials; bad keys, unknown runas users and locked-out users get the
same 401 on every signed-in route, tested separately), `user` (signed in, no role, no grant:
the administrator's objects are "another user's"), `requestor`, `approver`, `isa` and
`auditor` (each holding that one role on a smart rule over every account, under a policy that
needs one approval), and `admin`. A role holder expects what `user` expects unless the row
names it: roles open requests, approvals, ISA and the audit trail, and nothing else.
Each row's `make(ctx)` builds a fresh target (admin-created unless it says otherwise) and
returns (path relative to the API base, JSON body or None).
"""

from __future__ import annotations

import uuid

import support


def u(prefix="m"):
    return support.unique(prefix)


# Objects built on demand by the admin session `a` on server `s`.
def wg(c):
    return support.create_workgroup(c.a, c.s)


def system(c):
    return support.create_system(c.a, c.s, c.wg["ID"])


def account(c, password="Mx/1"):
    return support.create_account(c.a, c.s, c.system["ManagedSystemID"], password=password)


def asset(c):
    r = c.a.post(c.s.url(f"Workgroups/{c.wg['ID']}/Assets"), json={"AssetName": u("as"), "IPAddress": "10.0.0.1"},
                 timeout=10)
    assert r.status_code == 201, r.text
    return r.json()


def functional_account(c):
    r = c.a.post(c.s.url("FunctionalAccounts"), timeout=10,
                 json={"PlatformID": 2, "AccountName": u("fa"), "Password": "Fa/" + uuid.uuid4().hex})
    assert r.status_code == 201, r.text
    return r.json()["FunctionalAccountID"]


def database(c):
    r = c.a.post(c.s.url(f"Assets/{asset(c)['AssetID']}/Databases"), timeout=10,
                 json={"PlatformID": 79, "InstanceName": "postgres", "Port": 5432})
    assert r.status_code == 201, r.text
    return r.json()["DatabaseID"]


def unreachable_account(c):
    """An account on a Linux system at a closed loopback port: a test fails fast."""
    sys_ = support.create_system(c.a, c.s, c.wg["ID"], IPAddress="127.0.0.1", Port=1, Timeout=5)
    return support.create_account(c.a, c.s, sys_["ManagedSystemID"], password="Mx/1")["ManagedAccountID"]


def admin_request(c):
    """An approved request of the administrator's own, on a fresh account."""
    acct = account(c)
    r = c.a.post(c.s.url("Requests"), timeout=10,
                 json={"SystemID": c.system["ManagedSystemID"], "AccountID": acct["ManagedAccountID"],
                       "DurationMinutes": 5, "Reason": "matrix"})
    assert r.status_code == 201, r.text
    return int(r.text)


def pending_request(c):
    """A request of the requestor's own, waiting for one approval."""
    acct = account(c)
    r = c.sessions["requestor"].post(c.s.url("Requests"), timeout=10,
                                     json={"SystemID": c.system["ManagedSystemID"], "AccountID": acct["ManagedAccountID"],
                                           "DurationMinutes": 5, "Reason": "matrix"})
    assert r.status_code == 201, r.text
    return int(r.text)


def alias(c, acct=None):
    """An alias mapped to a fresh account (or `acct`)."""
    acct = acct or account(c)
    r = c.a.post(c.s.url("Aliases"), timeout=10, json={
        "AliasName": u("alias"), "MappedAccounts": [{"SystemID": c.system["ManagedSystemID"],
                                                    "AccountID": acct["ManagedAccountID"]}]})
    assert r.status_code == 201, r.text
    return r.json()["AliasID"]


def alias_request(c):
    """(alias id, an approved request of the administrator's own for the alias's account)."""
    acct = account(c)
    aid = alias(c, acct)
    r = c.a.post(c.s.url(f"Aliases/{aid}/Requests"), json={"DurationMinutes": 5, "Reason": "matrix"}, timeout=10)
    assert r.status_code == 201, r.text
    return aid, int(r.text)


def password_rule(c):
    r = c.a.post(c.s.url("PasswordRules"), json={"Name": u("pr"), "MinimumLength": 12}, timeout=10)
    assert r.status_code == 201, r.text
    return r.json()["PasswordRuleID"]


def safe(c):
    return support.create_safe(c.a, c.s)


def new_user(c):
    return support.create_user(c.a, c.s)["UserID"]


def new_group(c):
    return support.create_user_group(c.a, c.s, registration_ids=())["GroupID"]


def member(c):
    """(group id, user id) of a fresh membership."""
    group, user = new_group(c), new_user(c)
    assert c.a.post(c.s.url(f"UserGroups/{group}/Users/{user}"), timeout=10).status_code == 201
    return group, user


def roles(c):
    """(group id, smart rule id) where the group holds a role."""
    group, rule = new_group(c), support.create_smart_rule(c.a, c.s)["SmartRuleID"]
    r = c.a.post(c.s.url(f"UserGroups/{group}/SmartRules/{rule}/Roles"), json={"Roles": [{"RoleID": 1}]}, timeout=10)
    assert r.status_code == 204, r.text
    return group, rule


def registration(c):
    r = c.a.post(c.s.url("ApiRegistrations"), json={"Name": u("reg")}, timeout=10)
    assert r.status_code == 201, r.text
    return r.json()["Id"]


def linked(c, kind):
    """(registration id, linked user or group id)."""
    reg, other = registration(c), new_user(c) if kind == "Users" else new_group(c)
    assert c.a.post(c.s.url(f"ApiRegistrations/{reg}/{kind}/{other}"), timeout=10).status_code == 201
    return reg, other


def granted_folder(c):
    """(safe id, group id) where the group holds a grant."""
    folder, group = safe(c)["Id"], new_group(c)
    r = c.a.post(c.s.url(f"secrets-safe/folders/{folder}/grants"), json={"UserGroupId": group, "AccessLevel": "read"},
                 timeout=10)
    assert r.status_code == 204, r.text
    return folder, group


def secret(c, folder=None):
    return support.create_credential_secret(c.a, c.s, (folder or safe(c))["Id"])


def file_secret(c):
    return support.create_file_secret(c.a, c.s, safe(c)["Id"], b"matrix")


GUID = "00000000-0000-4000-8000-00000000dead"

OK, C, N = 200, 201, 204

# (method, route as in routes.cc) -> (make, {"anon": .., "user": .., "admin": ..})
MATRIX = {
    # Outside the API base: public by design (a load balancer's probe; the CRL clients fetch).
    ("GET", "/health"): (lambda c: (c.s.root + "/health", None), {"anon": OK, "user": OK, "admin": OK}),
    ("GET", "/tls/ca.crl"): (lambda c: (c.s.root + "/tls/ca.crl", None), {"anon": OK, "user": OK, "admin": OK}),
    ("POST", "auth/signappin"): (lambda c: ("/auth/signappin", None), {"anon": 401, "user": OK, "admin": OK}),
    ("POST", "auth/signappout"): (lambda c: ("/auth/signappout", None), {"anon": 401, "user": OK, "admin": OK}),
    ("POST", "Auth/Signout"): (lambda c: ("Auth/Signout", None), {"anon": 401, "user": OK, "admin": OK}),
    ("DELETE", "Auth/Signout"): (lambda c: ("Auth/Signout", None), {"anon": 401, "user": OK, "admin": OK}),
    ("POST", "Auth/connect/token"): (lambda c: ("Auth/connect/token", "form"), {"anon": OK, "user": OK, "admin": OK}),
    ("GET", "Workgroups"): (lambda c: ("Workgroups", None), {"anon": 401, "user": 403, "admin": OK}),
    ("POST", "Workgroups"): (lambda c: ("Workgroups", {"Name": u("wg")}), {"anon": 401, "user": 403, "admin": C}),
    ("GET", "Workgroups/{workgroup}"): (lambda c: (f"Workgroups/{c.wg['ID']}", None),
                                        {"anon": 401, "user": 403, "admin": OK}),
    ("GET", "Workgroups/{workgroup}/Assets"): (lambda c: (f"Workgroups/{c.wg['ID']}/Assets", None),
                                               {"anon": 401, "user": 403, "admin": OK}),
    ("POST", "Workgroups/{workgroup}/Assets"): (lambda c: (f"Workgroups/{c.wg['ID']}/Assets",
                                                           {"AssetName": u("as"), "IPAddress": "10.0.0.2"}),
                                                {"anon": 401, "user": 403, "admin": C}),
    ("GET", "Workgroups/{workgroup}/Assets/{assetName}"): (
        lambda c: (f"Workgroups/{c.wg['ID']}/Assets/{asset(c)['AssetName']}", None),
        {"anon": 401, "user": 403, "admin": OK}),
    ("GET", "Workgroups/{workgroup}/ManagedSystems"): (lambda c: (f"Workgroups/{c.wg['ID']}/ManagedSystems", None),
                                                       {"anon": 401, "user": 403, "admin": OK}),
    ("GET", "Assets/{id}/ManagedSystems"): (lambda c: (f"Assets/{asset(c)['AssetID']}/ManagedSystems", None),
                                            {"anon": 401, "user": 403, "admin": OK}),
    ("GET", "EntityTypes"): (lambda c: ("EntityTypes", None), {"anon": 401, "user": OK, "admin": OK}),
    ("GET", "OperatingSystems"): (lambda c: ("OperatingSystems", None), {"anon": 401, "user": OK, "admin": OK}),
    ("GET", "SmartRules/{id}"): (lambda c: (f"SmartRules/{support.create_smart_rule(c.a, c.s)['SmartRuleID']}", None),
                                 {"anon": 401, "user": 403, "admin": OK}),
    ("GET", "UserGroups/{id}/SmartRules"): (lambda c: (f"UserGroups/{new_group(c)}/SmartRules", None),
                                            {"anon": 401, "user": 403, "admin": OK}),
    ("GET", "PasswordRules/{id}"): (lambda c: (f"PasswordRules/{password_rule(c)}", None),
                                    {"anon": 401, "user": 403, "admin": OK}),
    ("GET", "DSSKeyRules"): (lambda c: ("DSSKeyRules", None), {"anon": 401, "user": 403, "admin": OK}),
    ("GET", "DSSKeyRules/{id}"): (lambda c: ("DSSKeyRules/1", None), {"anon": 401, "user": 403, "admin": OK}),
    ("GET", "Assets/{id}"): (lambda c: (f"Assets/{asset(c)['AssetID']}", None), {"anon": 401, "user": 403, "admin": OK}),
    ("DELETE", "Assets/{id}"): (lambda c: (f"Assets/{asset(c)['AssetID']}", None),
                                {"anon": 401, "user": 403, "admin": N}),
    ("POST", "Assets/{id}/ManagedSystems"): (lambda c: (f"Assets/{asset(c)['AssetID']}/ManagedSystems",
                                                        {"PlatformID": 2}), {"anon": 401, "user": 403, "admin": C}),
    ("POST", "Workgroups/{workgroup}/ManagedSystems"): (
        lambda c: (f"Workgroups/{c.wg['ID']}/ManagedSystems", {"SystemName": u("sys"), "PlatformID": 2}),
        {"anon": 401, "user": 403, "admin": C}),
    ("GET", "managedsystems"): (lambda c: ("ManagedSystems", None), {"anon": 401, "user": 403, "admin": OK}),
    ("GET", "ManagedSystems/{id}"): (lambda c: (f"ManagedSystems/{c.system['ManagedSystemID']}", None),
                                     {"anon": 401, "user": 403, "admin": OK}),
    ("DELETE", "ManagedSystems/{id}"): (lambda c: (f"ManagedSystems/{system(c)['ManagedSystemID']}", None),
                                        {"anon": 401, "user": 403, "admin": N}),
    ("POST", "ManagedSystems/{id}/ManagedAccounts"): (
        lambda c: (f"ManagedSystems/{c.system['ManagedSystemID']}/ManagedAccounts", {"AccountName": u("ac")}),
        {"anon": 401, "user": 403, "admin": C}),
    ("GET", "ManagedSystems/{id}/ManagedAccounts"): (
        lambda c: (f"ManagedSystems/{c.system['ManagedSystemID']}/ManagedAccounts", None),
        {"anon": 401, "user": 403, "admin": OK}),
    ("GET", "managedaccounts"): (lambda c: ("ManagedAccounts", None), {"anon": 401, "user": OK, "admin": OK}),
    ("GET", "ManagedAccounts/{id}"): (lambda c: (f"ManagedAccounts/{account(c)['ManagedAccountID']}", None),
                                      {"anon": 401, "user": 403, "admin": OK}),
    ("DELETE", "ManagedAccounts/{id}"): (lambda c: (f"ManagedAccounts/{account(c)['ManagedAccountID']}", None),
                                         {"anon": 401, "user": 403, "admin": N}),
    ("PUT", "ManagedAccounts/{id}/Credentials"): (
        lambda c: (f"ManagedAccounts/{account(c)['ManagedAccountID']}/Credentials",
                   {"Password": "New/1", "UpdateSystem": False}), {"anon": 401, "user": 403, "admin": N}),
    ("PUT", "ManagedAccounts/{id}"): (lambda c: (f"ManagedAccounts/{account(c)['ManagedAccountID']}",
                                                 {"Description": "d"}), {"anon": 401, "user": 403, "admin": OK}),
    ("GET", "ManagedAccounts/{id}/Credentials"): (
        lambda c: (f"ManagedAccounts/{account(c)['ManagedAccountID']}/Credentials", None),
        {"anon": 401, "user": 403, "isa": OK, "admin": OK}),
    ("POST", "ManagedAccounts/{id}/Requests/Terminate"): (
        lambda c: (f"ManagedAccounts/{account(c)['ManagedAccountID']}/Requests/Terminate", None),
        {"anon": 401, "user": 403, "admin": N}),
    ("POST", "ManagedSystems/{id}/Requests/Terminate"): (
        lambda c: (f"ManagedSystems/{system(c)['ManagedSystemID']}/Requests/Terminate", None),
        {"anon": 401, "user": 403, "admin": N}),
    ("POST", "Users/{id}/Requests/Terminate"): (lambda c: (f"Users/{new_user(c)}/Requests/Terminate", None),
                                                {"anon": 401, "user": 403, "admin": N}),
    ("POST", "ManagedAccounts/{id}/Credentials/Change"): (
        lambda c: (f"ManagedAccounts/{account(c)['ManagedAccountID']}/Credentials/Change", {}),
        {"anon": 401, "user": 403, "admin": N}),
    ("POST", "ManagedAccounts/{id}/Credentials/Test"): (
        lambda c: (f"ManagedAccounts/{unreachable_account(c)}/Credentials/Test", {}),
        {"anon": 401, "user": 403, "admin": OK}),
    ("PUT", "ManagedSystems/{id}"): (lambda c: (f"ManagedSystems/{system(c)['ManagedSystemID']}", {"Description": "d"}),
                                     {"anon": 401, "user": 403, "admin": OK}),
    ("PUT", "ManagedSystems/{id}/HostKey"): (
        lambda c: (f"ManagedSystems/{system(c)['ManagedSystemID']}/HostKey", {"Fingerprint": "SHA256:abc"}),
        {"anon": 401, "user": 403, "admin": N}),
    ("DELETE", "ManagedSystems/{id}/HostKey"): (
        lambda c: (f"ManagedSystems/{system(c)['ManagedSystemID']}/HostKey", None),
        {"anon": 401, "user": 403, "admin": N}),
    ("POST", "ManagedSystems/{id}/ManagedAccounts/Credentials/Change"): (
        lambda c: (f"ManagedSystems/{system(c)['ManagedSystemID']}/ManagedAccounts/Credentials/Change", {}),
        {"anon": 401, "user": 403, "admin": N}),
    # Platforms are the product's catalogue: any signed-in caller may read it.
    ("GET", "Platforms"): (lambda c: ("Platforms", None), {"anon": 401, "user": OK, "admin": OK}),
    ("GET", "Platforms/{id}"): (lambda c: ("Platforms/2", None), {"anon": 401, "user": OK, "admin": OK}),
    ("GET", "FunctionalAccounts"): (lambda c: ("FunctionalAccounts", None), {"anon": 401, "user": 403, "admin": OK}),
    ("POST", "FunctionalAccounts"): (lambda c: ("FunctionalAccounts", {"PlatformID": 2, "AccountName": u("fa"),
                                                                        "Password": "Fa/" + uuid.uuid4().hex}),
                                     {"anon": 401, "user": 403, "admin": C}),
    ("GET", "FunctionalAccounts/{id}"): (lambda c: (f"FunctionalAccounts/{functional_account(c)}", None),
                                         {"anon": 401, "user": 403, "admin": OK}),
    ("DELETE", "FunctionalAccounts/{id}"): (lambda c: (f"FunctionalAccounts/{functional_account(c)}", None),
                                            {"anon": 401, "user": 403, "admin": N}),
    ("POST", "Assets/{id}/Databases"): (lambda c: (f"Assets/{asset(c)['AssetID']}/Databases",
                                                   {"PlatformID": 79, "InstanceName": "db1", "Port": 5432}),
                                        {"anon": 401, "user": 403, "admin": C}),
    ("GET", "Assets/{id}/Databases"): (lambda c: (f"Assets/{asset(c)['AssetID']}/Databases", None),
                                       {"anon": 401, "user": 403, "admin": OK}),
    ("GET", "Databases"): (lambda c: ("Databases", None), {"anon": 401, "user": 403, "admin": OK}),
    ("GET", "Databases/{id}"): (lambda c: (f"Databases/{database(c)}", None), {"anon": 401, "user": 403, "admin": OK}),
    ("PUT", "Databases/{id}"): (lambda c: (f"Databases/{database(c)}", {"Version": "15"}),
                                {"anon": 401, "user": 403, "admin": OK}),
    ("DELETE", "Databases/{id}"): (lambda c: (f"Databases/{database(c)}", None), {"anon": 401, "user": 403, "admin": OK}),
    ("POST", "Databases/{id}/ManagedSystems"): (lambda c: (f"Databases/{database(c)}/ManagedSystems", {}),
                                                {"anon": 401, "user": 403, "admin": C}),
    ("GET", "Users"): (lambda c: ("Users", None), {"anon": 401, "user": 403, "admin": OK}),
    ("POST", "Users"): (lambda c: ("Users", {"UserName": u("usr"), "Password": "Pw-" + uuid.uuid4().hex}),
                        {"anon": 401, "user": 403, "admin": C}),
    ("GET", "UserGroups"): (lambda c: ("UserGroups", None), {"anon": 401, "user": 403, "admin": OK}),
    ("POST", "UserGroups"): (lambda c: ("UserGroups", {"groupName": u("grp")}), {"anon": 401, "user": 403, "admin": C}),
    ("GET", "UserGroups/{group}"): (lambda c: ("UserGroups/1", None), {"anon": 401, "user": 403, "admin": OK}),
    ("GET", "UserGroups/{id}/Users"): (lambda c: ("UserGroups/1/Users", None), {"anon": 401, "user": 403, "admin": OK}),
    ("POST", "UserGroups/{id}/Users/{userId}"): (
        lambda c: (f"UserGroups/{support.create_user_group(c.a, c.s)['GroupID']}/Users/"
                   f"{support.create_user(c.a, c.s)['UserID']}", None), {"anon": 401, "user": 403, "admin": C}),
    ("POST", "UserGroups/{id}/SmartRules/{ruleId}/Roles"): (
        lambda c: (f"UserGroups/{support.create_user_group(c.a, c.s)['GroupID']}/SmartRules/"
                   f"{support.create_smart_rule(c.a, c.s)['SmartRuleID']}/Roles", {"Roles": [{"RoleID": 1}]}),
        {"anon": 401, "user": 403, "admin": N}),
    # Revocation (issue 12): every removal is the administrator's alone.
    ("GET", "Users/{id}"): (lambda c: (f"Users/{new_user(c)}", None),
        {"anon": 401, "user": 403, "admin": OK}),
    ("PUT", "Users/{id}"): (lambda c: (f"Users/{new_user(c)}", {"FirstName": "matrix"}),
        {"anon": 401, "user": 403, "admin": OK}),
    ("DELETE", "Users/{id}"): (lambda c: (f"Users/{new_user(c)}", None),
        {"anon": 401, "user": 403, "admin": N}),
    ("POST", "Users/{userId}/UserGroups/{groupId}"): (lambda c: (f"Users/{new_user(c)}/UserGroups/{new_group(c)}", None),
        {"anon": 401, "user": 403, "admin": C}),
    ("DELETE", "Users/{userId}/UserGroups/{groupId}"): (lambda c: (lambda m: (f"Users/{m[1]}/UserGroups/{m[0]}", None))(member(c)),
        {"anon": 401, "user": 403, "admin": N}),
    ("DELETE", "UserGroups"): (lambda c: (f"UserGroups?name={support.create_user_group(c.a, c.s, registration_ids=())['Name']}", None),
        {"anon": 401, "user": 403, "admin": OK}),
    ("DELETE", "UserGroups/{group}"): (lambda c: (f"UserGroups/{new_group(c)}", None),
        {"anon": 401, "user": 403, "admin": N}),
    ("DELETE", "UserGroups/{id}/Users/{userId}"): (lambda c: (lambda m: (f"UserGroups/{m[0]}/Users/{m[1]}", None))(member(c)),
        {"anon": 401, "user": 403, "admin": N}),
    ("DELETE", "UserGroups/{id}/SmartRules/{ruleId}/Roles"): (lambda c: (lambda g: (f"UserGroups/{g[0]}/SmartRules/{g[1]}/Roles", None))(roles(c)),
        {"anon": 401, "user": 403, "admin": N}),
    ("DELETE", "ApiRegistrations/{id}"): (lambda c: (f"ApiRegistrations/{registration(c)}", None),
        {"anon": 401, "user": 403, "admin": N}),
    ("GET", "ApiRegistrations/{id}/Users"): (lambda c: ("ApiRegistrations/1/Users", None),
        {"anon": 401, "user": 403, "admin": OK}),
    ("GET", "ApiRegistrations/{id}/UserGroups"): (lambda c: ("ApiRegistrations/1/UserGroups", None),
        {"anon": 401, "user": 403, "admin": OK}),
    ("POST", "ApiRegistrations/{id}/Users/{userId}"): (lambda c: (f"ApiRegistrations/{registration(c)}/Users/{new_user(c)}", None),
        {"anon": 401, "user": 403, "admin": C}),
    ("DELETE", "ApiRegistrations/{id}/Users/{userId}"): (lambda c: (lambda l: (f"ApiRegistrations/{l[0]}/Users/{l[1]}", None))(linked(c, "Users")),
        {"anon": 401, "user": 403, "admin": N}),
    ("POST", "ApiRegistrations/{id}/UserGroups/{groupId}"): (lambda c: (f"ApiRegistrations/{registration(c)}/UserGroups/{new_group(c)}", None),
        {"anon": 401, "user": 403, "admin": C}),
    ("DELETE", "ApiRegistrations/{id}/UserGroups/{groupId}"): (lambda c: (lambda l: (f"ApiRegistrations/{l[0]}/UserGroups/{l[1]}", None))(linked(c, "UserGroups")),
        {"anon": 401, "user": 403, "admin": N}),
    ("DELETE", "secrets-safe/folders/{id}/grants/{groupId}"): (
        lambda c: (lambda g: (f"secrets-safe/folders/{g[0]}/grants/{g[1]}", None))(granted_folder(c)),
        {"anon": 401, "user": 404, "admin": N}),
    ("GET", "Roles"): (lambda c: ("Roles", None), {"anon": 401, "user": OK, "admin": OK}),
    ("GET", "AccessLevels"): (lambda c: ("AccessLevels", None), {"anon": 401, "user": OK, "admin": OK}),
    ("GET", "SmartRules"): (lambda c: ("SmartRules", None), {"anon": 401, "user": 403, "admin": OK}),
    ("POST", "SmartRules"): (lambda c: ("SmartRules", {"Title": u("rule")}), {"anon": 401, "user": 403, "admin": C}),
    ("GET", "AccessPolicies"): (lambda c: ("AccessPolicies", None), {"anon": 401, "user": 403, "admin": OK}),
    ("POST", "AccessPolicies"): (lambda c: ("AccessPolicies", {"Name": u("pol"), "RequiredApprovals": 0}),
                                 {"anon": 401, "user": 403, "admin": C}),
    ("GET", "PasswordRules"): (lambda c: ("PasswordRules", None), {"anon": 401, "user": 403, "admin": OK}),
    ("POST", "PasswordRules"): (lambda c: ("PasswordRules", {"Name": u("pr"), "MinimumLength": 12}),
                                {"anon": 401, "user": 403, "admin": C}),
    ("GET", "Audit"): (lambda c: ("Audit", None), {"anon": 401, "user": 403, "auditor": OK, "admin": OK}),
    ("GET", "UserAudits"): (lambda c: ("UserAudits", None), {"anon": 401, "user": 403, "auditor": OK, "admin": OK}),
    ("GET", "ApiRegistrations"): (lambda c: ("ApiRegistrations", None), {"anon": 401, "user": 403, "admin": OK}),
    ("POST", "ApiRegistrations"): (lambda c: ("ApiRegistrations", {"Name": u("reg")}),
                                   {"anon": 401, "user": 403, "admin": C}),
    ("GET", "ApiRegistrations/{id}"): (lambda c: ("ApiRegistrations/1", None), {"anon": 401, "user": 403, "admin": OK}),
    ("PUT", "ApiRegistrations/{id}"): (lambda c: ("ApiRegistrations/1", {"UserPasswordRequired": False}),
                                       {"anon": 401, "user": 403, "admin": OK}),
    ("POST", "requests"): (lambda c: ("Requests", {"SystemID": c.system["ManagedSystemID"],
                                                   "AccountID": account(c)["ManagedAccountID"], "DurationMinutes": 5}),
                           {"anon": 401, "user": 403, "requestor": C, "admin": C}),
    ("GET", "requests"): (lambda c: ("Requests", None), {"anon": 401, "user": OK, "admin": OK}),
    ("GET", "requests/{id}"): (lambda c: (f"/requests/{admin_request(c)}", None),
                              {"anon": 401, "user": 404, "approver": OK, "admin": OK}),
    ("PUT", "requests/{id}"): (lambda c: (f"/requests/{admin_request(c)}", {"Action": "Cancel"}),
                               {"anon": 401, "user": 404, "admin": OK}),
    ("DELETE", "requests/{id}"): (lambda c: (f"/requests/{admin_request(c)}", None),
                                  {"anon": 401, "user": 404, "admin": OK}),
    ("GET", "requests/{id}/credentials"): (lambda c: (f"/requests/{admin_request(c)}/credentials", None),
                                           {"anon": 401, "user": 404, "admin": OK}),
    # Approve and Deny: the requestor's own pending request; only an approver other than its
    # requestor decides.
    ("PUT", "Requests/{id}/Approve"): (lambda c: (f"Requests/{pending_request(c)}/Approve", {}),
                                    {"anon": 401, "user": 404, "requestor": 403, "approver": N, "admin": 404}),
    ("PUT", "Requests/{id}/Deny"): (lambda c: (f"Requests/{pending_request(c)}/Deny", {}),
                                    {"anon": 401, "user": 404, "requestor": 403, "approver": N, "admin": 404}),
    ("PUT", "Requests/{id}/Checkin"): (lambda c: (f"Requests/{admin_request(c)}/Checkin", {}),
                                       {"anon": 401, "user": 404, "admin": N}),
    ("PUT", "Requests/{id}/RotateOnCheckin"): (lambda c: (f"Requests/{admin_request(c)}/RotateOnCheckin", None),
                                               {"anon": 401, "user": 404, "admin": N}),
    ("GET", "Credentials/{id}"): (lambda c: (f"Credentials/{admin_request(c)}", None),
                                  {"anon": 401, "user": 404, "admin": OK}),
    ("POST", "ISARequests"): (lambda c: ("ISARequests", {"SystemID": c.system["ManagedSystemID"],
                                                         "AccountID": account(c)["ManagedAccountID"]}),
                              {"anon": 401, "user": 403, "isa": OK, "admin": 403}),
    # Aliases: seen (and requested through) by whoever may request or ISA-retrieve the account.
    ("GET", "Aliases"): (lambda c: ("Aliases", None), {"anon": 401, "user": OK, "admin": OK}),
    ("POST", "Aliases"): (lambda c: ("Aliases", {"AliasName": u("alias")}), {"anon": 401, "user": 403, "admin": C}),
    ("GET", "Aliases/{alias}"): (lambda c: (f"Aliases/{alias(c)}", None),
                                 {"anon": 401, "user": 404, "requestor": OK, "isa": OK, "admin": OK}),
    ("PUT", "Aliases/{id}"): (lambda c: (f"Aliases/{alias(c)}", {"AliasName": u("alias")}),
                              {"anon": 401, "user": 403, "admin": OK}),
    ("DELETE", "Aliases/{id}"): (lambda c: (f"Aliases/{alias(c)}", None), {"anon": 401, "user": 403, "admin": N}),
    ("POST", "Aliases/{id}/Requests"): (lambda c: (f"Aliases/{alias(c)}/Requests", {"DurationMinutes": 5}),
                                        {"anon": 401, "user": 404, "requestor": C, "isa": 403, "admin": C}),
    ("GET", "Aliases/{id}/Credentials/{requestId}"): (
        lambda c: ("Aliases/{}/Credentials/{}".format(*alias_request(c)), None),
        {"anon": 401, "user": 404, "requestor": 404, "isa": 404, "admin": OK}),
    ("GET", "secrets-safe/safes"): (lambda c: ("secrets-safe/safes/", None), {"anon": 401, "user": OK, "admin": OK}),
    ("POST", "secrets-safe/safes"): (lambda c: ("secrets-safe/safes/", {"Name": u("safe")}),
                                     {"anon": 401, "user": 403, "admin": C}),
    ("DELETE", "secrets-safe/safes/{id}"): (lambda c: (f"secrets-safe/safes/{safe(c)['Id']}", None),
                                            {"anon": 401, "user": 404, "admin": OK}),
    ("GET", "secrets-safe/folders"): (lambda c: ("secrets-safe/folders/", None), {"anon": 401, "user": OK, "admin": OK}),
    ("POST", "secrets-safe/folders"): (lambda c: ("secrets-safe/folders/", {"Name": u("f"), "ParentId": safe(c)["Id"]}),
                                       {"anon": 401, "user": 404, "admin": C}),
    ("GET", "secrets-safe/folders/{id}"): (lambda c: (f"secrets-safe/folders/{safe(c)['Id']}", None),
                                           {"anon": 401, "user": 404, "admin": OK}),
    ("DELETE", "secrets-safe/folders/{id}"): (lambda c: (f"secrets-safe/folders/{safe(c)['Id']}", None),
                                              {"anon": 401, "user": 404, "admin": OK}),
    ("POST", "secrets-safe/folders/{id}/grants"): (
        lambda c: (f"secrets-safe/folders/{safe(c)['Id']}/grants", {"UserGroupId": 1, "AccessLevel": "read"}),
        {"anon": 401, "user": 404, "admin": N}),
    ("GET", "secrets-safe/folders/{id}/secrets"): (lambda c: (f"secrets-safe/folders/{safe(c)['Id']}/secrets", None),
                                                   {"anon": 401, "user": 404, "admin": OK}),
    ("POST", "secrets-safe/folders/{id}/secrets"): (
        lambda c: (f"secrets-safe/folders/{safe(c)['Id']}/secrets", {"Title": "t", "Password": "p"}),
        {"anon": 401, "user": 404, "admin": C}),
    ("POST", "secrets-safe/folders/{id}/secrets/text"): (
        lambda c: (f"secrets-safe/folders/{safe(c)['Id']}/secrets/text", {"Title": "t", "Text": "x"}),
        {"anon": 401, "user": 404, "admin": C}),
    ("POST", "secrets-safe/folders/{id}/secrets/file"): (
        lambda c: (f"secrets-safe/folders/{safe(c)['Id']}/secrets/file", "multipart"),
        {"anon": 401, "user": 404, "admin": C}),
    ("GET", "secrets-safe/secrets"): (lambda c: ("secrets-safe/secrets", None), {"anon": 401, "user": OK, "admin": OK}),
    ("POST", "secrets-safe/secrets"): (
        lambda c: ("/secrets-safe/secrets", {"title": u("t"), "type": "Password", "password": "p",
                                             "folderName": safe(c)["Name"]}), {"anon": 401, "user": 404, "admin": C}),
    ("GET", "secrets-safe/secrets/{id}"): (lambda c: (f"secrets-safe/secrets/{secret(c)['Id']}", None),
                                           {"anon": 401, "user": 404, "admin": OK}),
    ("DELETE", "secrets-safe/secrets/{id}"): (lambda c: (f"secrets-safe/secrets/{secret(c)['Id']}", None),
                                              {"anon": 401, "user": 404, "admin": OK}),
    ("PUT", "secrets-safe/secrets/{id}"): (lambda c: (f"secrets-safe/secrets/{secret(c)['Id']}", {"Password": "q"}),
                                           {"anon": 401, "user": 404, "admin": OK}),
    ("PUT", "secrets-safe/secrets/{id}/text"): (
        lambda c: (f"secrets-safe/secrets/{support.create_text_secret(c.a, c.s, safe(c)['Id'], 'x')['Id']}/text",
                   {"Text": "y"}), {"anon": 401, "user": 404, "admin": OK}),
    ("PUT", "secrets-safe/secrets/{id}/file"): (lambda c: (f"secrets-safe/secrets/{file_secret(c)['Id']}/file",
                                                           "multipart"), {"anon": 401, "user": 404, "admin": N}),
    ("GET", "secrets-safe/secrets/{id}/file/download"): (
        lambda c: (f"secrets-safe/secrets/{file_secret(c)['Id']}/file/download", None),
        {"anon": 401, "user": 404, "admin": OK}),
}
