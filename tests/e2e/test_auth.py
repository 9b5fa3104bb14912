"""Authentication: Auth/SignAppIn (PS-Auth, Bearer, the document's JSON form), cookie
sessions, implicit header sessions, sign-out, OAuth client credentials and lockout."""

from __future__ import annotations

import re

import pytest

SESSION_COOKIE_RE = re.compile(
    r"^ASP\.NET_SessionId=([0-9a-f]{64}); path=/; secure; HttpOnly; SameSite=Strict$")

NOT_AUTHENTICATED = "User not authenticated"


def sign_in(srv, authorization, path="Auth/SignAppIn", **kwargs):
    s = srv.session()
    headers = {"Content-Type": "application/json"}
    if authorization is not None:
        headers["Authorization"] = authorization
    r = s.post(srv.url(path), headers=headers, timeout=10, **kwargs)
    return s, r


def set_cookies(r):
    return r.raw.headers.getlist("Set-Cookie")


# --- SignAppIn ----------------------------------------------------------------------

def test_sign_in_returns_user_and_session_cookies(server):
    s, r = sign_in(server, server.creds.ps_auth, data=b"")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    assert body["UserId"] == 1
    assert body["SID"] is None
    assert body["EmailAddress"] == "admin@localhost"
    assert body["UserName"] == "admin"
    assert body["Name"] == "Administrator"

    cookies = set_cookies(r)
    assert len(cookies) == 2, cookies
    session = [c for c in cookies if c.startswith("ASP.NET_SessionId=")]
    assert len(session) == 1 and SESSION_COOKIE_RE.match(session[0]), cookies
    token = [c for c in cookies if c.startswith("__RequestVerificationToken=")]
    assert len(token) == 1, cookies
    assert re.match(r"^__RequestVerificationToken=[^;]+;", token[0])


def test_each_sign_in_gets_a_new_session_id(server):
    ids = set()
    for _ in range(3):
        _, r = sign_in(server, server.creds.ps_auth)
        assert r.status_code == 200
        ids.add(SESSION_COOKIE_RE.match(
            [c for c in set_cookies(r) if c.startswith("ASP.NET")][0]).group(1))
    assert len(ids) == 3


@pytest.mark.parametrize("template", [
    "PS-Auth key={key};runas={user};",
    "PS-Auth key={key};runas={user}",
    "PS-Auth key={key}; runas={user};",
    'PS-Auth key="{key}"; runas="{user}"',
    "ps-auth key={key}; runas=DOMAIN\\{user};",
    "PS-Auth key={key}; runas={user}; pwd=[{password}];",
    "PS-Auth key={key}; runas={user};",  # PyLib
    "PS-Auth runas={user}; key={key};",
], ids=["compact", "no-trailing-semicolon", "spaced", "quoted", "lowercase-scheme-domain-user",
        "with-pwd", "pylib", "reordered"])
def test_ps_auth_header_variants_sign_in(server, template):
    c = server.creds
    header = template.format(key=c.api_key, user=c.user, password=c.password)
    s, r = sign_in(server, header)
    assert r.status_code == 200, (header, r.status_code, r.text)
    assert r.json()["UserName"] == "admin"
    # The session the variant started is usable on its own.
    r2 = s.get(server.url("ManagedSystems"), timeout=10)
    assert r2.status_code == 200, r2.text


def test_sign_in_accepts_empty_json_object_body(server):
    _, r = sign_in(server, server.creds.ps_auth, data=b"{}")
    assert r.status_code == 200, r.text
    assert r.json()["UserName"] == "admin"


def test_sign_in_with_wrong_pwd_is_rejected(server):
    c = server.creds
    _, r = sign_in(server, f"PS-Auth key={c.api_key}; runas={c.user}; pwd=[not-{c.password}];")
    assert r.status_code == 401
    assert r.json() == NOT_AUTHENTICATED
    assert not set_cookies(r)
    # One failure must not lock anything; a good sign-in also resets the failure count.
    _, ok = sign_in(server, c.ps_auth)
    assert ok.status_code == 200


@pytest.mark.parametrize("path", [
    "Auth/SignAppIn", "Auth/SignAppin", "Auth/signappin", "auth/signappin/", "AUTH/SIGNAPPIN",
])
def test_sign_in_path_is_case_insensitive(server, path):
    _, r = sign_in(server, server.creds.ps_auth, path=path)
    assert r.status_code == 200, (path, r.status_code, r.text)
    assert any(SESSION_COOKIE_RE.match(c) for c in set_cookies(r))


