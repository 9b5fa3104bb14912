"""Client errors: unknown endpoints, wrong methods, bad bodies, oversized requests and bad
ids. psafed must answer each with the right 4xx (never 5xx or 408) and keep serving."""

from __future__ import annotations

import http.client
import socket
import ssl

import pytest

import store_backend
from support import BASE_PATH, create_system, create_workgroup, unique


def tls_socket(srv, timeout=10.0) -> ssl.SSLSocket:
    ctx = ssl.create_default_context(cafile=srv.ca)
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=timeout)
    return ctx.wrap_socket(sock, server_hostname="127.0.0.1")


def raw_exchange(srv, payload: bytes, timeout=10.0) -> http.client.HTTPResponse:
    """Sends raw bytes on a fresh TLS connection and parses one HTTP response."""
    sock = tls_socket(srv, timeout)
    try:
        sock.sendall(payload)
        resp = http.client.HTTPResponse(sock)
        resp.begin()
        resp.body = resp.read()
        return resp
    finally:
        sock.close()


def assert_still_serving(srv):
    r = srv.session().get(srv.root + "/health", timeout=10)
    assert r.status_code == 200, "psafed stopped serving"
    assert r.json()["status"] == "ok"


# --- Routing -------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["NoSuchThing", "ManagedSystems/1/Nope/2", "Auth/Nope"])
def test_unknown_endpoint_is_404_json(api, server, path):
    r = api.get(server.url(path), timeout=10)
    assert r.status_code == 404
    assert r.headers["Content-Type"].startswith("application/json")
    assert isinstance(r.json(), str)


def test_unknown_path_outside_base_is_404(api, server):
    r = api.get(server.root + "/nope", timeout=10)
    assert r.status_code == 404


def test_wrong_method_is_405_with_allow(api, server):
    r = api.put(server.url("ManagedAccounts"), json={}, timeout=10)
    assert r.status_code == 405, r.text
    allow = [m.strip() for m in r.headers["Allow"].split(",")]
    assert "GET" in allow
    assert "PUT" not in allow


def test_wrong_method_on_item_path_lists_its_methods(api, server):
    r = api.post(server.url("ManagedSystems/1"), json={}, timeout=10)
    assert r.status_code == 405
    allow = {m.strip() for m in r.headers["Allow"].split(",")}
    assert {"GET", "DELETE"} <= allow


# --- Bodies --------------------------------------------------------------------------

@pytest.mark.parametrize("body", [b"{", b'{"Name": }', b"\xff\xfe", b'{"Name":"x"} trailing'],
                         ids=["truncated", "no-value", "not-utf8", "trailing"])
def test_malformed_json_is_400(api, server, body):
    r = api.post(server.url("Workgroups"), data=body, headers={"Content-Type": "application/json"}, timeout=10)
    assert r.status_code == 400, r.text


@pytest.mark.parametrize("body", [b'[{"Name":"x"}]', b'"x"', b"42", b"null"])
def test_non_object_json_is_400(api, server, body):
    r = api.post(server.url("Workgroups"), data=body, headers={"Content-Type": "application/json"}, timeout=10)
    assert r.status_code == 400, r.text


def test_wrong_field_type_is_400(api, server):
    r = api.post(server.url("Workgroups"), json={"Name": 5}, timeout=10)
    assert r.status_code == 400
    assert "Name" in r.json()


def test_text_plain_body_is_415(api, server):
    r = api.post(server.url("Workgroups"), data=b'{"Name":"x"}', headers={"Content-Type": "text/plain"}, timeout=10)
    assert r.status_code == 415, r.text


def test_json_content_type_with_charset_is_accepted(api, server):
    name = unique("wg")
    r = api.post(server.url("Workgroups"), data=('{"Name":"%s"}' % name).encode(),
                 headers={"Content-Type": "application/json; charset=utf-8"}, timeout=10)
    assert r.status_code == 201, r.text


# --- Size limits ---------------------------------------------------------------------

@pytest.fixture
def small_body_server(server_factory):
    return server_factory.start(config_text="[limits]\nmax_body_bytes = 4096\n")


def test_body_at_the_limit_is_accepted(small_body_server):
    srv = small_body_server
    name = unique("wg")
    body = ('{"Name":"%s","Description":"' % name).encode()
    body += b"d" * (4096 - len(body) - 2) + b'"}'
    assert len(body) == 4096
    r = srv.admin().post(srv.url("Workgroups"), data=body, headers={"Content-Type": "application/json"}, timeout=10)
    assert r.status_code == 201, r.text


