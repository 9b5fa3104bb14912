"""Findings of the outside input review, each tested the way an attacker would try it:
over TLS against a psafed process (docs/SECURITY.md, "Input handling")."""

from __future__ import annotations

import json
import socket
import ssl
import time

import pytest

from support import BASE_PATH, unique


# --- helpers ----------------------------------------------------------------------------

def tls_socket(srv, timeout: float = 10.0) -> ssl.SSLSocket:
    ctx = ssl.create_default_context(cafile=srv.ca)
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=timeout)
    return ctx.wrap_socket(sock, server_hostname="127.0.0.1")


def exchange_until_close(srv, payload: bytes, timeout: float = 10.0) -> bytes:
    """Sends raw bytes on a fresh TLS connection and returns everything psafed sends back
    until it closes the connection (or `timeout` passes without it doing so)."""
    sock = tls_socket(srv, timeout=2.0)
    received = b""
    try:
        sock.sendall(payload)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                continue
            except (ssl.SSLError, ConnectionError):
                break
            if not chunk:
                break
            received += chunk
        else:
            raise AssertionError(f"psafed kept the connection open; received {received[:400]!r}")
    finally:
        sock.close()
    return received


def status_lines(raw: bytes) -> list[bytes]:
    return [line for line in raw.split(b"\r\n") if line.startswith(b"HTTP/1.")]


def strict_json(r):
    """The body parsed as JSON after a strict UTF-8 decode (requests would replace bad bytes)."""
    return json.loads(r.content.decode("utf-8", errors="strict"))


def workgroup_names(api, srv) -> set[str]:
    r = api.get(srv.url("Workgroups"), timeout=10)
    assert r.status_code == 200, r.text
    return {w["Name"] for w in strict_json(r)}


# --- 1. Transfer-Encoding other than chunked -----------------------------------------------

@pytest.mark.parametrize("coding", ["xchunked", "chunked, identity", "identity", "gzip", "gzip, chunked",
                                    "gzip\r\nTransfer-Encoding: chunked"])
def test_a_body_framed_by_another_transfer_coding_is_refused_and_never_read_as_a_request(api, server, coding):
    hidden_name = unique("smuggled")
    hidden_body = json.dumps({"Name": hidden_name}).encode()
    hidden = (f"POST {BASE_PATH}/Workgroups HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              f"Authorization: {server.creds.ps_auth}\r\nContent-Type: application/json\r\n"
              f"Content-Length: {len(hidden_body)}\r\n\r\n").encode() + hidden_body
    outer = (f"POST {BASE_PATH}/Workgroups HTTP/1.1\r\nHost: 127.0.0.1\r\n"
             f"Authorization: {server.creds.ps_auth}\r\nContent-Type: application/json\r\n"
             f"Transfer-Encoding: {coding}\r\n\r\n").encode()
    raw = exchange_until_close(server, outer + hidden)
    lines = status_lines(raw)
    assert len(lines) == 1 and lines[0].startswith(b"HTTP/1.1 400 "), raw[:600]
    head, _, body = raw.partition(b"\r\n\r\n")
    assert b"connection: close" in head.lower(), head
    assert json.loads(body.decode("utf-8")) == "unsupported Transfer-Encoding", body
    assert hidden_name not in workgroup_names(api, server), "the hidden request was executed"


def test_transfer_encoding_on_http_1_0_is_refused(server):
    raw = exchange_until_close(server, (f"POST {BASE_PATH}/Workgroups HTTP/1.0\r\nHost: 127.0.0.1\r\n"
                                        "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n").encode())
    lines = status_lines(raw)
    assert len(lines) == 1 and b" 400 " in lines[0], raw[:600]


def test_chunked_alone_still_frames_the_body(api, server):
    name = unique("chunked")
    body = json.dumps({"Name": name}).encode()
    payload = (f"POST {BASE_PATH}/Workgroups HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
               f"Authorization: {server.creds.ps_auth}\r\nContent-Type: application/json\r\n"
               "Transfer-Encoding: Chunked\r\n\r\n").encode() + f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
    raw = exchange_until_close(server, payload)
    assert status_lines(raw)[0].startswith(b"HTTP/1.1 201 "), raw[:600]
    assert name in workgroup_names(api, server)