@pytest.mark.parametrize("template", [
    "PS-Auth key={bad}; runas=admin;",
    "PS-Auth key={key}; runas=nosuchuser;",
    "PS-Auth key={key};",
    "PS-Auth runas=admin;",
    "Basic YWRtaW46YWRtaW4=",
    "Bearer not-a-token",
], ids=["bad-key", "unknown-user", "no-runas", "no-key", "basic", "bad-bearer"])
def test_bad_credentials_get_401(server, template):
    header = template.format(bad="0" * 128, key=server.creds.api_key)
    _, r = sign_in(server, header)
    assert r.status_code == 401, (header, r.status_code, r.text)
    assert isinstance(r.json(), str)  # product error shape: a JSON string
    if "{bad}" in template:
        assert r.json() == NOT_AUTHENTICATED
    assert not set_cookies(r)


def test_sign_in_without_any_credentials_is_401(server):
    _, r = sign_in(server, None, path="Auth/SignAppIn", data=b"")
    assert r.status_code == 401
    assert r.json() == NOT_AUTHENTICATED


# --- The OpenAPI document's sign-in form ---------------------------------------------

def test_document_sign_in_with_json_credentials(server):
    c = server.creds
    s, r = sign_in(server, None, path="auth/signappin", json={"ApplicationID": c.user, "APIKey": c.api_key})
    assert r.status_code == 200, r.text
    assert r.json()["UserName"] == "admin"
    assert any(SESSION_COOKIE_RE.match(x) for x in set_cookies(r))
    assert s.get(server.url("ManagedSystems"), timeout=10).status_code == 200


def test_document_sign_in_failure_is_document_error_shape(server):
    _, r = sign_in(server, None, path="auth/signappin", json={"ApplicationID": "admin", "APIKey": "f" * 128})
    assert r.status_code == 401
    body = r.json()
    assert isinstance(body, dict), body
    assert body["ErrorCode"] == 401
    assert isinstance(body["Message"], str) and body["Message"]


def test_product_path_failure_body_is_a_json_string(server):
    """Same failure as above but on a product spelling: the body is the bare string."""
    _, r = sign_in(server, None, path="Auth/SignAppIn", json={"ApplicationID": "admin", "APIKey": "f" * 128})
    assert r.status_code == 401
    assert r.text == '"User not authenticated"'


# --- Using a session ------------------------------------------------------------------

def test_cookie_alone_authenticates_later_calls(server):
    s = server.signed_in()
    assert "Authorization" not in s.headers
    r = s.get(server.url("ManagedSystems"), timeout=10)
    assert r.status_code == 200, r.text
    assert isinstance(r.json(), list)
    # and the same call without the cookie is refused
    r = server.session().get(server.url("ManagedSystems"), timeout=10)
    assert r.status_code == 401
    assert r.json() == NOT_AUTHENTICATED


def test_forged_session_cookie_is_rejected(server):
    s = server.session()
    s.cookies.set("ASP.NET_SessionId", "0" * 64, domain="127.0.0.1", path="/")
    r = s.get(server.url("ManagedSystems"), timeout=10)
    assert r.status_code == 401


def test_ps_auth_header_without_sign_in_is_an_implicit_session(server):
    s = server.session()
    r = s.get(server.url("ManagedAccounts"), headers={"Authorization": server.creds.ps_auth}, timeout=10)
    assert r.status_code == 200, r.text
    assert isinstance(r.json(), list)


@pytest.mark.parametrize("method,path", [
    ("POST", "Auth/Signout"),
    ("DELETE", "Auth/Signout"),
    ("POST", "auth/signappout"),
    ("POST", "Auth/SignOut"),
])
def test_sign_out_ends_the_cookie_session(server, method, path):
    s = server.signed_in()
    assert s.get(server.url("ManagedSystems"), timeout=10).status_code == 200
    r = s.request(method, server.url(path), timeout=10)
    assert r.status_code == 200, (method, path, r.status_code, r.text)
    assert r.content == b""
    r = s.get(server.url("ManagedSystems"), timeout=10)
    assert r.status_code == 401, "the cookie still works after sign-out"


def test_sign_out_of_one_session_leaves_others(server):
    a = server.signed_in()
    b = server.signed_in()
    assert a.post(server.url("Auth/Signout"), timeout=10).status_code == 200
    assert a.get(server.url("ManagedSystems"), timeout=10).status_code == 401
    assert b.get(server.url("ManagedSystems"), timeout=10).status_code == 200


# --- OAuth client credentials --------------------------------------------------------

def oauth_token(srv, client_id=None, client_secret=None, grant_type="client_credentials",
                path="Auth/connect/token"):
    data = {"client_id": client_id or srv.creds.client_id,
            "client_secret": client_secret or srv.creds.client_secret,
            "grant_type": grant_type}
    return srv.session().post(srv.url(path), data=data, timeout=10,
                              headers={"Content-Type": "application/x-www-form-urlencoded"})


