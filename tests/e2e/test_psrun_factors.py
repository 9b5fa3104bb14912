"""Client factors, their signature and the registration rules (docs/psrun2.md, "Factors and
signature" and "Registration rules"): psrun2 as a process against psafed, plus hand-made
requests that compute the signature independently (canonical form re-implemented here)."""

from __future__ import annotations

import hashlib
import hmac
import os
import platform
import secrets
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from support import PSRUN2, openssl

FACTORS = ["IPAddress", "MacAddress", "SystemName", "FQDN", "DomainName", "UserId", "RootVolumeId", "OSVersion"]
SIGNIN_PATH = "/BeyondTrust/api/public/v3/Auth/SignAppIn"


def psrun(srv, *args, options=(), key=None):
    env = {k: v for k, v in os.environ.items()}
    env["PSRUN_CA_FILE"] = srv.creds.ca_cert
    argv = [PSRUN2, *options, f"127.0.0.1:{srv.port}", key or srv.creds.api_key, "admin", *args]
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60, input="")


def roles_ok(res):
    assert res.returncode == 0, (res.args[-1], res.stdout, res.stderr)
    assert "Requestor" in res.stdout


def refused(res, why):
    assert res.returncode == 1, (res.stdout, res.stderr)
    assert "HTTP 401" in res.stderr and why in res.stderr, res.stderr


_ADMIN = {}


