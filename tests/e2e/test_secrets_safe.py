"""Secrets Safe (docs/SECRETS.md): the GoLib and PyLib flows byte for byte, round trips of
Credential, Text and File secrets, search parameters, updates and deletes, folders, the
5 MiB file limit and bad input. Permissions are in test_secrets_safe_access.py, the
document's lower-case dialect in test_secrets_safe_document.py, plaintext at rest in
test_secrets_safe_at_rest.py."""

from __future__ import annotations

import json
import os
import time
import uuid
from datetime import datetime, timezone
from urllib.parse import quote

import pytest

from support import (GUID_RE, MAX_FILE_SECRET_BYTES, ZERO_GUID, audit_records, create_credential_secret,
                     create_file_secret, create_folder, create_safe, create_text_secret,
                     download_secret_file, file_secret_multipart, get_secret, multipart_body,
                     post_file_secret, search_secrets, unique)

ITEM_FIELDS = {"Id", "Title", "Description", "FolderId", "FolderPath", "SecretType", "Username", "Notes",
               "Urls", "OwnerId", "OwnerType", "Owners", "CreatedOn", "CreatedBy", "ModifiedOn", "ModifiedBy",
               "SecretValueModifiedOn"}
FOLDER_FIELDS = {"Id", "Name", "Description", "ParentId", "UserGroupId"}


def ids(items) -> set:
    return {i["Id"].lower() for i in items}


def assert_create_response(body: dict, title: str, folder_id: str) -> None:
    assert set(body) >= {"Id", "Title", "Description", "FolderId"}, body
    assert GUID_RE.match(body["Id"]), body
    assert body["Title"] == title, body
    assert body["FolderId"].lower() == folder_id.lower(), ("FolderId must be the folder from the path", body)
    assert body["FolderId"] != ZERO_GUID


@pytest.fixture
def safe(api, server) -> dict:
    return create_safe(api, server)


