"""Hostile input (issue 7): every attack gets a 4xx or a closed connection, never a 5xx or
a crash, and psafed keeps serving everyone else while it happens."""

from __future__ import annotations

import socket
import ssl
import threading
import time

import pytest

from support import create_safe, create_workgroup, unique

# SQL metacharacters, NUL, control characters, long and unicode strings for string fields.
NASTY = ["' OR '1'='1", "x'); DROP TABLE users;--", "a\u0000b", "\u0000", "%00", "..\\..\\etc\\passwd",
         "../../etc/passwd", "\u202e\u0007\u001b[31m", "😀" * 100, "A" * 100_000, "{{7*7}}", "${jndi:ldap://x}"]


def alive(srv) -> None:
    s = srv.admin()
    try:
        assert s.get(srv.url("Roles"), timeout=10).status_code == 200
    finally:
        s.close()


@pytest.mark.parametrize("value", NASTY, ids=range(len(NASTY)))
def test_hostile_strings_in_every_kind_of_field(api, server, value):
    calls = [
        ("POST", "Workgroups", {"Name": value}),
        ("POST", "Users", {"UserName": value, "Password": value}),
        ("POST", "UserGroups", {"groupName": value}),
        ("POST", "SmartRules", {"Title": value, "SystemNamePattern": value}),
        ("POST", "secrets-safe/safes/", {"Name": value, "Description": value}),
        ("POST", "/secrets-safe/secrets", {"title": value, "type": "Password", "password": value,
                                           "folderName": value}),
        ("GET", f"ManagedAccounts?systemName={value[:2000]}&accountName={value[:2000]}", None),
        ("GET", f"secrets-safe/secrets?path={value[:2000]}&title={value[:2000]}", None),
    ]
    for method, path, body in calls:
        url = server.base + path if path.startswith("/") else server.url(path)
        r = api.request(method, url, json=body, timeout=30)
        assert r.status_code < 500, (method, path, repr(value[:40]), r.status_code, r.text[:200])
        if r.status_code in (200, 201) and body:
            assert "error" not in r.text.lower()[:50]
    # Stored values come back as they went in, never interpreted.
    name = unique("n") + value[:50].replace("\u0000", "")
    r = api.post(server.url("Workgroups"), json={"Name": name}, timeout=10)
    if r.status_code == 201:
        assert r.json()["Name"] == name
    alive(server)


def test_path_traversal_in_folder_paths_is_refused(api, server):
    safe = create_safe(api, server)
    for bad in ("../x", "..", "a/../../b", "a//b", "/", "a/./b", "."):
        r = api.post(server.base + "/secrets-safe/secrets", timeout=10,
                     json={"title": "t", "type": "Password", "password": "p", "folderName": f"{safe['Name']}/{bad}"})
        assert r.status_code == 400, (bad, r.status_code, r.text)
    for name in ("..", "."):
        r = api.post(server.url("secrets-safe/folders/"), json={"Name": name, "ParentId": safe["Id"]}, timeout=10)
        assert r.status_code == 400, (name, r.status_code, r.text)
    r = api.get(server.url("secrets-safe/secrets"), params={"path": "../" + safe["Name"]}, timeout=10)
    assert r.status_code == 200 and r.json() == [], r.text


@pytest.mark.parametrize("body", [
    b"[" * 100000 + b"]" * 100000,
    b'{"a":' * 5000 + b"1" + b"}" * 5000,
    b'{"SystemID": 1' + b"0" * 5000 + b"}",
    b'{"SystemID": 1e999999, "AccountID": -1e-999999}',
    b'{"DurationMinutes": 9223372036854775808}',
    b'{"Name": "\\ud800"}',
    b'\xff\xfe{"Name": 1}',
    b'{"Name": "a", "Name": "b"}',
], ids=["deep-array", "deep-object", "long-number", "huge-exponent", "int64-overflow", "lone-surrogate",
        "bad-utf8", "duplicate-key"])
def test_pathological_json_is_4xx(api, server, body):
    for path in ("Requests", "Workgroups", "secrets-safe/safes/"):
        r = api.post(server.url(path), data=body, headers={"Content-Type": "application/json"}, timeout=30)
        assert 400 <= r.status_code < 500 or r.status_code in (200, 201), (path, r.status_code, r.text[:200])
    alive(server)


def test_slowloris_connections_do_not_starve_others(server_factory):
    srv = server_factory.start(config_text="[limits]\nread_timeout_seconds = 2\n")
    ctx = ssl.create_default_context(cafile=srv.creds.ca_cert)
    socks = []
    try:
        for _ in range(50):  # each sends part of a header, then dribbles
            raw = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
            s = ctx.wrap_socket(raw, server_hostname="127.0.0.1")
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
            socks.append(s)
        t0 = time.monotonic()
        alive(srv)  # others are served meanwhile
        assert time.monotonic() - t0 < 5
        time.sleep(3)  # past the read timeout: the slow ones are closed
        closed = 0
        for s in socks:
            try:
                s.sendall(b"X-Slow: 1\r\n")
                closed += s.recv(1) == b""
            except (OSError, ssl.SSLError):
                closed += 1
        assert closed == len(socks), f"{len(socks) - closed} slow connections still open"
    finally:
        for s in socks:
            s.close()
    alive(srv)


def test_malformed_tls_and_garbage_bytes(server):
    for junk in (b"\x16\x03\x01\x00\x05hello", b"GET / HTTP/1.1\r\n\r\n", b"\x00" * 1000, bytes(range(256)) * 10):
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
            s.sendall(junk)
            s.settimeout(5)
            try:
                s.recv(100)
            except (OSError, socket.timeout):
                pass
    alive(server)


def test_concurrent_abuse_while_serving_a_legitimate_client(server):
    stop = threading.Event()

    def abuse():
        while not stop.is_set():
            try:
                with socket.create_connection(("127.0.0.1", server.port), timeout=2) as s:
                    s.sendall(b"\x16\x03\x03\x00\x10" + b"\x00" * 16)
            except OSError:
                pass

    threads = [threading.Thread(target=abuse, daemon=True) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        s = server.admin()
        wg = create_workgroup(s, server)
        for _ in range(20):
            assert s.get(server.url(f"Workgroups/{wg['ID']}"), timeout=10).status_code == 200
        s.close()
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=10)