def post_workgroups_raw(srv, body: bytes, chunked: bool = False) -> http.client.HTTPResponse:
    """POST Workgroups with headers and the whole body in one write, so that psafed
    refusing early cannot break our sending half-way (requests would race here)."""
    head = (f"POST {BASE_PATH}/Workgroups HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: {srv.creds.ps_auth}\r\nContent-Type: application/json\r\n")
    if chunked:
        payload = head.encode() + b"Transfer-Encoding: chunked\r\n\r\n"
        for i in range(0, len(body), 1000):
            part = body[i:i + 1000]
            payload += f"{len(part):x}\r\n".encode() + part + b"\r\n"
        payload += b"0\r\n\r\n"
    else:
        payload = head.encode() + f"Content-Length: {len(body)}\r\n\r\n".encode() + body
    return raw_exchange(srv, payload)


def test_body_over_the_limit_is_413(small_body_server):
    resp = post_workgroups_raw(small_body_server, b" " * 5000)
    assert resp.status == 413, (resp.status, resp.body)


def test_body_over_the_limit_is_never_5xx_and_server_keeps_serving(small_body_server):
    resp = post_workgroups_raw(small_body_server, b" " * 5000)
    assert 400 <= resp.status < 500 and resp.status != 408, resp.status
    assert_still_serving(small_body_server)


def test_chunked_body_over_the_limit_is_413(small_body_server):
    resp = post_workgroups_raw(small_body_server, b" " * 5000, chunked=True)
    assert resp.status == 413, (resp.status, resp.body)
    assert_still_serving(small_body_server)


def test_chunked_body_under_the_limit_is_accepted(small_body_server):
    body = ('{"Name":"%s"}' % unique("wg")).encode() + b" " * 3000
    resp = post_workgroups_raw(small_body_server, body, chunked=True)
    assert resp.status == 201, (resp.status, resp.body)


def test_default_body_limit_is_8_mib(server):
    # Announce a body one byte over 8 MiB; psafed must refuse on the header alone.
    head = (f"POST {BASE_PATH}/Workgroups HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: {server.creds.ps_auth}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {8 * 1024 * 1024 + 1}\r\n\r\n").encode()
    resp = raw_exchange(server, head)
    assert resp.status == 413, (resp.status, resp.body)


def test_oversized_announced_body_is_never_5xx(server):
    head = (f"POST {BASE_PATH}/Workgroups HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: {server.creds.ps_auth}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {64 * 1024 * 1024}\r\n\r\n").encode()
    resp = raw_exchange(server, head)
    assert 400 <= resp.status < 500 and resp.status != 408, resp.status
    assert_still_serving(server)


def test_header_over_the_limit_is_431(server):
    r = server.admin().get(server.url("ManagedSystems"), headers={"X-Padding": "z" * 20000}, timeout=10)
    assert r.status_code == 431, r.text
    assert_still_serving(server)


def test_header_under_the_limit_is_accepted(server):
    r = server.admin().get(server.url("ManagedSystems"), headers={"X-Padding": "z" * 8000}, timeout=10)
    assert r.status_code == 200, r.text


def test_header_limit_is_configurable(server_factory):
    srv = server_factory.start(config_text="[limits]\nmax_header_bytes = 2048\n")
    r = srv.admin().get(srv.url("ManagedSystems"), headers={"X-Padding": "z" * 3000}, timeout=10)
    assert r.status_code == 431
    r = srv.admin().get(srv.url("ManagedSystems"), headers={"X-Padding": "z" * 500}, timeout=10)
    assert r.status_code == 200


def test_malformed_http_request_is_400(server):
    resp = raw_exchange(server, b"THIS IS NOT HTTP\r\n\r\n")
    assert resp.status == 400
    assert_still_serving(server)


# --- Bad ids and parameters ----------------------------------------------------------

@pytest.mark.parametrize("path", [
    "ManagedSystems/abc", "ManagedSystems/0", "ManagedSystems/-1", "ManagedSystems/1.5",
    "ManagedSystems/99999999999999999999999", "ManagedAccounts/abc", "Assets/abc",
    "ManagedSystems/abc/ManagedAccounts",
])
def test_bad_path_id_is_400(api, server, path):
    r = api.get(server.url(path), timeout=10)
    assert r.status_code == 400, (path, r.status_code, r.text)


