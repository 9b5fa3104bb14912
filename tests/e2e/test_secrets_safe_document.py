"""The OpenAPI document's Secrets operations (docs/SECRETS.md "The OpenAPI document's
operations"): lower-case fields, `folderName` paths created on demand, both sets of names on
every response. Schema validation of these answers is in test_openapi_conformance.py."""

from __future__ import annotations

import uuid

from support import (create_credential_secret, create_file_secret, create_folder, create_safe, grant_folder,
                     new_group_member, search_secrets, unique)

DOC = "/secrets-safe/secrets"


def doc_create(s, srv, **body):
    return s.post(srv.base + DOC, json=body, timeout=10)


def folders_by_id(api, srv) -> dict:
    r = api.get(srv.url("secrets-safe/folders/"), timeout=10)
    assert r.status_code == 200, r.text
    return {f["Id"].lower(): f for f in r.json()}


def assert_both_names(item: dict) -> None:
    pairs = [("Id", "id"), ("Title", "title"), ("Description", "description"), ("FolderPath", "folderName"),
             ("CreatedOn", "created"), ("ModifiedOn", "lastModified")]
    for pascal, lower in pairs:
        assert pascal in item and lower in item, (pascal, lower, sorted(item))
        assert item[pascal] == item[lower], (pascal, lower, item[pascal], item[lower])
    doc_type = {"Credential": "Password", "Text": "Text", "File": "File"}[item["SecretType"]]
    assert item["type"] == doc_type, item


def test_create_with_folder_name_creates_the_path(api, server):
    a, b = unique("DocA"), unique("DocB")
    pw = "Doc/" + uuid.uuid4().hex + '"'
    r = doc_create(api, server, title="db", type="Password", password=pw, description="desc", folderName=f"{a}/{b}")
    assert r.status_code == 201, (r.status_code, r.text)
    sec = r.json()
    assert (sec["title"], sec["type"], sec["folderName"], sec["description"]) == ("db", "Password", f"{a}/{b}", "desc")
    assert (sec["Title"], sec["SecretType"], sec["FolderPath"]) == ("db", "Credential", f"{a}/{b}"), sec
    assert sec["id"] == sec["Id"] and sec["created"] and sec["lastModified"], sec
    assert_both_names(sec)

    folders = folders_by_id(api, server)
    safe = [f for f in folders.values() if f["Name"] == a]
    assert len(safe) == 1 and safe[0]["ParentId"] is None, ("the first missing folder is a safe", safe)
    sub = [f for f in folders.values() if f["Name"] == b]
    assert len(sub) == 1 and sub[0]["ParentId"].lower() == safe[0]["Id"].lower(), sub
    assert sec["FolderId"].lower() == sub[0]["Id"].lower()

    # An existing path (any case) is reused, not created again.
    r = doc_create(api, server, title="tok", type="Text", text="some text", folderName=f"{a.upper()}/{b.lower()}")
    assert r.status_code == 201, (r.status_code, r.text)
    assert r.json()["FolderId"].lower() == sub[0]["Id"].lower(), r.json()
    assert r.json()["type"] == "Text" and r.json()["SecretType"] == "Text"
    assert len([f for f in folders_by_id(api, server).values() if f["Name"].lower() in (a.lower(), b.lower())]) == 2

    # A deeper path under an existing safe adds only the missing folder.
    r = doc_create(api, server, title="deep", type="Password", password="x", folderName=f"{a}/{b}/c")
    assert r.status_code == 201, (r.status_code, r.text)
    c = folders_by_id(api, server)[r.json()["FolderId"].lower()]
    assert c["Name"] == "c" and c["ParentId"].lower() == sub[0]["Id"].lower()


