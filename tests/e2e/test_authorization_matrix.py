"""Every route × kind of caller → the exact status (tests/e2e/authz_matrix.py)."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

import support
from authz_matrix import GUID, MATRIX

API = Path(__file__).resolve().parents[2] / "src" / "api"
ROUTE_RE = re.compile(r'\{"(GET|POST|PUT|DELETE)", "([^"]+)", (?:true|false), Access::k(\w+), \w+(?:, Body::k\w+)?(?:, Runs::k\w+)?\}')
# Routes outside the API base, added one by one in BuildRouter: by literal or by constant.
OUTSIDE_RE = re.compile(r'router->Add\("(GET|POST|PUT|DELETE)", (?:"(/[^"]+)"|std::string\((k\w+)\))')
CONSTANT_RE = re.compile(r'inline constexpr std::string_view (k\w+) = "([^"]+)";')


def routes() -> dict:
    """(method, path) -> access for the API table; paths outside the API start with '/'."""
    text = (API / "routes.cc").read_text()
    found = {(m, p): access for m, p, access in ROUTE_RE.findall(text)}
    constants = dict(CONSTANT_RE.findall((API / "routes.h").read_text()))
    for method, literal, constant in OUTSIDE_RE.findall(text):
        found[(method, literal or constants[constant])] = "Anonymous"
    return found


def test_every_route_is_in_the_matrix():
    served = set(routes())
    assert ("GET", "/health") in served and ("GET", "/tls/ca.crl") in served, "BuildRouter was not read"
    assert len(served) > 70, "the route table was not found in routes.cc"
    assert served - set(MATRIX) == set(), "routes without a row in authz_matrix.py"
    assert set(MATRIX) - served == set(), "rows for routes psafed does not serve"


CALLERS = ["anon", "user", "requestor", "approver", "isa", "auditor", "admin"]


@pytest.fixture(scope="module")
def matrix_server(tmp_path_factory, psafed_bin):
    """A psafed of the matrix's own: its all-accounts roles must not touch other tests."""
    data = tmp_path_factory.mktemp("matrix") / "data"
    srv = support.start_server(data, support.init_data_dir(data))
    support.grant_admins_request_all(srv)
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def ctx(matrix_server):
    """One caller per kind. The role holders hold their role on one smart rule over every
    account; requests under it need one approval."""
    s = matrix_server
    a = s.admin()
    rule = support.create_smart_rule(a, s)["SmartRuleID"]
    policy = support.create_access_policy(a, s, required_approvals=1)["AccessPolicyID"]
    c = SimpleNamespace(s=s, a=a, sessions={"admin": a})
    c.sessions["user"] = support.new_group_member(a, s)[2]
    for who, role in [("requestor", support.ROLE_REQUESTOR), ("approver", support.ROLE_APPROVER),
                      ("isa", support.ROLE_ISA), ("auditor", support.ROLE_AUDITOR)]:
        c.sessions[who] = support.new_role_user(a, s, [role], rule, policy)[1]
    c.wg = support.create_workgroup(a, s)
    c.system = support.create_system(a, s, c.wg["ID"])
    yield c
    for session in c.sessions.values():
        session.close()


def call(c, who: str, method: str, path: str, body):
    session = c.sessions.get(who) or c.s.session()
    if path.startswith("https://"):
        url = path  # outside the API base
    else:
        url = c.s.base + path if path.startswith("/") else c.s.url(path)
    kwargs = {"timeout": 15}
    if body == "form":
        kwargs["data"] = {"client_id": c.s.creds.client_id, "client_secret": c.s.creds.client_secret,
                          "grant_type": "client_credentials"}
    elif body == "multipart":
        data, ctype = support.file_secret_multipart({"Title": support.unique("f"), "FileName": "m.bin"}, b"m", "m.bin")
        kwargs["data"], kwargs["headers"] = data, {"Content-Type": ctype}
    elif body is not None:
        kwargs["json"] = body
    return session.request(method, url, **kwargs)


@pytest.mark.parametrize("route", sorted(MATRIX), ids=[f"{m} {p}" for m, p in sorted(MATRIX)])
@pytest.mark.parametrize("who", CALLERS)
def test_status(ctx, route, who):
    make, expected = MATRIX[route]
    path, body = make(ctx)
    r = call(ctx, who, route[0], path, body)
    want = expected.get(who, expected["user"])  # role holders: as `user` unless the row says
    assert r.status_code == want, (who, route, path, r.status_code, r.text[:200])
    assert r.status_code < 500


@pytest.mark.parametrize("kind", ["bad key", "unknown runas", "locked out"])
def test_failed_credentials_get_401_on_every_signed_in_route(server, kind):
    if kind == "locked out":
        api = server.admin()
        user = support.create_user(api, server, password="Right-Password-1")
        group = support.create_user_group(api, server)
        support.add_user_to_group(api, server, group["GroupID"], user["UserID"])
        api.close()
        header = f"PS-Auth key={server.creds.api_key}; runas={user['UserName']}; pwd=[Right-Password-1];"
        r = server.session().post(server.url("Auth/SignAppIn"), headers={"Authorization": header}, timeout=10)
        assert r.status_code == 200, "the user must work before the lockout"
        for _ in range(5):
            r = server.session().post(server.url("Auth/SignAppIn"), timeout=10, headers={
                "Authorization": f"PS-Auth key={server.creds.api_key}; runas={user['UserName']}; pwd=[wrong];"})
            assert r.status_code == 401
    elif kind == "bad key":
        header = "PS-Auth key=" + "0" * 128 + "; runas=admin;"
    else:
        header = f"PS-Auth key={server.creds.api_key}; runas=nobody-{GUID};"
    s = server.session(header)
    try:
        for (method, path_t), access in routes().items():
            if access != "SignedIn":
                continue
            path = re.sub(r"\{[^}]+\}", "1", path_t)
            r = s.request(method, server.url(path), json={} if method in ("POST", "PUT") else None, timeout=10)
            assert r.status_code == 401, (kind, method, path, r.status_code, r.text[:200])
    finally:
        s.close()