@pytest.mark.parametrize("path", ["ManagedSystems/987654321", "ManagedAccounts/987654321", "Assets/987654321"])
def test_unknown_id_is_404(api, server, path):
    r = api.get(server.url(path), timeout=10)
    assert r.status_code == 404, (path, r.status_code)


@pytest.mark.parametrize("query", ["limit=abc", "limit=0", "limit=-1", "offset=-1", "offset=x&limit=1"])
def test_bad_paging_parameters_are_400(api, server, query):
    r = api.get(server.url("ManagedSystems") + "?" + query, timeout=10)
    assert r.status_code == 400, (query, r.status_code, r.text)


@pytest.mark.parametrize("target", ["ManagedSystems?name=%zz", "ManagedSystems?name=%", "Workgroups/%zz/Assets"])
def test_malformed_percent_encoding_is_4xx(server, target):
    # Raw bytes: requests would re-quote the stray '%'.
    resp = raw_exchange(server, (f"GET {BASE_PATH}/{target} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                 f"Authorization: {server.creds.ps_auth}\r\nConnection: close\r\n\r\n").encode())
    assert 400 <= resp.status < 500 and resp.status != 408, (target, resp.status, resp.body)


def test_odd_requests_never_get_5xx(api, server):
    wg = create_workgroup(api, server)
    sysm = create_system(api, server, wg["ID"])
    odd = [
        ("POST", "Workgroups", {"Name": "x" * 300}),
        ("POST", "Workgroups", {"Name": ""}),
        ("POST", "Workgroups", {"Name": "a\u0000b"}),
        ("POST", f"Workgroups/{wg['ID']}/ManagedSystems", {"PlatformID": "two"}),
        ("POST", f"Workgroups/{wg['ID']}/ManagedSystems", {"PlatformID": 2, "SystemName": unique(), "Port": 70000}),
        ("POST", f"Workgroups/{wg['ID']}/ManagedSystems", {"PlatformID": 2, "SystemName": unique(),
                                                           "ReleaseDuration": 0}),
        ("POST", f"Workgroups/{wg['ID']}/ManagedSystems", {"PlatformID": 2 ** 70, "SystemName": unique()}),
        ("POST", f"ManagedSystems/{sysm['ManagedSystemID']}/ManagedAccounts", {"AccountName": ["x"]}),
        ("POST", f"ManagedSystems/{sysm['ManagedSystemID']}/ManagedAccounts",
         {"AccountName": unique(), "MaxConcurrentRequests": -1}),
        ("POST", f"ManagedSystems/{sysm['ManagedSystemID']}/ManagedAccounts",
         {"AccountName": unique(), "Password": "x" * 5000}),
        ("POST", "Workgroups/987654321/Assets", {"AssetName": "x"}),
        ("POST", f"Workgroups/{wg['ID']}/Assets", {}),
        ("POST", "Assets/987654321/ManagedSystems", {"PlatformID": 2}),
        ("DELETE", "ManagedAccounts/987654321", None),
        ("GET", "ManagedSystems?limit=1000000", None),
        ("GET", "Workgroups/%2e%2e/Assets", None),
    ]
    for method, path, body in odd:
        r = api.request(method, server.url(path), json=body, timeout=10)
        assert 400 <= r.status_code < 500 and r.status_code != 408, (method, path, r.status_code, r.text)
    # a deeply nested body
    r = api.post(server.url("Workgroups"), data=b"[" * 10000 + b"]" * 10000,
                 headers={"Content-Type": "application/json"}, timeout=10)
    assert r.status_code == 400
    assert_still_serving(server)


def test_health(server):
    r = server.session().get(server.root + "/health", timeout=10)
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert isinstance(body["version"], str) and body["version"]
    assert body["store"] == {"backend": store_backend.STORE, "status": "ok", "writable": True}


def test_api_calls_need_authentication(server):
    s = server.session()
    for method, path in [("GET", "ManagedSystems"), ("GET", "ManagedAccounts"), ("GET", "Workgroups"),
                         ("POST", "Workgroups"), ("GET", "managedaccounts")]:
        r = s.request(method, server.url(path), timeout=10)
        assert r.status_code == 401, (method, path, r.status_code)