@pytest.fixture
def admin_id(server) -> int:
    r = server.session().post(server.url("Auth/SignAppIn"), headers={"Authorization": server.creds.ps_auth},
                              timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["UserId"]


# --- 1. GoLib / PyLib flows (real-api-contract §2.3, §7 rows 9-13) --------------------------

def test_golib_secrets_flow_byte_for_byte(server, admin_id):
    s = server.signed_in()  # cookie only, as GoLib after sign-in
    s.headers.update({"User-Agent": "Go-http-client/1.1", "Accept-Encoding": "gzip",
                      "Content-Type": "application/json"})
    safe_name, folder_name = unique("f1safe"), unique("f1")

    r = s.post(server.url("secrets-safe/safes/"), timeout=10,
               data=json.dumps({"Name": safe_name, "Description": "golib safe", "FolderType": "SAFE",
                                "FolderId": ZERO_GUID}, separators=(",", ":")).encode())
    assert r.status_code == 201, (r.status_code, r.text)
    safe = r.json()
    assert GUID_RE.match(safe["Id"]), safe
    assert (safe["Name"], safe["Description"], safe["ParentId"]) == (safe_name, "golib safe", None), safe
    assert set(safe) >= FOLDER_FIELDS, safe

    r = s.post(server.url("secrets-safe/folders/"), timeout=10,
               data=json.dumps({"Name": folder_name, "Description": "golib folder", "ParentId": safe["Id"],
                                "FolderType": "FOLDER"}, separators=(",", ":")).encode())
    assert r.status_code == 201, (r.status_code, r.text)
    folder = r.json()
    assert set(folder) >= FOLDER_FIELDS, folder
    assert folder["ParentId"].lower() == safe["Id"].lower() and folder["Name"] == folder_name, folder
    fid = folder["Id"]

    # Row 11: the folder list.
    for path in ("secrets-safe/folders/?version=3.1", "Secrets-Safe/Folders/?version=3.1"):
        r = s.get(server.url(path), timeout=10)
        assert r.status_code == 200, (path, r.status_code, r.text)
        folders = r.json()
        assert isinstance(folders, list) and folders, folders
        for f in folders:
            assert set(f) >= FOLDER_FIELDS, f
        mine = {f["Id"].lower(): f for f in folders}
        assert safe["Id"].lower() in mine and fid.lower() in mine, (path, "created folders missing")
        assert mine[fid.lower()]["Name"] == folder_name
        assert mine[fid.lower()]["ParentId"].lower() == safe["Id"].lower()
        assert mine[fid.lower()]["FolderPath"] == f"{safe_name}/{folder_name}"
        assert mine[safe["Id"].lower()]["ParentId"] is None

    # Row 12: text secret, zero FolderId in the body.
    body = (f'{{"Title":"t1","Description":"D","Text":"hello","Owners":[{{"GroupId":1,"UserId":{admin_id}}}],'
            f'"FolderId":"{ZERO_GUID}"}}')
    r = s.post(server.url(f"secrets-safe/folders/{fid}/secrets/text?version=3.1"), data=body.encode(), timeout=10)
    assert r.status_code == 201, (r.status_code, r.text)
    text_secret = r.json()
    assert_create_response(text_secret, "t1", fid)
    assert text_secret["Description"] == "D"

    # Row 13: file secret, GoLib multipart (part "file") ...
    meta = {"Title": "F", "Owners": [{"GroupId": 1, "UserId": admin_id}], "FileName": "a.txt",
            "FileContent": "filedata"}
    mp, ctype = file_secret_multipart(meta, b"filedata", "a.txt", part="file")
    r = s.post(server.url(f"secrets-safe/folders/{fid}/secrets/file?version=3.1"), data=mp,
               headers={"Content-Type": ctype}, timeout=10)
    assert r.status_code == 201, (r.status_code, r.text)
    golib_file = r.json()
    assert_create_response(golib_file, "F", fid)

    # ... and PyLib's (requests' own encoding, part "files").
    py_meta = {"Title": "F2", "Description": "pylib", "FileName": "b.txt", "Notes": "n"}
    r = s.post(server.url(f"secrets-safe/folders/{fid}/secrets/file"), timeout=10,
               headers={"Content-Type": None},
               data={"secretmetadata": json.dumps(py_meta)}, files={"files": ("b.txt", b"pylib data\n")})
    assert r.status_code == 201, (r.status_code, r.text)
    py_file = r.json()
    assert_create_response(py_file, "F2", fid)

    # Row 9: the search, exactly as GoLib sends it.
    path_q = quote(f"{safe_name}/{folder_name}", safe="")

    def golib_search(title: str, version: str = "3.1"):
        r = s.get(server.base + f"/secrets-safe/secrets?decrypt=true&path={path_q}&separator=%2F&title={title}"
                  f"&version={version}", timeout=10)
        assert r.status_code == 200, (r.status_code, r.text)
        return r.json()

    got = golib_search("t1")
    assert isinstance(got, list) and len(got) == 1, got
    item = got[0]
    assert item["Id"].lower() == text_secret["Id"].lower()
    assert (item["Title"], item["SecretType"], item["Password"]) == ("t1", "Text", "hello"), item
    assert item["FolderPath"] == f"{safe_name}/{folder_name}", item
    assert set(item) >= ITEM_FIELDS | {"Password"}, set(ITEM_FIELDS | {"Password"}) - set(item)

    got = golib_search("F")
    assert len(got) == 1 and got[0]["SecretType"] == "File" and got[0]["FileName"] == "a.txt", got
    # Row 10: GoLib downloads the bytes of a File secret.
    r = s.get(server.url(f"secrets-safe/secrets/{got[0]['Id']}/file/download"), timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    assert r.content == b"filedata"
    assert r.headers["Content-Type"].startswith("application/octet-stream")
    got = golib_search("F2")
    assert len(got) == 1 and got[0]["SecretType"] == "File", got
    r = s.get(server.url(f"secrets-safe/secrets/{got[0]['Id']}/file/download"), timeout=10)
    assert (r.status_code, r.content) == (200, b"pylib data\n")

    wrapped = golib_search("t1", version="3.2")
    assert isinstance(wrapped, dict) and set(wrapped) >= {"TotalCount", "Data"}, wrapped
    assert wrapped["TotalCount"] == 1 and len(wrapped["Data"]) == 1, wrapped
    assert wrapped["Data"][0]["Id"].lower() == text_secret["Id"].lower()
    assert wrapped["Data"][0]["Password"] == "hello"

    r = s.get(server.base + f"/secrets-safe/secrets?decrypt=true&path={path_q}&separator=%2F&title=nosuch"
              f"&version=3.1", timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    assert r.json() == [], r.text
    s.close()


# --- 2. Round trips -----------------------------------------------------------------------------

def test_credential_round_trip(api, server, safe):
    username = 'dom\\app/üsér "q"'
    password = 'p/w"\\\'x ü€ 😀 \t<>&'
    created = create_credential_secret(api, server, safe["Id"], title="db", username=username, password=password,
                                       Description="the db")
    assert_create_response(created, "db", safe["Id"])
    assert created["Description"] == "the db"
    one = get_secret(api, server, created["Id"])
    assert (one["SecretType"], one["Username"], one["Password"], one["Title"]) == \
        ("Credential", username, password, "db"), one
    assert one["FolderPath"] == safe["Name"] and one["FolderId"].lower() == safe["Id"].lower()
    assert "\\/" not in api.get(server.url(f"secrets-safe/secrets/{created['Id']}"), timeout=10).text, \
        "'/' escaped as '\\/'"
    hits = search_secrets(api, server, path=safe["Name"], title="db")
    assert [(h["Username"], h["Password"]) for h in hits] == [(username, password)]


def test_text_round_trip(api, server, safe):
    text = 'line1\nline2 "quoted" / back\\slash ü 😀\ttab'
    created = create_text_secret(api, server, safe["Id"], text, title="tok")
    assert_create_response(created, "tok", safe["Id"])
    one = get_secret(api, server, created["Id"])
    assert (one["SecretType"], one["Password"]) == ("Text", text), one
    hits = search_secrets(api, server, path=safe["Name"], title="tok")
    assert [h["Password"] for h in hits] == [text]


@pytest.mark.parametrize("kind", ["unicode-text", "binary"])
def test_file_round_trip_is_byte_exact(api, server, safe, kind):
    if kind == "unicode-text":
        content, name = "héllo wörld 😀\r\nzweite Zeile\n".encode(), "notes.txt"
    else:
        content, name = bytes(range(256)) * 3 + os.urandom(4096) + b"\r\n--" + b"\x00" * 64, "blob.bin"
    created = create_file_secret(api, server, safe["Id"], content, file_name=name, title=kind)
    assert_create_response(created, kind, safe["Id"])
    one = get_secret(api, server, created["Id"])
    assert (one["SecretType"], one["FileName"], one["FileSize"]) == ("File", name, len(content)), one
    r = download_secret_file(api, server, created["Id"])
    assert r.status_code == 200, (r.status_code, r.text)
    assert r.content == content
    assert r.headers["Content-Type"].startswith("application/octet-stream"), r.headers
    disp = r.headers.get("Content-Disposition", "")
    assert disp.startswith("attachment") and name in disp, disp


# --- 3. Search parameters ---------------------------------------------------------------------

def test_decrypt_controls_the_value(api, server, safe):
    pw = "Decrypt/" + uuid.uuid4().hex
    sec = create_credential_secret(api, server, safe["Id"], title="d", password=pw)
    r = api.get(server.url("secrets-safe/secrets"), params={"path": safe["Name"], "title": "d", "decrypt": "false"},
                timeout=10)
    assert r.status_code == 200, r.text
    items = r.json()
    assert len(items) == 1 and items[0]["Id"].lower() == sec["Id"].lower(), items
    assert items[0].get("Password") is None, ("decrypt=false returned the value", items[0])
    assert pw not in r.text
    for params in ({}, {"decrypt": "true"}):
        items = search_secrets(api, server, path=safe["Name"], title="d", **params)
        assert [i["Password"] for i in items] == [pw], (params, items)


def test_title_and_path_match_case_insensitively_and_path_includes_subfolders(api, server):
    safe = create_safe(api, server, name=unique("CaseSafe"))
    sub = create_folder(api, server, safe["Id"], name=unique("Sub"))
    top = create_credential_secret(api, server, safe["Id"], title="MixedCase")
    low = create_credential_secret(api, server, sub["Id"], title="MixedCase")
    for title in ("MixedCase", "mixedcase", "MIXEDCASE"):
        for path in (safe["Name"], safe["Name"].upper(), safe["Name"].lower()):
            got = search_secrets(api, server, path=path, title=title)
            assert ids(got) == {top["Id"].lower(), low["Id"].lower()}, (path, title, got)
    sub_path = f"{safe['Name']}/{sub['Name']}"
    for path in (sub_path, sub_path.upper(), sub_path.lower()):
        got = search_secrets(api, server, path=path, title="mixedcase")
        assert ids(got) == {low["Id"].lower()}, (path, got)
        assert got[0]["FolderPath"] == sub_path
    assert search_secrets(api, server, path=safe["Name"], title="MixedCas") == [], "title must match exactly"
    assert search_secrets(api, server, path=safe["Name"][:-1], title="MixedCase") == [], "path must match whole names"


def test_custom_separator(api, server):
    safe = create_safe(api, server)
    sub = create_folder(api, server, safe["Id"])
    sec = create_text_secret(api, server, sub["Id"], "sep-value", title="t")
    for sep in ("|", "\\", "~"):
        got = search_secrets(api, server, path=f"{safe['Name']}{sep}{sub['Name']}", separator=sep, title="t")
        assert ids(got) == {sec["Id"].lower()}, (sep, got)
        assert got[0]["Password"] == "sep-value"
    # GoLib's exact spelling of the query, with a separator that needs encoding.
    r = api.get(server.base + "/secrets-safe/secrets?decrypt=true&path="
                + quote(f"{safe['Name']}|{sub['Name']}", safe="") + "&separator=%7C&title=t&version=3.1", timeout=10)
    assert r.status_code == 200 and ids(r.json()) == {sec["Id"].lower()}, r.text


def _utc(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_afterdate_selects_by_modification_time(api, server, safe):
    a = create_credential_secret(api, server, safe["Id"], title="a")
    time.sleep(1.2)
    cut = _utc(time.time())
    time.sleep(1.2)
    b = create_credential_secret(api, server, safe["Id"], title="b")
    got = search_secrets(api, server, path=safe["Name"], afterdate=cut)
    assert ids(got) == {b["Id"].lower()}, (cut, got)
    r = api.put(server.url(f"secrets-safe/secrets/{a['Id']}"), timeout=10,
                json={"Title": "a", "Username": "app", "Password": "changed/1"})
    assert r.status_code == 200, (r.status_code, r.text)
    got = search_secrets(api, server, path=safe["Name"], afterdate=cut)
    assert ids(got) == {a["Id"].lower(), b["Id"].lower()}, ("an update is a modification", got)
    assert search_secrets(api, server, path=safe["Name"], afterdate=_utc(time.time() + 3600)) == []
    got = search_secrets(api, server, path=safe["Name"], afterdate="2000-01-01T00:00:00Z")
    assert ids(got) == {a["Id"].lower(), b["Id"].lower()}


def test_limit_offset_and_folder_id(api, server, safe):
    other = create_folder(api, server, safe["Id"])
    mine = {create_credential_secret(api, server, safe["Id"], title=f"s{i}")["Id"].lower() for i in range(5)}
    elsewhere = create_credential_secret(api, server, other["Id"], title="s0")
    got = search_secrets(api, server, folderId=safe["Id"])
    assert ids(got) == mine, got
    assert all(i["FolderId"].lower() == safe["Id"].lower() for i in got)
    assert elsewhere["Id"].lower() not in ids(got)
    pages = [search_secrets(api, server, folderId=safe["Id"], limit=2, offset=o) for o in (0, 2, 4)]
    assert [len(p) for p in pages] == [2, 2, 1], pages
    assert set().union(*(ids(p) for p in pages)) == mine, "pages overlap or miss items"
    assert search_secrets(api, server, folderId=safe["Id"], limit=2, offset=5) == []
    r = api.get(server.url("secrets-safe/secrets"), timeout=10,
                params={"folderId": safe["Id"], "limit": 2, "offset": 0, "version": "3.2"})
    assert r.status_code == 200, r.text
    assert r.json()["TotalCount"] == 5 and len(r.json()["Data"]) == 2, r.json()
    # path + limit
    got = search_secrets(api, server, path=safe["Name"], limit=3)
    assert len(got) == 3, got


def test_folder_secrets_listing(api, server, safe):
    a = create_folder(api, server, safe["Id"])
    b = create_folder(api, server, safe["Id"])
    in_a = {create_credential_secret(api, server, a["Id"])["Id"].lower(),
            create_text_secret(api, server, a["Id"], "x")["Id"].lower(),
            create_file_secret(api, server, a["Id"], b"f")["Id"].lower()}
    in_b = create_credential_secret(api, server, b["Id"])["Id"].lower()
    r = api.get(server.url(f"secrets-safe/folders/{a['Id']}/secrets"), timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    assert isinstance(r.json(), list)
    assert ids(r.json()) == in_a, r.json()
    assert in_b not in ids(r.json())
    assert {i["SecretType"] for i in r.json()} == {"Credential", "Text", "File"}
    r = api.get(server.url(f"secrets-safe/folders/{create_folder(api, server, safe['Id'])['Id']}/secrets"), timeout=10)
    assert (r.status_code, r.json()) == (200, [])


def test_folder_get_and_safes_list(api, server, safe):
    sub = create_folder(api, server, safe["Id"], Description="sub desc")
    r = api.get(server.url(f"secrets-safe/folders/{sub['Id']}"), timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    f = r.json()
    assert (f["Id"].lower(), f["Name"], f["Description"], f["ParentId"].lower()) == \
        (sub["Id"].lower(), sub["Name"], "sub desc", safe["Id"].lower()), f
    r = api.get(server.url("secrets-safe/safes/"), timeout=10)
    assert r.status_code == 200, r.text
    safes = {x["Id"].lower(): x for x in r.json()}
    assert safe["Id"].lower() in safes
    assert sub["Id"].lower() not in safes, "a subfolder listed as a safe"
    assert all(x["ParentId"] is None for x in safes.values())


# --- 4. Update and delete -----------------------------------------------------------------------

def test_update_credential_keeps_metadata(api, server, safe, admin_id):
    owners = [{"UserId": admin_id, "GroupId": 1}]
    urls = ["https://db.example.com/login"]
    body = {"Title": "upd", "Description": "desc", "Username": "app", "Password": "old/pw", "Notes": "my notes",
            "Urls": urls, "Owners": owners, "OwnerId": admin_id, "OwnerType": "User"}
    r = api.post(server.url(f"secrets-safe/folders/{safe['Id']}/secrets"), json=body, timeout=10)
    assert r.status_code == 201, (r.status_code, r.text)
    sid = r.json()["Id"]
    before = get_secret(api, server, sid)
    assert before["Notes"] == "my notes" and before["Urls"] == urls, before
    for o in owners:
        assert any(all(x.get(k) == v for k, v in o.items()) for x in before["Owners"]), before["Owners"]
    time.sleep(1.1)
    r = api.put(server.url(f"secrets-safe/secrets/{sid}"), json={**body, "Password": "new/pw\"1"}, timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    after = r.json()
    assert after["Password"] == "new/pw\"1", after
    for k in ("Notes", "Urls", "Owners", "CreatedOn", "CreatedBy", "Title", "Description", "Username",
              "FolderId", "SecretType"):
        assert after[k] == before[k], (k, before[k], after[k])
    assert after["ModifiedBy"], after
    assert after["ModifiedOn"] != before["ModifiedOn"], ("ModifiedOn unchanged by an update", after)
    assert after["SecretValueModifiedOn"] != before["SecretValueModifiedOn"], after
    again = get_secret(api, server, sid)
    assert again["Password"] == "new/pw\"1"
    for k in ("Notes", "Urls", "Owners", "CreatedOn", "CreatedBy", "ModifiedOn", "ModifiedBy"):
        assert again[k] == after[k], (k, after[k], again[k])

    r = api.delete(server.url(f"secrets-safe/secrets/{sid}"), timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    assert api.get(server.url(f"secrets-safe/secrets/{sid}"), timeout=10).status_code == 404
    assert api.delete(server.url(f"secrets-safe/secrets/{sid}"), timeout=10).status_code == 404
    assert search_secrets(api, server, path=safe["Name"], title="upd") == []

    records, _ = audit_records(api, server)
    for action in ("secret.create", "secret.update", "secret.delete"):
        assert [x for x in records if x["Action"] == action and str(x["ObjectID"]).lower() == sid.lower()], \
            (action, "not audited")


def test_update_text(api, server, safe):
    sec = create_text_secret(api, server, safe["Id"], "first text", title="tt", Notes="keep")
    r = api.put(server.url(f"secrets-safe/secrets/{sec['Id']}/text"), timeout=10,
                json={"Title": "tt", "Text": "second / text ü", "Notes": "keep"})
    assert r.status_code == 200, (r.status_code, r.text)
    assert r.json()["Password"] == "second / text ü" and r.json()["SecretType"] == "Text", r.json()
    one = get_secret(api, server, sec["Id"])
    assert (one["Password"], one["Notes"]) == ("second / text ü", "keep")


def test_update_file(api, server, safe):
    sec = create_file_secret(api, server, safe["Id"], b"version one", file_name="v1.txt", title="ff")
    new = os.urandom(2048)
    body, ctype = file_secret_multipart({"Title": "ff", "FileName": "v2.bin"}, new, "v2.bin")
    r = api.put(server.url(f"secrets-safe/secrets/{sec['Id']}/file"), data=body, headers={"Content-Type": ctype},
                timeout=10)
    assert r.status_code == 204, (r.status_code, r.text)
    assert r.content == b""
    r = download_secret_file(api, server, sec["Id"])
    assert r.status_code == 200 and r.content == new
    assert "v2.bin" in r.headers.get("Content-Disposition", ""), r.headers
    one = get_secret(api, server, sec["Id"])
    assert (one["FileName"], one["FileSize"]) == ("v2.bin", len(new)), one
    # PyLib style update (part "files").
    r = api.put(server.url(f"secrets-safe/secrets/{sec['Id']}/file"), timeout=10,
                data={"secretmetadata": json.dumps({"Title": "ff", "FileName": "v3.txt"})},
                files={"files": ("v3.txt", b"three")})
    assert r.status_code == 204, (r.status_code, r.text)
    assert download_secret_file(api, server, sec["Id"]).content == b"three"


# --- 5. Folders ------------------------------------------------------------------------------

def test_folder_delete_conflict_and_force(api, server):
    safe = create_safe(api, server)
    sub = create_folder(api, server, safe["Id"])
    deep = create_folder(api, server, sub["Id"])
    s1 = create_credential_secret(api, server, deep["Id"])
    s2 = create_file_secret(api, server, sub["Id"], b"bytes")

    for target in (deep, sub, safe):
        r = api.delete(server.url(f"secrets-safe/folders/{target['Id']}"), timeout=10)
        assert r.status_code == 409, (target["Name"], r.status_code, r.text)
    r = api.delete(server.url(f"secrets-safe/safes/{safe['Id']}"), timeout=10)
    assert r.status_code == 409, (r.status_code, r.text)
    assert get_secret(api, server, s1["Id"])["Id"].lower() == s1["Id"].lower()

    # Only a subfolder, no secret: still 409.
    holder = create_folder(api, server, safe["Id"])
    create_folder(api, server, holder["Id"])
    assert api.delete(server.url(f"secrets-safe/folders/{holder['Id']}"), timeout=10).status_code == 409

    r = api.delete(server.url(f"secrets-safe/folders/{sub['Id']}?force=true"), timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    for fid in (sub["Id"], deep["Id"]):
        assert api.get(server.url(f"secrets-safe/folders/{fid}"), timeout=10).status_code == 404
    for sid in (s1["Id"], s2["Id"]):
        assert api.get(server.url(f"secrets-safe/secrets/{sid}"), timeout=10).status_code == 404
        assert download_secret_file(api, server, sid).status_code == 404
    assert search_secrets(api, server, path=safe["Name"]) == []

    empty = create_folder(api, server, safe["Id"])
    assert api.delete(server.url(f"secrets-safe/folders/{empty['Id']}"), timeout=10).status_code == 200
    r = api.delete(server.url(f"secrets-safe/safes/{safe['Id']}?force=true"), timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    assert api.get(server.url(f"secrets-safe/folders/{safe['Id']}"), timeout=10).status_code == 404
    assert safe["Id"].lower() not in ids(api.get(server.url("secrets-safe/safes/"), timeout=10).json())


def test_duplicate_sibling_names_conflict(api, server):
    safe = create_safe(api, server)
    sub = create_folder(api, server, safe["Id"], name="dup")
    r = api.post(server.url("secrets-safe/folders/"), json={"Name": "dup", "ParentId": safe["Id"]}, timeout=10)
    assert r.status_code == 409, (r.status_code, r.text)
    r = api.post(server.url("secrets-safe/safes/"), json={"Name": safe["Name"]}, timeout=10)
    assert r.status_code == 409, ("duplicate safe name", r.status_code, r.text)
    # The same name under a different parent is fine.
    other = create_safe(api, server)
    create_folder(api, server, other["Id"], name="dup")
    create_folder(api, server, sub["Id"], name="dup")


def test_sibling_names_differing_only_in_case_conflict(api, server):
    """Names and paths match case-insensitively, so `Dup` and `dup` would be the same path."""
    safe = create_safe(api, server)
    create_folder(api, server, safe["Id"], name="Dup")
    r = api.post(server.url("secrets-safe/folders/"), json={"Name": "dUP", "ParentId": safe["Id"]}, timeout=10)
    assert r.status_code == 409, (r.status_code, r.text)


def test_folder_names_are_validated(api, server, safe):
    bad = ["a/b", "/", "", "x" * 257]
    for name in bad:
        r = api.post(server.url("secrets-safe/folders/"), json={"Name": name, "ParentId": safe["Id"]}, timeout=10)
        assert r.status_code == 400, (name[:20], r.status_code, r.text)
        r = api.post(server.url("secrets-safe/safes/"), json={"Name": name}, timeout=10)
        assert r.status_code == 400, (name[:20], r.status_code, r.text)
    create_folder(api, server, safe["Id"], name="y" * 256)


# --- 6. The 5 MiB file limit ------------------------------------------------------------------

def test_file_limit_is_exactly_5_mib(api, server, safe):
    exact = os.urandom(MAX_FILE_SECRET_BYTES)
    r = post_file_secret(api, server, safe["Id"], exact, file_name="exact.bin", title="exact")
    assert r.status_code == 201, (r.status_code, r.text[:200])
    sid = r.json()["Id"]
    r = post_file_secret(api, server, safe["Id"], exact + b"x", file_name="over.bin", title="over")
    assert r.status_code == 413, (r.status_code, r.text[:200])
    assert search_secrets(api, server, path=safe["Name"], title="over") == []
    body, ctype = file_secret_multipart({"Title": "exact", "FileName": "over.bin"}, exact + b"y", "over.bin")
    r = api.put(server.url(f"secrets-safe/secrets/{sid}/file"), data=body, headers={"Content-Type": ctype}, timeout=60)
    assert r.status_code == 413, ("PUT above 5 MiB", r.status_code, r.text[:200])
    # Still serving, and the accepted file is intact.
    r = download_secret_file(api, server, sid)
    assert r.status_code == 200 and len(r.content) == MAX_FILE_SECRET_BYTES and r.content == exact
    assert get_secret(api, server, sid)["FileSize"] == MAX_FILE_SECRET_BYTES


# --- 10. Bad input --------------------------------------------------------------------------

def test_malformed_json_is_400(api, server, safe):
    for path in (f"secrets-safe/folders/{safe['Id']}/secrets", f"secrets-safe/folders/{safe['Id']}/secrets/text",
                 "secrets-safe/safes/", "secrets-safe/folders/"):
        for raw in (b'{"Title": "x",', b"not json", b"[1,2]"):
            r = api.post(server.url(path), data=raw, headers={"Content-Type": "application/json"}, timeout=10)
            assert r.status_code == 400, (path, raw, r.status_code, r.text)
    sec = create_credential_secret(api, server, safe["Id"])
    r = api.put(server.url(f"secrets-safe/secrets/{sec['Id']}"), data=b"{oops",
                headers={"Content-Type": "application/json"}, timeout=10)
    assert r.status_code == 400, (r.status_code, r.text)


def test_missing_title_is_400_naming_title(api, server, safe):
    cases = [(f"secrets-safe/folders/{safe['Id']}/secrets", {"Username": "u", "Password": "p"}),
             (f"secrets-safe/folders/{safe['Id']}/secrets/text", {"Text": "t"}),
             (f"secrets-safe/folders/{safe['Id']}/secrets", {"Title": "", "Username": "u", "Password": "p"})]
    for path, body in cases:
        r = api.post(server.url(path), json=body, timeout=10)
        assert r.status_code == 400, (path, body, r.status_code, r.text)
        assert "title" in r.text.lower(), ("the error should name Title", r.text)
    r = post_file_secret(api, server, safe["Id"], b"x", title="")
    assert r.status_code == 400 and "title" in r.text.lower(), (r.status_code, r.text)
    assert search_secrets(api, server, folderId=safe["Id"]) == []


def test_multipart_needs_metadata_and_file(api, server, safe):
    url = server.url(f"secrets-safe/folders/{safe['Id']}/secrets/file")
    no_meta, ct1 = file_secret_multipart(None, b"content", "a.txt")
    no_file, ct2 = file_secret_multipart({"Title": "nofile", "FileName": "a.txt"}, None)
    bad_meta, ct3 = multipart_body([("secretmetadata", None, None, b"{not json"),
                                    ("file", "a.txt", "application/octet-stream", b"content")])
    wrong_part, ct4 = file_secret_multipart({"Title": "wrong", "FileName": "a.txt"}, b"c", "a.txt", part="upload")
    for body, ctype, what in ((no_meta, ct1, "no secretmetadata"), (no_file, ct2, "no file part"),
                              (bad_meta, ct3, "metadata not JSON"), (wrong_part, ct4, "file part named upload")):
        r = api.post(url, data=body, headers={"Content-Type": ctype}, timeout=10)
        assert r.status_code == 400, (what, r.status_code, r.text)
    r = api.post(url, json={"Title": "json", "FileName": "a.txt"}, timeout=10)
    assert r.status_code in (400, 415), ("JSON to the file endpoint", r.status_code, r.text)
    assert search_secrets(api, server, folderId=safe["Id"]) == []


def test_length_limits(api, server, safe):
    long_title = "T" * 257
    r = api.post(server.url(f"secrets-safe/folders/{safe['Id']}/secrets"), timeout=10,
                 json={"Title": long_title, "Username": "u", "Password": "p"})
    assert r.status_code == 400, (r.status_code, r.text)
    r = api.post(server.url(f"secrets-safe/folders/{safe['Id']}/secrets/text"), timeout=10,
                 json={"Title": long_title, "Text": "t"})
    assert r.status_code == 400, (r.status_code, r.text)
    r = post_file_secret(api, server, safe["Id"], b"x", title=long_title)
    assert r.status_code == 400, (r.status_code, r.text)
    r = api.post(server.url(f"secrets-safe/folders/{safe['Id']}/secrets/text"), timeout=10,
                 json={"Title": "big", "Text": "a" * 4097})
    assert r.status_code == 400, (r.status_code, r.text)
    # The limits themselves are allowed.
    create_credential_secret(api, server, safe["Id"], title="T" * 256)
    sec = create_text_secret(api, server, safe["Id"], "b" * 4096, title="max")
    assert get_secret(api, server, sec["Id"])["Password"] == "b" * 4096
    # An update may not exceed them either.
    r = api.put(server.url(f"secrets-safe/secrets/{sec['Id']}/text"), json={"Title": "max", "Text": "c" * 4097},
                timeout=10)
    assert r.status_code == 400, (r.status_code, r.text)
    assert get_secret(api, server, sec["Id"])["Password"] == "b" * 4096


def test_text_limit_counts_characters_not_bytes(api, server, safe):
    """"Text secrets hold a value of up to 4096 characters": 4096 two-byte characters fit."""
    value = "é" * 4096
    sec = create_text_secret(api, server, safe["Id"], value, title="chars")
    assert get_secret(api, server, sec["Id"])["Password"] == value
    r = api.post(server.url(f"secrets-safe/folders/{safe['Id']}/secrets/text"), timeout=10,
                 json={"Title": "chars2", "Text": "é" * 4097})
    assert r.status_code == 400, (r.status_code, r.text)


def test_unknown_ids(api, server, safe):
    ghost = str(uuid.uuid4())
    checks = [
        ("POST", f"secrets-safe/folders/{ghost}/secrets", {"Title": "x", "Username": "u", "Password": "p"}),
        ("POST", f"secrets-safe/folders/{ghost}/secrets/text", {"Title": "x", "Text": "t"}),
        ("GET", f"secrets-safe/folders/{ghost}", None),
        ("GET", f"secrets-safe/folders/{ghost}/secrets", None),
        ("DELETE", f"secrets-safe/folders/{ghost}", None),
        ("POST", f"secrets-safe/folders/{ghost}/grants", {"UserGroupId": 1, "AccessLevel": "read"}),
        ("GET", f"secrets-safe/secrets/{ghost}", None),
        ("GET", f"secrets-safe/secrets/{ghost}/file/download", None),
        ("PUT", f"secrets-safe/secrets/{ghost}", {"Title": "x", "Username": "u", "Password": "p"}),
        ("PUT", f"secrets-safe/secrets/{ghost}/text", {"Title": "x", "Text": "t"}),
        ("DELETE", f"secrets-safe/secrets/{ghost}", None),
    ]
    for method, path, body in checks:
        r = api.request(method, server.url(path), json=body, timeout=10)
        assert r.status_code == 404, (method, path, r.status_code, r.text)
    r = post_file_secret(api, server, ghost, b"x")
    assert r.status_code == 404, (r.status_code, r.text)
    r = api.post(server.url("secrets-safe/folders/"), json={"Name": "orphan", "ParentId": ghost}, timeout=10)
    assert r.status_code in (400, 404), (r.status_code, r.text)


@pytest.mark.parametrize("bad", ["abc", "12345", "not-a-guid-at-all", "%27%3B%20DROP%20TABLE%20x",
                                 str(uuid.uuid4()) + "0", "0" * 300],
                         ids=["word", "digits", "words", "sql", "guid-plus-one", "300-zeros"])
def test_non_guid_ids_are_4xx(api, server, bad):
    for method, path in (("GET", f"secrets-safe/secrets/{bad}"), ("GET", f"secrets-safe/secrets/{bad}/file/download"),
                         ("DELETE", f"secrets-safe/secrets/{bad}"), ("GET", f"secrets-safe/folders/{bad}"),
                         ("GET", f"secrets-safe/folders/{bad}/secrets"), ("DELETE", f"secrets-safe/folders/{bad}"),
                         ("PUT", f"secrets-safe/secrets/{bad}")):
        r = api.request(method, server.base + "/" + path, json={"Title": "x"} if method == "PUT" else None,
                        timeout=10)
        assert r.status_code in (400, 404), (method, path, r.status_code, r.text)
    r = api.get(server.url("secrets-safe/secrets"), params={"folderId": bad}, timeout=10)
    assert r.status_code in (200, 400, 404), (r.status_code, r.text)
    if r.status_code == 200:
        assert r.json() == []


def test_bad_query_values_are_not_5xx(api, server, safe):
    create_credential_secret(api, server, safe["Id"], title="q")
    for params in ({"limit": "-1"}, {"limit": "abc"}, {"offset": "-5"}, {"afterdate": "yesterday"},
                   {"decrypt": "maybe"}, {"separator": "||", "path": safe["Name"]}, {"version": "x"}):
        r = api.get(server.url("secrets-safe/secrets"), params=params, timeout=10)
        assert r.status_code < 500, (params, r.status_code, r.text)
        assert r.status_code in (200, 400), (params, r.status_code, r.text)


def test_download_of_a_non_file_secret_is_4xx(api, server, safe):
    sec = create_credential_secret(api, server, safe["Id"])
    r = download_secret_file(api, server, sec["Id"])
    assert 400 <= r.status_code < 500, (r.status_code, r.text)
    assert b"Pw/" not in r.content
