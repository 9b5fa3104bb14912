"""Findings of the outside input review, each tested the way an attacker would try it:
over TLS against a psafed process (docs/SECURITY.md, "Input handling")."""

from __future__ import annotations

import json
import socket
import ssl
import time
import uuid

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


# --- 2. No response carries invalid UTF-8: every text input is checked -------------------

BAD = b"\xff\xfe"


def all_audit_pages_are_strict_json(srv) -> list:
    api = srv.admin()
    records, offset = [], 0
    while True:
        r = api.get(srv.url("Audit"), params={"limit": 200, "offset": offset}, timeout=15)
        assert r.status_code == 200, r.text
        body = strict_json(r)  # raises on a byte that is not UTF-8
        records += body["Data"]
        offset += len(body["Data"])
        if not body["Data"] or offset >= body["TotalCount"]:
            return records


@pytest.mark.parametrize("header", [
    "PS-Auth key={key}; runas=\xff\xfe;",
    "PS-Auth key={key}; runas={user}; pwd=[\xff\xfe];",
], ids=["runas", "pwd"])
def test_sign_in_with_bytes_that_are_not_utf8_is_400_and_the_audit_stays_valid_json(server_factory, header):
    srv = server_factory.start()
    s = srv.session()
    # http.client sends a str header as Latin-1: "\xff\xfe" goes out as the bytes FF FE.
    r = s.post(srv.url("Auth/SignAppIn"), headers={"Authorization": header.format(key=srv.creds.api_key,
                                                                                   user=srv.creds.user)}, timeout=10)
    assert r.status_code == 400, (r.status_code, r.text)
    assert strict_json(r) in ("runas is not valid UTF-8", "pwd is not valid UTF-8"), r.text
    # Nor on any other route, where the header is an implicit session.
    r = s.get(srv.url("Workgroups"), headers={"Authorization": header.format(key=srv.creds.api_key,
                                                                               user=srv.creds.user)}, timeout=10)
    assert r.status_code == 400, (r.status_code, r.text)
    records = all_audit_pages_are_strict_json(srv)
    assert not any(rec.get("Action") == "signin.failed" for rec in records), records


def test_oauth_form_fields_that_are_not_utf8_are_400(server_factory):
    srv = server_factory.start()
    s = srv.session()
    for form in (f"grant_type=client_credentials&client_id=%FF%FE&client_secret=x",
                 f"grant_type=client_credentials&client_id={srv.creds.client_id}&client_secret=%C0%AF"):
        r = s.post(srv.url("Auth/connect/token"), data=form,
                   headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=10)
        assert r.status_code == 400, (form, r.status_code, r.text)
        assert strict_json(r) == {"error": "invalid_request"}
    records = all_audit_pages_are_strict_json(srv)
    assert not any(rec.get("Action") == "signin.failed" for rec in records), records