def test_init_credentials_have_product_lengths(server):
    c = server.creds
    assert len(c.api_key) == 128
    assert len(c.client_id) == 36
    assert re.match(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", c.client_id, re.I)
    assert len(c.client_secret) == 48


def test_oauth_token_issued_for_client_credentials(server):
    r = oauth_token(server)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) >= {"access_token", "expires_in", "token_type", "scope"}
    assert body["expires_in"] == 3600
    assert body["token_type"] == "Bearer"
    assert body["scope"] == "publicapi"
    assert isinstance(body["access_token"], str) and len(body["access_token"]) >= 32


@pytest.mark.parametrize("path", ["Auth/connect/token", "Auth/Connect/Token", "auth/connect/token"])
def test_oauth_token_path_casing(server, path):
    r = oauth_token(server, path=path)
    assert r.status_code == 200, (path, r.status_code, r.text)


def test_oauth_bad_secret_is_invalid_client(server):
    r = oauth_token(server, client_secret="0" * 48)
    assert r.status_code == 401
    assert r.json() == {"error": "invalid_client"}
    assert oauth_token(server).status_code == 200  # resets the failure count


def test_oauth_unknown_client_is_invalid_client(server):
    r = oauth_token(server, client_id="00000000-0000-0000-0000-000000000000")
    assert r.status_code == 401
    assert r.json() == {"error": "invalid_client"}


def test_oauth_wrong_grant_type(server):
    r = oauth_token(server, grant_type="password")
    assert r.status_code == 400
    assert r.json() == {"error": "unsupported_grant_type"}


def test_bearer_token_signs_in_and_authorizes_calls(server):
    token = oauth_token(server).json()["access_token"]
    bearer = f"Bearer {token}"
    # Directly on a call
    r = server.session().get(server.url("ManagedSystems"), headers={"Authorization": bearer}, timeout=10)
    assert r.status_code == 200, r.text
    # And as a sign-in that starts a cookie session
    s, r = sign_in(server, bearer)
    assert r.status_code == 200, r.text
    assert r.json()["UserName"] == "admin"
    assert any(SESSION_COOKIE_RE.match(c) for c in set_cookies(r))
    assert s.get(server.url("ManagedSystems"), timeout=10).status_code == 200


def test_bearer_token_is_not_a_session_cookie(server):
    token = oauth_token(server).json()["access_token"]
    s = server.session()
    s.cookies.set("ASP.NET_SessionId", token, domain="127.0.0.1", path="/")
    assert s.get(server.url("ManagedSystems"), timeout=10).status_code == 401


# --- Lockout (own server: it locks the admin) ----------------------------------------

def test_lockout_after_five_consecutive_failures(server_factory):
    srv = server_factory.start()
    c = srv.creds
    wrong = f"PS-Auth key={c.api_key}; runas={c.user}; pwd=[wrong-password];"
    for i in range(5):
        _, r = sign_in(srv, wrong)
        assert r.status_code == 401, (i, r.text)
    # Now even the right credentials, in every form, are refused.
    _, r = sign_in(srv, f"PS-Auth key={c.api_key}; runas={c.user}; pwd=[{c.password}];")
    assert r.status_code == 401
    _, r = sign_in(srv, c.ps_auth)
    assert r.status_code == 401
    r = srv.session().get(srv.url("ManagedSystems"), headers={"Authorization": c.ps_auth}, timeout=10)
    assert r.status_code == 401
    # The OAuth client is a different subject and is not locked.
    assert oauth_token(srv).status_code == 200


def test_four_failures_do_not_lock_and_success_resets_the_count(server_factory):
    srv = server_factory.start()
    c = srv.creds
    wrong = f"PS-Auth key={c.api_key}; runas={c.user}; pwd=[wrong-password];"
    for _ in range(4):
        assert sign_in(srv, wrong)[1].status_code == 401
    assert sign_in(srv, c.ps_auth)[1].status_code == 200
    for _ in range(4):
        assert sign_in(srv, wrong)[1].status_code == 401
    assert sign_in(srv, c.ps_auth)[1].status_code == 200


def test_unknown_keys_lock_nothing(server_factory):
    srv = server_factory.start()
    c = srv.creds
    for i in range(8):
        _, r = sign_in(srv, f"PS-Auth key={i:x}{'0' * 127}; runas={c.user};")
        assert r.status_code == 401
    _, r = sign_in(srv, c.ps_auth)
    assert r.status_code == 200, r.text


def test_lockout_threshold_is_configurable(server_factory):
    srv = server_factory.start(config_text="[auth]\nlockout_threshold = 2\n")
    c = srv.creds
    wrong = f"PS-Auth key={c.api_key}; runas={c.user}; pwd=[wrong-password];"
    assert sign_in(srv, wrong)[1].status_code == 401
    assert sign_in(srv, c.ps_auth)[1].status_code == 200  # 1 failure: not locked; resets
    assert sign_in(srv, wrong)[1].status_code == 401
    assert sign_in(srv, wrong)[1].status_code == 401
    assert sign_in(srv, c.ps_auth)[1].status_code == 401
