"""HTTP/1.1 and TLS behaviour, and graceful shutdown on SIGTERM/SIGINT."""

from __future__ import annotations

import http.client
import json
import signal
import socket
import ssl
import subprocess
import time
import warnings
from pathlib import Path

import pytest
import requests

import support
from support import BASE_PATH, unique


def openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)


def self_signed(key: Path, cert: Path, subject: str, days: int, *extra: str) -> None:
    """A P-256 key and a self-signed certificate for it."""
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", str(days),
            "-subj", subject, *extra, "-keyout", str(key), "-out", str(cert))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def https_connection(srv, timeout=10.0) -> http.client.HTTPSConnection:
    ctx = ssl.create_default_context(cafile=srv.ca)
    return http.client.HTTPSConnection("127.0.0.1", srv.port, context=ctx, timeout=timeout)


def tls_context(srv, version: ssl.TLSVersion) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(srv.ca)
    # Let the client offer old protocols at all, so that a refusal is the server's.
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.minimum_version = version
        ctx.maximum_version = version
    return ctx


def handshake(srv, ctx) -> ssl.SSLSocket:
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    try:
        return ctx.wrap_socket(sock, server_hostname="127.0.0.1")
    except BaseException:
        sock.close()
        raise


# --- HTTP/1.1 keep-alive -------------------------------------------------------------

def test_keep_alive_reuses_one_connection(server):
    conn = https_connection(server)
    auth = {"Authorization": server.creds.ps_auth}
    try:
        conn.request("GET", BASE_PATH + "/ManagedSystems", headers=auth)
        r = conn.getresponse()
        assert r.status == 200
        r.read()
        sock = conn.sock
        assert sock is not None
        local = sock.getsockname()
        for i in range(5):
            if i % 2:
                body = json.dumps({"Name": unique("wg")})
                conn.request("POST", BASE_PATH + "/Workgroups", body=body,
                             headers={**auth, "Content-Type": "application/json"})
                expected = 201
            else:
                conn.request("GET", "/health")
                expected = 200
            r = conn.getresponse()
            assert r.status == expected
            assert (r.getheader("Connection") or "").lower() != "close"
            r.read()
            assert conn.sock is sock, f"request {i} was sent on a new connection"
            assert conn.sock.getsockname() == local
    finally:
        conn.close()


def test_connection_close_is_honoured(server):
    conn = https_connection(server)
    try:
        conn.request("GET", "/health", headers={"Connection": "close"})
        r = conn.getresponse()
        assert r.status == 200
        assert r.getheader("Connection", "").lower() == "close"
        r.read()
        assert r.will_close
    finally:
        conn.close()


def test_keep_alive_survives_an_error_response(server):
    conn = https_connection(server)
    try:
        conn.request("GET", BASE_PATH + "/NoSuchThing", headers={"Authorization": server.creds.ps_auth})
        r = conn.getresponse()
        assert r.status == 404
        r.read()
        sock = conn.sock
        conn.request("GET", "/health")
        r = conn.getresponse()
        assert r.status == 200
        r.read()
        assert conn.sock is sock
    finally:
        conn.close()


# --- TLS -----------------------------------------------------------------------------

@pytest.mark.parametrize("version", ["TLSv1", "TLSv1_1"])
def test_old_tls_versions_are_refused(server, version):
    ctx = tls_context(server, getattr(ssl.TLSVersion, version))
    with pytest.raises(ssl.SSLError) as err:
        handshake(server, ctx).close()
    msg = str(err.value)
    if "NO_PROTOCOLS_AVAILABLE" in msg or "NO_CIPHERS_AVAILABLE" in msg:
        pytest.skip(f"this OpenSSL cannot offer {version} at all; the server was not asked")
    assert "PROTOCOL_VERSION" in msg.upper() or "UNSUPPORTED_PROTOCOL" in msg.upper(), msg


@pytest.mark.parametrize("version,name", [("TLSv1_2", "TLSv1.2"), ("TLSv1_3", "TLSv1.3")])
def test_tls_12_and_13_are_accepted(server, version, name):
    ssock = handshake(server, tls_context(server, getattr(ssl.TLSVersion, version)))
    try:
        assert ssock.version() == name
        ssock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        r = http.client.HTTPResponse(ssock)
        r.begin()
        assert r.status == 200
        assert json.loads(r.read())["status"] == "ok"
    finally:
        ssock.close()


