"""Who may do what in Secrets Safe (docs/SECRETS.md "Who may do what"): folder grants
(read, write, manage) inherited down the tree, invisibility without read access, 403 for
changes without write, and the audit of every value read."""

from __future__ import annotations

import json
import uuid

import pytest

from support import (audit_records, create_credential_secret, create_file_secret, create_folder, create_safe,
                     create_text_secret, download_secret_file, file_secret_multipart, grant_folder,
                     new_group_member, search_secrets)


def ids(items) -> set:
    return {i["Id"].lower() for i in items}


class Tree:
    """safe S / A / B with a credential and a file secret in B, and a sibling safe S2."""

    def __init__(self, api, srv):
        self.S = create_safe(api, srv)
        self.A = create_folder(api, srv, self.S["Id"])
        self.B = create_folder(api, srv, self.A["Id"])
        self.S2 = create_safe(api, srv)
        self.password = "Access/" + uuid.uuid4().hex + '"'
        self.cred = create_credential_secret(api, srv, self.B["Id"], title="cred", password=self.password)
        self.file_content = b"file-" + uuid.uuid4().hex.encode()
        self.file = create_file_secret(api, srv, self.B["Id"], self.file_content, file_name="f.txt", title="file")
        self.other = create_credential_secret(api, srv, self.S2["Id"], title="cred")
        self.b_path = f"{self.S['Name']}/{self.A['Name']}/{self.B['Name']}"

    @property
    def folder_ids(self) -> set:
        return {f["Id"].lower() for f in (self.S, self.A, self.B)}


@pytest.fixture
def tree(api, server) -> Tree:
    return Tree(api, server)


