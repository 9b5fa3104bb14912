"""Onboarding real targets into psafed for the rotation tests (docs/ROTATION.md).

`onboard(kind, api, srv, target)` creates, through the API, a functional account that
can change passwords on the target, a managed system for the target and one managed
account (a real user, role or directory entry) with auto-management on, and returns a
`Managed` that knows how to ask the target itself whether a password opens it.

`served_password(m)` reads the credential psafed serves for the account the way a client
does (a request, a release, a check-in): the administrators hold a Requestor role with
auto-approval on every account (support.grant_admins_request_all).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Callable

import requests

import support

KINDS = ("ssh", "postgres", "ldap")
PLATFORM = {"ssh": 2, "postgres": 79, "ldap": 10}
SETTLE_TIMEOUT = 60.0  # seconds for a change to reach idle


def new_password(tag: str = "") -> str:
    # A mix of the classes a target may insist on; no quote or newline (not needed by any).
    return f"Rot{tag}-{uuid.uuid4().hex[:16]}#9a"


@dataclass
class Managed:
    kind: str
    srv: support.Server
    system_id: int
    account_id: int
    account_name: str
    opens: Callable[[str], bool]  # asks the target itself
    first_password: str
    target: object


def _post(api, srv, path, body, want=201) -> dict:
    r = api.post(srv.url(path), json=body, timeout=15)
    assert r.status_code == want, (path, r.status_code, r.text)
    return r.json()


def onboard(kind: str, api: requests.Session, srv: support.Server, target, *, keys: bool = False,
            **system_extra) -> Managed:
    """keys (ssh only): the account's SSH key rotates with its password (DSSAutoManagementFlag)."""
    fa_pw, pw = new_password("fa"), new_password("m")
    wg = support.create_workgroup(api, srv)
    if kind == "ssh":
        fa_user = target.add_user(None, fa_pw, sudo_chpasswd=True, sudo_shell=keys)
        user = target.add_user(None, pw)
        fa = _post(api, srv, "FunctionalAccounts", {"PlatformID": 2, "AccountName": fa_user, "Password": fa_pw,
                                                     "ElevationCommand": "sudo", "DisplayName": support.unique("fa")})
        system = _post(api, srv, f"Workgroups/{wg['ID']}/ManagedSystems",
                       {"PlatformID": 2, "SystemName": support.unique("ssh"), "IPAddress": "127.0.0.1",
                        "Port": target.port, "FunctionalAccountID": fa["FunctionalAccountID"],
                        "AutoManagementFlag": True, "SshKeyEnforcementMode": 1, "Timeout": 10, **system_extra})
        name, opens = user, (lambda p, u=user: target.login_ok(u, p))
        body = {"AccountName": user, "DSSAutoManagementFlag": keys}
    elif kind == "postgres":
        fa_role = target.create_role(None, fa_pw, createrole=True)
        role = target.create_role(None, pw)
        fa = _post(api, srv, "FunctionalAccounts", {"PlatformID": 79, "AccountName": fa_role, "Password": fa_pw,
                                                     "DisplayName": support.unique("fa")})
        asset = _post(api, srv, f"Workgroups/{wg['ID']}/Assets",
                      {"AssetName": support.unique("pghost"), "IPAddress": "127.0.0.1"})
        db = _post(api, srv, f"Assets/{asset['AssetID']}/Databases",
                   {"PlatformID": 79, "InstanceName": "postgres", "Port": target.port})
        system = _post(api, srv, f"Databases/{db['DatabaseID']}/ManagedSystems",
                       {"FunctionalAccountID": fa["FunctionalAccountID"], "AutoManagementFlag": True,
                        "Timeout": 10, **system_extra})
        name, opens = role, (lambda p, r=role: target.login_ok(r, p))
        body = {"AccountName": role}
    elif kind == "ldap":
        fa_dn = target.add_person("psafe-fa-" + uuid.uuid4().hex[:10], fa_pw, writer=True)
        uid = "psafe-t-" + uuid.uuid4().hex[:10]
        dn = target.add_person(uid, pw)
        fa = _post(api, srv, "FunctionalAccounts", {"PlatformID": 10, "AccountName": fa_dn, "Password": fa_pw,
                                                     "DisplayName": support.unique("fa")})
        system = _post(api, srv, f"Workgroups/{wg['ID']}/ManagedSystems",
                       {"PlatformID": 10, "SystemName": support.unique("ldap"), "IPAddress": "127.0.0.1",
                        "Port": target.port, "FunctionalAccountID": fa["FunctionalAccountID"],
                        "AutoManagementFlag": True, "Timeout": 10, **system_extra})
        name, opens = uid, (lambda p, d=dn: target.bind_ok(d, p))
        body = {"AccountName": uid, "DistinguishedName": dn}
    else:
        raise AssertionError(kind)
    acct = _post(api, srv, f"ManagedSystems/{system['ManagedSystemID']}/ManagedAccounts",
                 {**body, "Password": pw, "AutoManagementFlag": True})
    return Managed(kind, srv, system["ManagedSystemID"], acct["ManagedAccountID"], name, opens, pw, target)


def account(api, m: Managed) -> dict:
    r = api.get(m.srv.url(f"ManagedAccounts/{m.account_id}"), timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def wait_idle(api, m: Managed, timeout: float = SETTLE_TIMEOUT) -> dict:
    """Waits until the account has no change queued or in flight; returns it."""
    def idle():
        a = account(api, m)
        return a if a["ChangeState"] == 0 and not a["IsChanging"] else None
    return support.wait_for(idle, timeout=timeout, what=f"the change of account {m.account_id} to settle")


def served_password(api, m: Managed) -> str:
    """What psafed releases for the account now (request, release, check-in)."""
    r = support.post_request(api, m.srv, m.system_id, m.account_id, duration=5, reason="rotation e2e")
    assert r.status_code in (200, 201), (r.status_code, r.text)
    rid = support.bare_int(r)
    try:
        return support.retrieve_password(api, m.srv, rid)
    finally:
        support.checkin(api, m.srv, rid)


def change(api, m: Managed, body: dict | None = None) -> requests.Response:
    return api.post(m.srv.url(f"ManagedAccounts/{m.account_id}/Credentials/Change"), json=body or {}, timeout=60)


def credential_opens(api, m: Managed) -> bool:
    r = api.post(m.srv.url(f"ManagedAccounts/{m.account_id}/Credentials/Test"), json={}, timeout=60)
    assert r.status_code == 200, (r.status_code, r.text)
    assert set(r.json()) == {"Success"}, r.text
    return r.json()["Success"]