def test_certificate_does_not_verify_without_the_init_ca(server):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_default_certs()
    with pytest.raises(ssl.SSLCertVerificationError):
        handshake(server, ctx).close()


def test_certificate_is_valid_for_127_0_0_1(server):
    ssock = handshake(server, ssl.create_default_context(cafile=server.ca))  # checks the hostname too
    ssock.close()


def _served_chain(srv):
    """The server certificate psafed presents, as a cryptography object."""
    from cryptography import x509
    ssock = handshake(srv, ssl.create_default_context(cafile=srv.ca))
    der = ssock.getpeercert(binary_form=True)
    ssock.close()
    return x509.load_der_x509_certificate(der)


def test_generated_certificate_lives_397_days_and_names_a_crl_psafed_serves(server_factory):
    from cryptography import x509
    from cryptography.x509.oid import ExtensionOID
    port = free_port()  # init and serve agree on the address
    data = server_factory.tmp_path / "crl-data"
    creds = support.init_data_dir_args(data, "--listen", f"127.0.0.1:{port}")
    server = server_factory.start(data, creds, listen=f"127.0.0.1:{port}")
    leaf = _served_chain(server)
    lifetime = leaf.not_valid_after - leaf.not_valid_before
    assert 397 <= lifetime.days <= 398
    points = leaf.extensions.get_extension_for_oid(ExtensionOID.CRL_DISTRIBUTION_POINTS).value
    uri = points[0].full_name[0].value
    assert uri == server.root + "/tls/ca.crl"

    r = requests.get(uri, verify=server.ca, timeout=10)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/pkix-crl"
    crl = x509.load_der_x509_crl(r.content)
    ca = x509.load_pem_x509_certificate(open(server.ca, "rb").read())
    assert crl.is_signature_valid(ca.public_key())
    assert crl.issuer == ca.subject
    assert len(crl) == 0  # nothing is revoked, and nothing can be: the CA key is gone
    assert crl.next_update == ca.not_valid_after
    assert "CRL" not in server.stderr_text()  # no warning that the address differs


def test_serving_elsewhere_than_the_certificate_names_is_warned(server_factory):
    srv = server_factory.start(listen="127.0.0.1:0")  # init named 127.0.0.1:8443
    assert "names its CRL at https://127.0.0.1:8443/tls/ca.crl" not in srv.stderr_text()  # port 0: no claim
    srv.stop()
    srv = server_factory.start(srv.data_dir, srv.creds, listen=f"127.0.0.1:{free_port()}")
    assert "names its CRL at https://127.0.0.1:8443/tls/ca.crl" in srv.stderr_text()


def test_tls_responses_carry_hsts(server):
    r = requests.get(server.root + "/health", verify=server.ca, timeout=10)
    assert r.headers["Strict-Transport-Security"] == "max-age=31536000"
    # Errors answered below the router as well.
    r = requests.get(server.root + "/health", verify=server.ca, timeout=10, headers={"X-Big": "a" * 20000})
    assert r.status_code == 431
    assert r.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_a_generated_certificate_near_expiry_is_renewed_at_start(server_factory, tmp_path):
    data, creds = server_factory.new_data_dir()
    tls = data / "tls"
    # Stand in for psafed's own material 20 days from expiry: a CA under the generated CA's
    # name, and a server certificate it signed.
    self_signed(tmp_path / "ca.key", tls / "ca.pem", "/O=psafe/CN=psafe local CA", 20)
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=localhost",
            "-keyout", str(tls / "server.key"), "-out", str(tmp_path / "server.csr"))
    openssl("x509", "-req", "-in", str(tmp_path / "server.csr"), "-CA", str(tls / "ca.pem"),
            "-CAkey", str(tmp_path / "ca.key"), "-CAcreateserial", "-days", "20", "-out", str(tls / "server.crt"))
    old_ca = (tls / "ca.pem").read_bytes()
    srv = server_factory.start(data, creds)
    assert (tls / "ca.pem").read_bytes() != old_ca
    leaf = _served_chain(srv)  # verifies against the new ca.pem
    assert (leaf.not_valid_after - leaf.not_valid_before).days >= 397
    assert "expires within 30 days" in srv.stderr_text()