def set_rules(srv, **fields):
    """PUT ApiRegistrations/1 through a cookie session opened before any rule existed: rules
    are checked at sign-in, so the session outlives rules that would refuse a new one."""
    adm = _ADMIN.get(str(srv.data_dir))
    if adm is None:
        adm = _ADMIN[str(srv.data_dir)] = srv.signed_in()
    r = adm.put(srv.url("ApiRegistrations/1"), json=fields, timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    return r.json()


def rule(**expected):
    return {name: expected.get(name, "") for name in FACTORS}


# --- Factor rules -------------------------------------------------------------------------------

def test_no_rules_no_check(server_factory):
    srv = server_factory.start()
    roles_ok(psrun(srv, "ListRoles"))
    roles_ok(psrun(srv, "ListRoles", options=("-sf",)))


def test_rules_are_tried_in_turn_and_the_first_match_validates(server_factory):
    srv = server_factory.start()
    host = platform.node()
    reg = set_rules(srv, PSRUNRules=[rule(SystemName="not-" + host), rule(SystemName=host, OSVersion="Linux *")])
    assert [r["SystemName"] for r in reg["PSRUNRules"]] == ["not-" + host, host]
    roles_ok(psrun(srv, "ListRoles"))
    # Case-insensitive wildcards; the IP address is the one psafed sees.
    set_rules(srv, PSRUNRules=[rule(SystemName=host.upper()[:1] + "*", IPAddress="127.0.0.0/8")])
    roles_ok(psrun(srv, "ListRoles"))


@pytest.mark.parametrize("bad", [dict(SystemName="some-other-host"), dict(OSVersion="Windows*"),
                                 dict(IPAddress="10.0.0.0/8"), dict(UserId="nobody-at-all"),
                                 dict(RootVolumeId="0000")],
                         ids=["hostname", "os", "ip", "user", "volume"])
def test_a_wrong_factor_is_refused(server_factory, bad):
    srv = server_factory.start()
    set_rules(srv, PSRUNRules=[rule(**bad)])
    refused(psrun(srv, "ListRoles"), "PSRUN factors match no rule")


def test_missing_factors_are_refused_when_rules_exist(server_factory):
    srv = server_factory.start()
    set_rules(srv, PSRUNRules=[rule(SystemName="*")])
    refused(psrun(srv, "ListRoles", options=("-sf",)), "PSRUN factors required")
    roles_ok(psrun(srv, "ListRoles"))
    # A plain API client (no factors) is refused too, and so is an implicit PS-Auth session.
    r = srv.session().post(srv.url("Auth/SignAppIn"), headers={"Authorization": srv.creds.ps_auth}, timeout=10)
    assert r.status_code == 401, (r.status_code, r.text)


def test_verbose_shows_the_factors(server_factory):
    srv = server_factory.start()
    res = psrun(srv, "ListRoles", options=("-v",))
    roles_ok(res)
    assert f"X-PSRUN-SystemName: {quote(platform.node(), safe='')}" in res.stderr, res.stderr
    assert "X-PSRUN-Signature: " in res.stderr
    assert srv.creds.api_key not in res.stderr


# --- Signature ----------------------------------------------------------------------------------

def psafe_encode(value: str) -> str:
    """docs/psrun2.md: bytes 0x21-0x7E except '%' as they are, any other byte as %XX."""
    return "".join(chr(b) if 0x21 <= b <= 0x7E and b != 0x25 else f"%{b:02X}" for b in value.encode())


def signed_headers(key: str, method: str, path: str, *, ts=None, nonce=None, factors=None, tamper=None):
    """The X-PSRUN-* headers as docs/psrun2.md defines them, computed here independently."""
    values = {name: "" for name in FACTORS}
    values.update(factors or {})
    ts = str(int(time.time()) if ts is None else ts)
    nonce = nonce or secrets.token_hex(16)
    canonical = "\n".join(["PSRUN-1", method.upper(), path, ts, nonce] +
                          [f"{n}={psafe_encode(values[n])}" for n in FACTORS])
    signing_key = hmac.new(key.encode(), b"psrun2 signature v1", hashlib.sha256).digest()
    sig = hmac.new(signing_key, canonical.encode(), hashlib.sha256).hexdigest()
    headers = {"X-PSRUN-Version": "1", "X-PSRUN-Timestamp": ts, "X-PSRUN-Nonce": nonce, "X-PSRUN-Signature": sig}
    for n in FACTORS:
        headers[f"X-PSRUN-{n}"] = quote(values[n], safe="")
    if tamper:
        headers.update(tamper)
    return headers


def sign_in(srv, headers):
    s = srv.session()
    try:
        return s.post(srv.url("Auth/SignAppIn"), headers={"Authorization": srv.creds.ps_auth, **headers}, timeout=10)
    finally:
        s.close()


def test_signature_verified_and_replays_refused(server_factory):
    # Every refused sign-in below counts toward the lockout: allow them all.
    srv = server_factory.start(config_text="[auth]\nlockout_threshold = 100\n")
    set_rules(srv, VerifyPsrunSignature=True)
    roles_ok(psrun(srv, "ListRoles"))
    refused(psrun(srv, "ListRoles", options=("-sf",)), "PSRUN factors required")

    key = srv.creds.api_key
    good = signed_headers(key, "POST", SIGNIN_PATH, factors={"SystemName": "ünïcode host/(x)", "FQDN": "a\nb"})
    assert sign_in(srv, good).status_code == 200
    r = sign_in(srv, good)  # the same nonce again
    assert (r.status_code, "replayed" in r.text) == (401, True), r.text

    cases = {
        "bad signature": signed_headers(key, "POST", SIGNIN_PATH, tamper={"X-PSRUN-Signature": "0" * 64}),
        "factor changed after signing": signed_headers(key, "POST", SIGNIN_PATH,
                                                       tamper={"X-PSRUN-SystemName": "evil"}),
        "line break posing as a factor": signed_headers(key, "POST", SIGNIN_PATH,
                                                        factors={"SystemName": "h", "FQDN": "x"},
                                                        tamper={"X-PSRUN-SystemName": "h%0AFQDN=x"}),
        "other path": signed_headers(key, "POST", "/BeyondTrust/api/public/v3/Other"),
        "other method": signed_headers(key, "GET", SIGNIN_PATH),
        "wrong key": signed_headers("0" * 128, "POST", SIGNIN_PATH),
        "stale": signed_headers(key, "POST", SIGNIN_PATH, ts=int(time.time()) - 3600),
        "future": signed_headers(key, "POST", SIGNIN_PATH, ts=int(time.time()) + 3600),
        "version 2": signed_headers(key, "POST", SIGNIN_PATH, tamper={"X-PSRUN-Version": "2"}),
        "bad encoding": signed_headers(key, "POST", SIGNIN_PATH, tamper={"X-PSRUN-FQDN": "%zz"}),
    }
    for what, headers in cases.items():
        r = sign_in(srv, headers)
        assert r.status_code == 401, (what, r.status_code, r.text)
    # Still usable afterwards (failures lock out only after 5 in a row: sign in between).
    roles_ok(psrun(srv, "ListRoles"))


# --- IP rules, registrations API ------------------------------------------------------------

def test_ip_authentication_rules(server_factory):
    srv = server_factory.start()
    set_rules(srv, IPAuthenticationRules=[{"Type": "SingleIP", "Value": "10.9.9.9"},
                                          {"Type": "CIDR", "Value": "127.0.0.0/8"}])
    roles_ok(psrun(srv, "ListRoles", options=("-sf",)))
    set_rules(srv, IPAuthenticationRules=[{"Type": "IPRange", "Value": "127.0.0.1-127.0.0.9"}])
    roles_ok(psrun(srv, "ListRoles"))
    # Last: this rule also locks out the administrator's own session that set it.
    set_rules(srv, IPAuthenticationRules=[{"Type": "SingleIP", "Value": "10.9.9.9", "Description": "elsewhere"}])
    refused(psrun(srv, "ListRoles", options=("-sf",)), "is not allowed")
    r = sign_in(srv, {})
    assert r.status_code == 401
    # OAuth clients are bound by the same rules.
    s = srv.session()
    r = s.post(srv.url("Auth/connect/token"), timeout=10, data={
        "client_id": srv.creds.client_id, "client_secret": srv.creds.client_secret, "grant_type": "client_credentials"})
    assert r.status_code == 401, r.text
    assert _ADMIN[str(srv.data_dir)].get(srv.url("Roles"), timeout=10).status_code == 401


def test_registration_api_validates_and_creates(server_factory):
    srv = server_factory.start()
    api = srv.admin()
    for body in ({"IPAuthenticationRules": [{"Type": "CIDR", "Value": "10.0.0.0/99"}]},
                 {"IPAuthenticationRules": [{"Type": "Subnet", "Value": "10.0.0.0/8"}]},
                 {"IPAuthenticationRules": [{"Type": "SingleIP", "Value": "not-an-ip"}]},
                 {"PSRUNRules": [rule()]},
                 {"PSRUNRules": [rule(IPAddress="nonsense")]},
                 {"PSRUNRules": "nope"}):
        r = api.put(srv.url("ApiRegistrations/1"), json=body, timeout=10)
        assert r.status_code == 400, (body, r.status_code, r.text)
    assert api.put(srv.url("ApiRegistrations/99"), json={}, timeout=10).status_code == 404
    r = api.put(srv.url("ApiRegistrations/1"), json={"UserPasswordRequired": False}, timeout=10)
    assert r.status_code == 200, r.text
    regs = api.get(srv.url("ApiRegistrations"), timeout=10).json()
    assert [r["Name"] for r in regs] == ["default"] and regs[0]["PSRUNRules"] == [], regs
    assert "Key" not in regs[0]

    admin_id = next(u["UserID"] for u in api.get(srv.url("Users"), timeout=10).json() if u["UserName"] == "admin")
    r = api.post(srv.url("ApiRegistrations"), json={"Name": "ci", "PSRUNRules": [rule(SystemName="*")],
                                                    "UserIDs": [admin_id]}, timeout=10)
    assert r.status_code == 201, r.text
    created = r.json()
    assert len(created["Key"]) == 128 and created["ClientSecret"], created
    roles_ok(psrun(srv, "ListRoles", key=created["Key"]))
    refused(psrun(srv, "ListRoles", key=created["Key"], options=("-sf",)), "PSRUN factors required")
    again = api.get(srv.url(f"ApiRegistrations/{created['Id']}"), timeout=10).json()
    assert "Key" not in again and again["PSRUNRules"][0]["SystemName"] == "*"
    assert api.post(srv.url("ApiRegistrations"), json={"Name": "CI"}, timeout=10).status_code == 409
    audit = api.get(srv.url("Audit"), params={"limit": 20}, timeout=10).json()["Data"]
    assert {"registration.create", "registration.update"} <= {a["Action"] for a in audit}
    assert created["Key"] not in str(audit)
    api.close()


# --- Client certificates -----------------------------------------------------------------------

def make_ca(d: Path, name: str):
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", f"/CN={name}", "-keyout", f"{name}.key", "-out", f"{name}.pem", cwd=d)


def make_client(d: Path, ca: str, name: str) -> Path:
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", f"/CN={name}",
            "-keyout", f"{name}.key", "-out", f"{name}.csr", cwd=d)
    openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key", "-CAcreateserial",
            "-days", "2", "-out", f"{name}.crt", cwd=d)
    both = d / f"{name}-both.pem"
    both.write_text((d / f"{name}.crt").read_text() + (d / f"{name}.key").read_text())
    return both