def test_get_list_and_delete(api, server):
    folder = f"{unique('DocSafe')}/x"
    pw, text = "pw/" + uuid.uuid4().hex, "text " + uuid.uuid4().hex
    p = doc_create(api, server, title=unique("docpw"), type="Password", password=pw, folderName=folder).json()
    t = doc_create(api, server, title=unique("doctext"), type="Text", text=text, folderName=folder).json()

    r = api.get(server.base + DOC, params={"title": p["title"]}, timeout=10)
    assert r.status_code == 200, r.text
    assert [x["id"] for x in r.json()] == [p["id"]], r.json()
    for item in r.json():
        assert_both_names(item)
    r = api.get(server.base + DOC, params={"title": p["title"].upper()}, timeout=10)
    assert [x["id"] for x in r.json()] == [p["id"]], "title matches case-insensitively"

    r = api.get(server.base + f"{DOC}/{p['id']}", timeout=10)
    assert r.status_code == 200, r.text
    one = r.json()
    assert (one["type"], one["password"], one["text"]) == ("Password", pw, None), one
    assert one["Password"] == pw
    assert_both_names(one)

    r = api.get(server.base + f"{DOC}/{t['id']}", timeout=10)
    one = r.json()
    assert (one["type"], one["password"], one["text"]) == ("Text", None, text), one
    assert one["Password"] == text, "the product's Password holds a Text value"
    assert_both_names(one)

    r = api.delete(server.base + f"{DOC}/{p['id']}", timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    assert api.get(server.base + f"{DOC}/{p['id']}", timeout=10).status_code == 404
    assert api.delete(server.base + f"{DOC}/{p['id']}", timeout=10).status_code == 404
    assert api.get(server.base + DOC, params={"title": p["title"]}, timeout=10).json() == []


def test_both_names_on_product_paths_and_file_secrets(api, server):
    safe = create_safe(api, server)
    cred = create_credential_secret(api, server, safe["Id"], title="c", password="cv")
    f = create_file_secret(api, server, safe["Id"], b"filebytes", title="f")
    for item in search_secrets(api, server, path=safe["Name"]):
        assert_both_names(item)
    one = api.get(server.url(f"secrets-safe/secrets/{cred['Id']}"), timeout=10).json()
    assert_both_names(one)
    assert (one["password"], one["text"]) == ("cv", None), one
    one = api.get(server.base + f"{DOC}/{f['Id']}", timeout=10).json()
    assert (one["type"], one["password"], one["text"]) == ("File", None, None), one
    assert_both_names(one)


def test_document_create_validation(api, server):
    base = {"title": unique("v"), "folderName": unique("VSafe")}
    for body in ({**base, "type": "Bogus", "password": "x"}, {"type": "Password", "password": "x", "folderName": "f"},
                 {**base, "password": "x", "title": ""}, {**base, "type": "Password", "password": "x",
                                                          "folderName": "a//b"}):
        r = doc_create(api, server, **body)
        assert r.status_code == 400, (body, r.status_code, r.text)
    r = api.post(server.base + DOC, data=b"{bad", headers={"Content-Type": "application/json"}, timeout=10)
    assert r.status_code == 400, (r.status_code, r.text)


def test_document_create_needs_manage_to_add_folders(api, server):
    safe = create_safe(api, server)
    existing = create_folder(api, server, safe["Id"])
    _, wgroup, writer = new_group_member(api, server)
    grant_folder(api, server, safe["Id"], wgroup["GroupID"], "write")
    _, mgroup, manager = new_group_member(api, server)
    grant_folder(api, server, safe["Id"], mgroup["GroupID"], "manage")

    r = doc_create(writer, server, title="w", type="Password", password="p", folderName=f"{safe['Name']}/{existing['Name']}")
    assert r.status_code == 201, ("write access, existing folder", r.status_code, r.text)
    r = doc_create(writer, server, title="w", type="Password", password="p", folderName=f"{safe['Name']}/newsub")
    assert r.status_code == 403, ("write access may not create folders", r.status_code, r.text)
    r = doc_create(manager, server, title="m", type="Password", password="p", folderName=f"{safe['Name']}/newsub")
    assert r.status_code == 201, ("manage access creates the missing folder", r.status_code, r.text)
    r = doc_create(manager, server, title="m", type="Password", password="p", folderName=f"{unique('NewRoot')}/x")
    # A new safe needs administration; to anyone else a missing safe looks like a hidden one.
    assert r.status_code == 404, ("a new safe needs administration", r.status_code, r.text)
    _, _, nobody = new_group_member(api, server)
    r = doc_create(nobody, server, title="n", type="Password", password="p", folderName=f"{safe['Name']}/{existing['Name']}")
    assert r.status_code in (403, 404), (r.status_code, r.text)