def test_an_operators_certificate_at_the_default_paths_is_never_replaced(server_factory):
    data, creds = server_factory.new_data_dir()
    tls = data / "tls"
    self_signed(tls / "server.key", tls / "server.crt", "/CN=ops.example.com", 5, "-addext",
                "subjectAltName=IP:127.0.0.1")
    own = (tls / "server.crt").read_bytes()
    srv = server_factory.start(data, creds)
    assert (tls / "server.crt").read_bytes() == own
    ssock = handshake(srv, ssl.create_default_context(cafile=str(tls / "server.crt")))
    assert ssock.getpeercert(binary_form=True) == ssl.PEM_cert_to_DER_cert(own.decode())
    ssock.close()


# --- Graceful shutdown ---------------------------------------------------------------

def _post_head(srv, body_len: int) -> bytes:
    return (f"POST {BASE_PATH}/Workgroups HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: {srv.creds.ps_auth}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {body_len}\r\n\r\n").encode()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_in_flight_request_finishes_after_signal(server_factory, sig):
    srv = server_factory.start()
    body = json.dumps({"Name": unique("wg")}).encode()
    ssock = handshake(srv, ssl.create_default_context(cafile=srv.ca))
    try:
        # Headers and half the body: the request is in flight when the signal arrives.
        ssock.sendall(_post_head(srv, len(body)) + body[:5])
        time.sleep(0.3)
        srv.proc.send_signal(sig)
        time.sleep(0.5)
        assert srv.proc.poll() is None, "psafed exited with a request in flight"
        # New connections are no longer accepted.
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", srv.port), timeout=2).close()
        ssock.sendall(body[5:])
        r = http.client.HTTPResponse(ssock)
        r.begin()
        assert r.status == 201, r.read()
        assert r.getheader("Connection", "").lower() == "close"
        r.read()
    finally:
        ssock.close()
    assert srv.stop(timeout=10) == 0
    assert "stopped" in srv.stderr_text()
    assert srv.stdout_rest == b"", "psafed printed more than its listening line on stdout"


def test_idle_keep_alive_connection_does_not_delay_shutdown(server_factory):
    srv = server_factory.start()
    conn = https_connection(srv)
    try:
        conn.request("GET", "/health")
        r = conn.getresponse()
        assert r.status == 200
        r.read()  # the connection stays open and idle
        start = time.monotonic()
        srv.proc.send_signal(signal.SIGTERM)
        code = srv.proc.wait(timeout=10)
        elapsed = time.monotonic() - start
    finally:
        conn.close()
    assert code == 0
    assert elapsed < 5, f"psafed took {elapsed:.1f}s to exit with an idle connection open"
    assert srv.stop() == 0
    assert "stopped" in srv.stderr_text()


def test_shutdown_grace_bounds_a_stuck_request(server_factory):
    srv = server_factory.start(config_text="[limits]\nshutdown_grace_seconds = 1\n")
    ssock = handshake(srv, ssl.create_default_context(cafile=srv.ca))
    try:
        ssock.sendall(_post_head(srv, 100) + b"{")  # never completed
        time.sleep(0.3)
        start = time.monotonic()
        srv.proc.send_signal(signal.SIGTERM)
        code = srv.proc.wait(timeout=10)
        elapsed = time.monotonic() - start
    finally:
        ssock.close()
    assert elapsed < 5, f"psafed took {elapsed:.1f}s with shutdown_grace_seconds = 1"
    assert code == 0
    srv.stop()


def test_idle_connection_times_out(server_factory):
    srv = server_factory.start(config_text="[limits]\nidle_timeout_seconds = 1\n")
    conn = https_connection(srv)
    try:
        conn.request("GET", "/health")
        r = conn.getresponse()
        assert r.status == 200
        r.read()
        sock = conn.sock
        sock.settimeout(10)
        start = time.monotonic()
        try:
            data = sock.recv(1)  # blocks until psafed closes the idle connection
        except (ssl.SSLError, ConnectionError):
            data = b""
        elapsed = time.monotonic() - start
        assert data == b""
        assert 0.5 <= elapsed < 5, f"idle connection closed after {elapsed:.1f}s, expected about 1s"
    finally:
        conn.close()