def test_client_certificate_required(server_factory, tmp_path):
    make_ca(tmp_path, "clientca")
    make_ca(tmp_path, "otherca")
    good = make_client(tmp_path, "clientca", "alice")
    stranger = make_client(tmp_path, "otherca", "mallory")
    openssl("pkcs12", "-export", "-in", "alice.crt", "-inkey", "alice.key", "-out", "alice.p12",
            "-passout", "pass:p12-secret", cwd=tmp_path)
    srv = server_factory.start(config_text=f'[tls]\nclient_ca = "{tmp_path / "clientca.pem"}"\n')

    roles_ok(psrun(srv, "ListRoles"))  # not required yet: no certificate is fine
    set_rules(srv, ClientCertificateRequired=True)
    refused(psrun(srv, "ListRoles"), "client certificate required")
    roles_ok(psrun(srv, "ListRoles", options=("-cert", str(good))))
    roles_ok(psrun(srv, "ListRoles", options=("-cert", str(tmp_path / "alice.p12"), "-certpass", "p12-secret")))
    res = psrun(srv, "ListRoles", options=("-cert", str(stranger)))
    assert res.returncode == 1 and "cannot reach" in res.stderr, res.stderr
    res = psrun(srv, "ListRoles", options=("-cert", str(tmp_path / "alice.p12"), "-certpass", "wrong"))
    assert res.returncode == 1, res.stderr
    assert "p12-secret" not in res.stderr