@pytest.mark.parametrize("target,message", [
    ("Workgroups/%FF%FE", "request path is not valid UTF-8"),
    ("Workgroups/%C0%AF/Assets", "request path is not valid UTF-8"),
    ("UserGroups/%ED%A0%80", "request path is not valid UTF-8"),
    ("ManagedAccounts?systemName=%FF%FE&accountName=root", "query string is not valid UTF-8"),
    ("secrets-safe/secrets?path=%FF", "query string is not valid UTF-8"),
])
def test_path_and_query_that_are_not_utf8_once_decoded_are_400(server, target, message):
    raw = exchange_until_close(server, (f"GET {BASE_PATH}/{target} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                        f"Authorization: {server.creds.ps_auth}\r\nConnection: close\r\n\r\n").encode())
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 "), raw[:400]
    assert json.loads(body.decode("utf-8")) == message


@pytest.mark.parametrize("body", [
    b'{"Name": "\xff\xfe"}', b'{"Name": "\xc0\xaf"}', b'{"Name": "\xed\xa0\x80"}', b'{"Name": "\\ud800"}',
    b'{"\xff": 1, "Name": "x"}',
], ids=["ff-fe", "overlong", "surrogate-bytes", "escaped-lone-surrogate", "bad-key"])
def test_json_bodies_that_are_not_utf8_are_400(api, server, body):
    for path in ("Workgroups", "UserGroups", "secrets-safe/safes/"):
        r = api.post(server.url(path), data=body, headers={"Content-Type": "application/json"}, timeout=10)
        assert r.status_code == 400, (path, r.status_code, r.text)
        assert strict_json(r) == "malformed JSON body"


def raw_multipart(parts: list[tuple[bytes, bytes]]) -> tuple[bytes, str]:
    """A multipart/form-data body from (part header lines, data), both raw bytes."""
    boundary = unique("b0undary")
    out = b""
    for headers, data in parts:
        out += f"--{boundary}\r\n".encode() + headers + b"\r\n\r\n" + data + b"\r\n"
    return out + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def metadata_part(**meta) -> tuple[bytes, bytes]:
    return b'Content-Disposition: form-data; name="secretmetadata"', json.dumps(meta).encode()


@pytest.mark.parametrize("part_headers", [
    b'Content-Disposition: form-data; name="file\xff"',
    b'Content-Disposition: form-data; name="file"; filename="\xff\xfe.txt"',
    b'Content-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/\xc0\xaf',
], ids=["part-name", "file-name", "content-type"])
def test_multipart_fields_that_are_not_utf8_are_400(api, server, part_headers):
    from support import create_safe
    safe = create_safe(api, server)
    body, ctype = raw_multipart([metadata_part(Title=unique("f")), (part_headers, b"content")])
    r = api.post(server.url(f"secrets-safe/folders/{safe['Id']}/secrets/file"), data=body,
                 headers={"Content-Type": ctype}, timeout=10)
    assert r.status_code == 400, (r.status_code, r.text)
    assert strict_json(r).endswith("is not valid UTF-8"), r.text


# --- 3. File secret names: checked, and reduced to a base name ----------------------------

def upload(api, srv, folder_id, file_name, part_file_name=None, content=b"file content"):
    """POST a File secret; the name goes in the metadata's FileName unless part_file_name is
    given (then only the multipart part's filename carries it, raw bytes allowed)."""
    meta = {"Title": unique("file")}
    if part_file_name is None:
        meta["FileName"] = file_name
        part_file_name = b"ignored.bin"
    # Escaped as Go's mime/multipart and urllib3 escape a quoted parameter.
    escaped = part_file_name.replace(b"\\", b"\\\\").replace(b'"', b'\\"')
    disposition = b'Content-Disposition: form-data; name="file"; filename="' + escaped + b'"'
    body, ctype = raw_multipart([metadata_part(**meta),
                                 (disposition + b"\r\nContent-Type: application/octet-stream", content)])
    return api.post(srv.url(f"secrets-safe/folders/{folder_id}/secrets/file"), data=body,
                    headers={"Content-Type": ctype}, timeout=10)


@pytest.mark.parametrize("sent,stored", [
    ("../../etc/passwd", "passwd"),
    ("..\\..\\windows\\win.ini", "win.ini"),
    ("/var/lib/psafe/master.key", "master.key"),
    ("C:\\Users\\eve\\r\u00e9sum\u00e9.pdf", "r\u00e9sum\u00e9.pdf"),
])
def test_an_uploaded_file_name_is_reduced_to_its_base_name_in_the_answer_and_the_download(api, server, sent, stored):
    from support import create_safe, download_secret_file
    safe = create_safe(api, server)
    for how in ("metadata", "part"):
        r = upload(api, server, safe["Id"], sent) if how == "metadata" else \
            upload(api, server, safe["Id"], None, part_file_name=sent.encode())
        assert r.status_code == 201, (how, r.status_code, r.text)
        created = strict_json(r)
        assert created["FileName"] == stored, (how, created)
        d = download_secret_file(api, server, created["Id"])
        assert d.status_code == 200, d.text
        disposition = d.headers["Content-Disposition"].encode("latin-1").decode("utf-8")
        assert disposition == f'attachment; filename="{stored}"', disposition
        assert ".." not in disposition and "/" not in disposition
    listing = api.get(server.url(f"secrets-safe/folders/{safe['Id']}/secrets"), timeout=10)
    assert {s["FileName"] for s in strict_json(listing)} == {stored}


def test_an_update_reduces_the_file_name_too(api, server):
    from support import create_file_secret, create_safe, file_secret_multipart, get_secret
    safe = create_safe(api, server)
    created = create_file_secret(api, server, safe["Id"], b"v1", file_name="v1.bin")
    body, ctype = file_secret_multipart({"Title": created["Title"], "FileName": "../../../../tmp/x.sh"}, b"v2",
                                        file_name="v2.bin")
    r = api.put(server.url(f"secrets-safe/secrets/{created['Id']}/file"), data=body,
                headers={"Content-Type": ctype}, timeout=10)
    assert r.status_code == 204, (r.status_code, r.text)
    assert get_secret(api, server, created["Id"])["FileName"] == "x.sh"


@pytest.mark.parametrize("sent", [
    b"\xff\xfe.txt", b"a\x07b.txt", b"a\x1b[31m.txt", "inv\u202eexe.txt".encode(), b"a\x7f.txt",
    b"f" * 257, b"..", b".", b"dir/", b"../..", b"..\\",
], ids=["not-utf8", "bell", "escape", "bidi-override", "del", "257-bytes", "dot-dot", "dot", "dir", "up-up",
        "up-backslash"])
def test_a_file_name_that_is_not_a_plain_name_is_400(api, server, sent):
    from support import create_safe
    safe = create_safe(api, server)
    r = upload(api, server, safe["Id"], None, part_file_name=sent)
    assert r.status_code == 400, (sent, r.status_code, r.text)
    assert "FileName" in strict_json(r) or "not valid UTF-8" in strict_json(r), r.text
    try:
        text = sent.decode("utf-8")  # JSON metadata can carry every one but the bytes that are not UTF-8
    except UnicodeDecodeError:
        text = None
    if text is not None:
        r = upload(api, server, safe["Id"], text)
        assert r.status_code == 400, (sent, r.status_code, r.text)
    listing = api.get(server.url(f"secrets-safe/folders/{safe['Id']}/secrets"), timeout=10)
    assert strict_json(listing) == []


# --- 5. Look-alike names --------------------------------------------------------------------

def name_fields(api, srv):
    """(what, method, path, body for a name) for every kind of name psafed stores."""
    from support import create_safe, create_system, create_workgroup
    wg = create_workgroup(api, srv)
    system = create_system(api, srv, wg["ID"])
    safe = create_safe(api, srv)
    return [
        ("user", "Users", lambda n: {"UserName": n, "FirstName": "e2e", "Password": "Passw0rd!long"}),
        ("user first name", "Users", lambda n: {"UserName": unique("u"), "FirstName": n, "Password": "Passw0rd!long"}),
        ("user last name", "Users", lambda n: {"UserName": unique("u"), "LastName": n, "Password": "Passw0rd!long"}),
        ("group", "UserGroups", lambda n: {"groupName": n}),
        ("registration", "ApiRegistrations", lambda n: {"Name": n}),
        ("workgroup", "Workgroups", lambda n: {"Name": n}),
        ("asset", f"Workgroups/{wg['ID']}/Assets", lambda n: {"AssetName": n, "IPAddress": "10.0.0.9"}),
        ("system", f"Workgroups/{wg['ID']}/ManagedSystems",
         lambda n: {"SystemName": n, "PlatformID": 2, "IPAddress": "10.0.0.9"}),
        ("account", f"ManagedSystems/{system['ManagedSystemID']}/ManagedAccounts", lambda n: {"AccountName": n}),
        ("smart rule", "SmartRules", lambda n: {"Title": n}),
        ("access policy", "AccessPolicies", lambda n: {"Name": n, "RequiredApprovals": 0, "MaxDurationMinutes": 60}),
        ("password rule", "PasswordRules", lambda n: {"Name": n, "MinimumLength": 12}),
        ("safe", "secrets-safe/safes/", lambda n: {"Name": n}),
        ("folder", "secrets-safe/folders/", lambda n: {"Name": n, "ParentId": safe["Id"]}),
        ("secret", f"secrets-safe/folders/{safe['Id']}/secrets", lambda n: {"Title": n, "Password": "pw"}),
        ("text secret", f"secrets-safe/folders/{safe['Id']}/secrets/text", lambda n: {"Title": n, "Text": "t"}),
    ]


@pytest.mark.parametrize("bad", [
    "{} ", " {}", "{}\t", "{}\u00a0", "\u200b{}", "{}\u3000", "\ufeff{}",  # invisible at either end
    "{}\u0007x", "x\u001b[31m{}", "{}\u007f", "{}\u0085x", "{}\u009bx", "{}\u2028x",  # C0, DEL, C1, separators
    "{}\u202ex", "x\u2066{}",  # bidirectional controls
], ids=["trailing-space", "leading-space", "trailing-tab", "nbsp", "zero-width", "ideographic-space", "bom",
        "bell", "escape", "del", "nel", "csi", "line-separator", "rlo", "lri"])
def test_no_name_field_accepts_control_characters_or_whitespace_at_its_ends(api, server, bad):
    for what, path, body in name_fields(api, server):
        name = bad.format(unique("n"))
        r = api.post(server.url(path), json=body(name), timeout=10)
        assert r.status_code == 400, (what, repr(name), r.status_code, r.text)
        assert isinstance(strict_json(r), str), r.text


def digits() -> str:
    """A unique suffix without letters, so that it adds no script to a name."""
    return str(uuid.uuid4().int)[:15]


def test_a_name_field_with_inner_spaces_and_any_single_script_is_accepted(api, server):
    for what, path, body in name_fields(api, server):
        for name in (unique("a b"), "\u0438\u0432\u0430\u043d-" + digits(), "\u03b1\u03b8\u03ae\u03bd\u03b1 " + digits(),
                     "Zo\u00eb-" + digits(), "\u5c71\u7530-" + unique("")):
            r = api.post(server.url(path), json=body(name), timeout=10)
            assert r.status_code == 201, (what, name, r.status_code, r.text)


# "аdmin" (Cyrillic а), "Αdmin" (Greek Α), "admіn" (Cyrillic і), fullwidth "ａｄｍｉｎ", bold "𝐚dmin".
LOOK_ALIKES = ["\u0430dmin", "\u0391dmin", "adm\u0456n", "\uff41\uff44\uff4d\uff49\uff4e", "\U0001d41admin"]


@pytest.mark.parametrize("look_alike", LOOK_ALIKES, ids=["cyrillic-a", "greek-alpha", "cyrillic-i", "fullwidth",
                                                         "math-bold"])
def test_identity_names_refuse_look_alikes_of_latin_names(api, server, look_alike):
    for path, body in (("Users", {"UserName": look_alike, "Password": "Passw0rd!long"}),
                       ("UserGroups", {"groupName": look_alike + "-" + unique("g")}),
                       ("UserGroups", {"groupName": "\u0410dministrators"}),
                       ("ApiRegistrations", {"Name": look_alike})):
        r = api.post(server.url(path), json=body, timeout=10)
        assert r.status_code == 400, (path, body, r.status_code, r.text)
        assert strict_json(r).startswith(("UserName must not", "groupName must not", "Name must not")), r.text
    # The look-alike cannot sign in as anybody either: it names no user.
    s = server.session(f"PS-Auth key={server.creds.api_key}; runas={look_alike};".encode().decode("latin-1"))
    assert s.post(server.url("Auth/SignAppIn"), timeout=10).status_code == 401


def test_titles_may_mix_scripts_and_identities_compare_case_insensitively_in_ascii(api, server):
    from support import create_safe
    safe = create_safe(api, server)
    r = api.post(server.url(f"secrets-safe/folders/{safe['Id']}/secrets"),
                 json={"Title": "\u041f\u0430\u0440\u043e\u043b\u044c VPN", "Password": "pw"}, timeout=10)
    assert r.status_code == 201, r.text
    name = unique("CaseUser")
    assert api.post(server.url("Users"), json={"UserName": name, "Password": "Passw0rd!long"},
                    timeout=10).status_code == 201
    r = api.post(server.url("Users"), json={"UserName": name.lower(), "Password": "Passw0rd!long"}, timeout=10)
    assert r.status_code == 409, r.text


# --- 6. No oracle on safe names ---------------------------------------------------------------

def test_creating_a_secret_at_a_path_answers_a_missing_safe_as_one_the_caller_cannot_see(api, server):
    from support import create_folder, create_safe, grant_folder, new_group_member
    hidden = create_safe(api, server)          # exists; the callers hold nothing on it
    create_folder(api, server, hidden["Id"], name="sub")
    _, _, nobody = new_group_member(api, server)           # no grant anywhere
    _, group, manager = new_group_member(api, server)      # manage on a safe of its own
    grant_folder(api, server, create_safe(api, server)["Id"], group["GroupID"], "manage")
    missing = unique("NoSuchSafe")
    for caller in (nobody, manager):
        answers = []
        for folder in (hidden["Name"], missing, f"{hidden['Name']}/x", f"{missing}/x", f"{hidden['Name']}/sub",
                       f"{hidden['Name']}/sub/x", f"{missing}/sub/x"):
            r = caller.post(server.base + "/secrets-safe/secrets", timeout=10,
                            json={"title": unique("t"), "type": "Password", "password": "p", "folderName": folder})
            answers.append((folder, r.status_code, r.content))
        assert {(status, body) for _, status, body in answers} == {(404, b'{"Message":"folder not found","ErrorCode":404}')}, \
            answers
    r = api.post(server.base + "/secrets-safe/secrets", timeout=10,
                 json={"title": "t", "type": "Password", "password": "p", "folderName": f"{missing}/x"})
    assert r.status_code == 201, "the administrator still creates the safe on the way"