def folder_list(s, srv) -> list:
    r = s.get(srv.url("secrets-safe/folders/"), timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    assert isinstance(r.json(), list)
    return r.json()


def change_attempts(s, srv, tree: Tree):
    """(what, response) for every change a read-only caller must not make in B."""
    b = tree.B["Id"]
    cid = tree.cred["Id"]
    mp, ct = file_secret_multipart({"Title": "nope", "FileName": "n.txt"}, b"n", "n.txt")
    mp2, ct2 = file_secret_multipart({"Title": "file", "FileName": "n.txt"}, b"n", "n.txt")
    return [
        ("create credential", s.post(srv.url(f"secrets-safe/folders/{b}/secrets"), timeout=10,
                                     json={"Title": "nope", "Username": "u", "Password": "p"})),
        ("create text", s.post(srv.url(f"secrets-safe/folders/{b}/secrets/text"), timeout=10,
                               json={"Title": "nope", "Text": "t"})),
        ("create file", s.post(srv.url(f"secrets-safe/folders/{b}/secrets/file"), data=mp,
                               headers={"Content-Type": ct}, timeout=10)),
        ("update", s.put(srv.url(f"secrets-safe/secrets/{cid}"), timeout=10,
                         json={"Title": "cred", "Username": "u", "Password": "hijacked"})),
        ("update file", s.put(srv.url(f"secrets-safe/secrets/{tree.file['Id']}/file"), data=mp2,
                              headers={"Content-Type": ct2}, timeout=10)),
        ("delete", s.delete(srv.url(f"secrets-safe/secrets/{cid}"), timeout=10)),
    ]


def test_no_grant_means_nothing_exists(api, server, tree):
    _, _, s = new_group_member(api, server)
    assert folder_list(s, server) == []
    r = s.get(server.url("secrets-safe/safes/"), timeout=10)
    assert (r.status_code, r.json()) == (200, [])
    assert search_secrets(s, server) == []
    assert search_secrets(s, server, path=tree.b_path, title="cred") == []
    assert search_secrets(s, server, folderId=tree.B["Id"]) == []
    for path in (f"secrets-safe/secrets/{tree.cred['Id']}", f"secrets-safe/secrets/{tree.file['Id']}/file/download",
                 f"secrets-safe/folders/{tree.B['Id']}", f"secrets-safe/folders/{tree.S['Id']}"):
        r = s.get(server.url(path), timeout=10)
        assert r.status_code == 404, (path, r.status_code, r.text)
    r = s.get(server.url(f"secrets-safe/folders/{tree.B['Id']}/secrets"), timeout=10)
    assert r.status_code == 404 or (r.status_code == 200 and r.json() == []), (r.status_code, r.text)
    for what, r in change_attempts(s, server, tree):
        assert r.status_code == 404, (what, r.status_code, r.text)
    r = s.delete(server.url(f"secrets-safe/folders/{tree.B['Id']}?force=true"), timeout=10)
    assert r.status_code == 404, (r.status_code, r.text)
    assert tree.password not in json.dumps(search_secrets(s, server))
    # Nothing changed.
    assert len(search_secrets(api, server, path=tree.b_path)) == 2


def test_read_grant_is_inherited_and_read_only(api, server, tree):
    user, group, s = new_group_member(api, server)
    grant_folder(api, server, tree.S["Id"], group["GroupID"], "read")

    visible = ids(folder_list(s, server))
    assert tree.folder_ids <= visible, "read on the safe must show its subfolders"
    assert tree.S2["Id"].lower() not in visible
    one = s.get(server.url(f"secrets-safe/secrets/{tree.cred['Id']}"), timeout=10)
    assert one.status_code == 200, (one.status_code, one.text)
    assert one.json()["Password"] == tree.password
    hits = search_secrets(s, server, path=tree.b_path, title="cred")
    assert [h["Password"] for h in hits] == [tree.password]
    assert ids(search_secrets(s, server, title="cred")) == {tree.cred["Id"].lower()}, "sees a secret outside S"
    r = download_secret_file(s, server, tree.file["Id"])
    assert (r.status_code, r.content) == (200, tree.file_content)
    r = s.get(server.url(f"secrets-safe/secrets/{tree.other['Id']}"), timeout=10)
    assert r.status_code == 404, ("a secret of another safe", r.status_code)

    for what, r in change_attempts(s, server, tree):
        assert r.status_code == 403, (what, r.status_code, r.text)
    r = s.post(server.url("secrets-safe/folders/"), json={"Name": "sub", "ParentId": tree.B["Id"]}, timeout=10)
    assert r.status_code == 403, ("create a folder with read access", r.status_code, r.text)
    r = s.delete(server.url(f"secrets-safe/folders/{tree.B['Id']}?force=true"), timeout=10)
    assert r.status_code == 403, (r.status_code, r.text)
    r = s.post(server.url(f"secrets-safe/folders/{tree.B['Id']}/grants"), timeout=10,
               json={"UserGroupId": group["GroupID"], "AccessLevel": "manage"})
    assert r.status_code == 403, ("a reader raised their own access", r.status_code, r.text)

    # Nothing changed.
    assert api.get(server.url(f"secrets-safe/secrets/{tree.cred['Id']}"), timeout=10).json()["Password"] == tree.password
    assert len(search_secrets(api, server, path=tree.b_path)) == 2
    assert download_secret_file(api, server, tree.file["Id"]).content == tree.file_content


def test_write_grant_allows_secret_changes_but_not_folders(api, server, tree):
    user, group, s = new_group_member(api, server)
    grant_folder(api, server, tree.A["Id"], group["GroupID"], "write")
    assert ids(folder_list(s, server)) >= {tree.A["Id"].lower(), tree.B["Id"].lower()}
    before = api.get(server.url(f"secrets-safe/secrets/{tree.cred['Id']}"), timeout=10).json()

    made = create_credential_secret(s, server, tree.B["Id"], title="by-writer", password="w/1")
    assert made["FolderId"].lower() == tree.B["Id"].lower()
    create_text_secret(s, server, tree.B["Id"], "txt", title="t-by-writer")
    create_file_secret(s, server, tree.B["Id"], b"fw", title="f-by-writer")
    r = s.put(server.url(f"secrets-safe/secrets/{tree.cred['Id']}"), timeout=10,
              json={"Title": "cred", "Username": "app", "Password": "rotated/2"})
    assert r.status_code == 200, (r.status_code, r.text)
    after = r.json()
    assert after["Password"] == "rotated/2"
    assert after["CreatedBy"] == before["CreatedBy"]
    assert after["ModifiedBy"] != before["ModifiedBy"], ("ModifiedBy must name the writer", before, after)
    r = s.delete(server.url(f"secrets-safe/secrets/{made['Id']}"), timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)

    r = s.post(server.url("secrets-safe/folders/"), json={"Name": "sub", "ParentId": tree.B["Id"]}, timeout=10)
    assert r.status_code == 403, ("create a folder needs manage", r.status_code, r.text)
    r = s.delete(server.url(f"secrets-safe/folders/{tree.B['Id']}?force=true"), timeout=10)
    assert r.status_code == 403, (r.status_code, r.text)
    # The grant is on A: the safe S itself is not writable.
    r = s.post(server.url(f"secrets-safe/folders/{tree.S['Id']}/secrets"), timeout=10,
               json={"Title": "x", "Username": "u", "Password": "p"})
    assert r.status_code in (403, 404), (r.status_code, r.text)


def test_manage_through_user_group_id_on_create(api, server):
    user, group, s = new_group_member(api, server)
    safe = create_safe(api, server, UserGroupId=group["GroupID"])
    assert safe["UserGroupId"] == group["GroupID"], safe
    sub = create_folder(s, server, safe["Id"])  # manage creates subfolders
    assert sub["ParentId"].lower() == safe["Id"].lower()
    create_credential_secret(s, server, sub["Id"])  # manage includes write
    _, reader_group, reader = new_group_member(api, server)
    grant_folder(s, server, sub["Id"], reader_group["GroupID"], "read")  # manage grants
    assert sub["Id"].lower() in ids(folder_list(reader, server))
    assert safe["Id"].lower() not in ids(folder_list(reader, server)), "a grant on a subfolder shows its parent"
    r = s.delete(server.url(f"secrets-safe/folders/{sub['Id']}?force=true"), timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    # Creating a safe needs administration.
    r = s.post(server.url("secrets-safe/safes/"), json={"Name": "mine"}, timeout=10)
    assert r.status_code == 403, (r.status_code, r.text)
    r = s.post(server.url("secrets-safe/folders/"), json={"Name": "mine"}, timeout=10)
    assert r.status_code == 403, ("a folder without ParentId is a safe", r.status_code, r.text)


def test_bad_grant_is_400(api, server):
    safe = create_safe(api, server)
    _, group, _ = new_group_member(api, server)
    for body in ({"UserGroupId": group["GroupID"], "AccessLevel": "owner"}, {"UserGroupId": group["GroupID"]},
                 {"AccessLevel": "read"}):
        r = api.post(server.url(f"secrets-safe/folders/{safe['Id']}/grants"), json=body, timeout=10)
        assert r.status_code == 400, (body, r.status_code, r.text)
    r = api.post(server.url(f"secrets-safe/folders/{safe['Id']}/grants"), timeout=10,
                 json={"UserGroupId": 999999, "AccessLevel": "read"})
    assert r.status_code in (400, 404), (r.status_code, r.text)


def test_admin_sees_everything(api, server, tree):
    user, group, s = new_group_member(api, server)
    grant_folder(api, server, tree.S["Id"], group["GroupID"], "manage")
    theirs = create_safe(api, server, UserGroupId=group["GroupID"])
    sec = create_text_secret(s, server, theirs["Id"], "their text")
    assert theirs["Id"].lower() in ids(folder_list(api, server))
    r = api.get(server.url(f"secrets-safe/secrets/{sec['Id']}"), timeout=10)
    assert r.status_code == 200 and r.json()["Password"] == "their text", r.text
    assert tree.folder_ids | {tree.S2["Id"].lower()} <= ids(folder_list(api, server))


def test_value_reads_are_audited_without_values(api, server, tree):
    user, group, s = new_group_member(api, server)
    grant_folder(api, server, tree.B["Id"], group["GroupID"], "read")

    def reads(records, action, oid):
        return [x for x in records if x["Action"] == action and str(x["ObjectID"]).lower() == oid.lower()]

    assert s.get(server.url(f"secrets-safe/secrets/{tree.cred['Id']}"), timeout=10).status_code == 200
    records, _ = audit_records(api, server)
    mine = reads(records, "secret.read", tree.cred["Id"])
    assert [x["UserName"] for x in mine] == [user["UserName"]], mine

    assert search_secrets(s, server, path=tree.b_path, title="cred")[0]["Password"] == tree.password
    records, _ = audit_records(api, server)
    assert len(reads(records, "secret.read", tree.cred["Id"])) == 2, "a search that returns the value is a read"

    assert download_secret_file(s, server, tree.file["Id"]).content == tree.file_content
    records, text = audit_records(api, server)
    dl = reads(records, "secret.download", tree.file["Id"])
    assert [x["UserName"] for x in dl] == [user["UserName"]], dl
    assert tree.password not in text and json.dumps(tree.password)[1:-1] not in text, "a secret value in the audit"
    assert tree.file_content.decode() not in text