@pytest.mark.parametrize("partial", ["header", "body"])
def test_stalled_request_is_closed_without_408(server_factory, partial):
    srv = server_factory.start(config_text="[limits]\nread_timeout_seconds = 1\n")
    ssock = handshake(srv, ssl.create_default_context(cafile=srv.ca))
    try:
        if partial == "header":
            ssock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # no blank line
        else:
            ssock.sendall(_post_head(srv, 100) + b"{")
        ssock.settimeout(10)
        start = time.monotonic()
        data = b""
        try:
            while chunk := ssock.recv(4096):
                data += chunk
        except (ssl.SSLError, ConnectionError):
            pass
        elapsed = time.monotonic() - start
    finally:
        ssock.close()
    assert elapsed < 5, f"a stalled request was kept {elapsed:.1f}s with read_timeout_seconds = 1"
    assert b" 408 " not in data.split(b"\r\n", 1)[0], data
    assert not data.startswith(b"HTTP/1.1 5"), data
    r = srv.session().get(srv.root + "/health", timeout=10)
    assert r.status_code == 200


# --- Plain HTTP (loopback only) ------------------------------------------------------

def test_plain_http_on_loopback(server_factory):
    srv = server_factory.start(config_text="[tls]\nenabled = false\n")
    assert srv.scheme == "http"
    s = srv.session()
    assert s.get(srv.root + "/health", timeout=10).status_code == 200
    r = s.post(srv.url("Auth/SignAppIn"), headers={"Authorization": srv.creds.ps_auth}, timeout=10)
    assert r.status_code == 200
    assert s.get(srv.url("ManagedSystems"), timeout=10).status_code == 200


def test_a_configured_certificate_is_used_as_given(server_factory, tmp_path):
    self_signed(tmp_path / "own.key", tmp_path / "own.crt", "/CN=psafe-configured", 2, "-addext",
                "subjectAltName=IP:127.0.0.1")
    srv = server_factory.start(config_text=f'[tls]\ncert = "{tmp_path / "own.crt"}"\nkey = "{tmp_path / "own.key"}"\n')
    ssock = handshake(srv, ssl.create_default_context(cafile=str(tmp_path / "own.crt")))
    served = ssock.getpeercert(binary_form=True)
    ssock.close()
    own = ssl.PEM_cert_to_DER_cert((tmp_path / "own.crt").read_text())
    assert served == own
    # The generated CA does not vouch for it.
    with pytest.raises(ssl.SSLCertVerificationError):
        handshake(srv, ssl.create_default_context(cafile=srv.creds.ca_cert)).close()


# --- Rate limits ---------------------------------------------------------------------------

def test_sign_in_and_api_calls_are_rate_limited_per_client(server_factory):
    srv = server_factory.start(config_text="[limits]\nsignin_per_second = 1\nsignin_burst = 3\n"
                                           "requests_per_second = 2\nrequests_burst = 5\n")
    s = srv.session()
    auth = {"Authorization": srv.creds.ps_auth}
    codes = [s.post(srv.url("Auth/SignAppIn"), headers=auth, timeout=10).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429], codes
    r = s.post(srv.url("Auth/SignAppIn"), headers=auth, timeout=10)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1, (r.status_code, r.headers)
    assert r.json() == "too many requests; retry later"
    # Other calls have their own bucket (the session cookie from the first sign-ins works).
    codes = [s.get(srv.url("Roles"), timeout=10).status_code for _ in range(6)]
    assert codes == [200] * 5 + [429], codes
    time.sleep(1.2)  # refills
    assert s.post(srv.url("Auth/SignAppIn"), headers=auth, timeout=10).status_code == 200
    assert s.get(srv.url("Roles"), timeout=10).status_code == 200
    # /health is outside the API: never limited.
    assert all(s.get(srv.root + "/health", timeout=10).status_code == 200 for _ in range(10))
