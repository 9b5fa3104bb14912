"""Every route × kind of caller → the exact status (tests/e2e/authz_matrix.py)."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

import support
from authz_matrix import GUID, MATRIX

ROUTES_CC = Path(__file__).resolve().parents[2] / "src" / "api" / "routes.cc"
ROUTE_RE = re.compile(r'\{"(GET|POST|PUT|DELETE)", "([^"]+)", (?:true|false), Access::k(\w+), \w+\}')


def routes() -> dict:
    return {(m, p): access for m, p, access in ROUTE_RE.findall(ROUTES_CC.read_text())}


def test_every_route_is_in_the_matrix():
    served = set(routes())
    assert len(served) > 70, "the route table was not found in routes.cc"
    assert served - set(MATRIX) == set(), "routes without a row in authz_matrix.py"
    assert set(MATRIX) - served == set(), "rows for routes psafed does not serve"


@pytest.fixture(scope="module")
def ctx(server):
    a = server.admin()
    _, _, user = support.new_group_member(a, server)
    c = SimpleNamespace(s=server, a=a, user=user)
    c.wg = support.create_workgroup(a, server)
    c.system = support.create_system(a, server, c.wg["ID"])
    yield c
    user.close()
    a.close()


def call(c, who: str, method: str, path: str, body):
    session = {"admin": c.a, "user": c.user}.get(who) or support.Server.session(c.s)
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
@pytest.mark.parametrize("who", ["anon", "user", "admin"])
def test_status(ctx, route, who):
    make, expected = MATRIX[route]
    path, body = make(ctx)
    r = call(ctx, who, route[0], path, body)
    assert r.status_code == expected[who], (who, route, path, r.status_code, r.text[:200])
    assert r.status_code < 500


@pytest.mark.parametrize("kind", ["bad key", "unknown runas", "locked out"])
def test_failed_credentials_get_401_on_every_signed_in_route(server, ctx, kind):
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