# --- Sessions, tokens and OAuth keep obeying the rules ----------------------------------------

def test_cookie_sessions_and_tokens_obey_later_ip_and_certificate_rules(server_factory):
    srv = server_factory.start()
    cookie = srv.signed_in()
    s = srv.session()
    r = s.post(srv.url("Auth/connect/token"), timeout=10, data={
        "client_id": srv.creds.client_id, "client_secret": srv.creds.client_secret, "grant_type": "client_credentials"})
    assert r.status_code == 200, r.text
    bearer = {"Authorization": "Bearer " + r.json()["access_token"]}
    assert cookie.get(srv.url("Roles"), timeout=10).status_code == 200
    assert s.get(srv.url("Roles"), headers=bearer, timeout=10).status_code == 200

    set_rules(srv, ClientCertificateRequired=True)  # no client CA: nobody can meet it
    assert cookie.get(srv.url("Roles"), timeout=10).status_code == 401
    assert s.get(srv.url("Roles"), headers=bearer, timeout=10).status_code == 401


def test_oauth_is_bound_by_factor_rules(server_factory):
    srv = server_factory.start()
    set_rules(srv, PSRUNRules=[rule(SystemName="*")])
    form = {"client_id": srv.creds.client_id, "client_secret": srv.creds.client_secret,
            "grant_type": "client_credentials"}
    s = srv.session()
    assert s.post(srv.url("Auth/connect/token"), data=form, timeout=10).status_code == 401  # no factors
    factors = signed_headers("unknown to an OAuth client", "POST", "/x", factors={"SystemName": "ci"})
    assert s.post(srv.url("Auth/connect/token"), data=form, headers=factors, timeout=10).status_code == 200
    set_rules(srv, VerifyPsrunSignature=True)  # a signature needs the API key: OAuth cannot sign
    r = s.post(srv.url("Auth/connect/token"), data=form, headers=signed_headers("k", "POST", "/x"), timeout=10)
    assert r.status_code == 401, r.text


def test_verbose_masks_new_registration_secrets(server_factory):
    srv = server_factory.start()
    res = psrun(srv, "POST", "ApiRegistrations", "Name=ci2", options=("-v",))
    assert res.returncode == 0, res.stderr
    created = [line for line in res.stdout.splitlines()]
    assert len(created) == 2, res.stdout  # header and row: the answer itself is the one place the key shows
    header, row = created[0].split("\t"), created[1].split("\t")
    key = row[header.index("Key")]
    secret = row[header.index("ClientSecret")]
    assert len(key) == 128 and key not in res.stderr and secret not in res.stderr, res.stderr
