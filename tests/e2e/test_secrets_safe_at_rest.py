"""Secrets Safe values never reach the disk or the log in clear (docs/SECRETS.md "At rest"):
credential passwords, text values and file contents are sealed; after a clean stop none of
them is in psafe.db, its -wal/-shm, any other file of the data dir, or psafed's stderr."""

from __future__ import annotations

import json
import os
import uuid

import store_backend
from support import (create_credential_secret, create_folder, create_safe, create_text_secret,
                     download_secret_file, file_secret_multipart, files_containing, get_secret, search_secrets)


def forms(name: str, value: bytes) -> dict[str, bytes]:
    out = {f"{name} (raw)": value}
    try:
        text = value.decode()
    except UnicodeDecodeError:
        return out
    out[f"{name} (utf-16le)"] = text.encode("utf-16-le")
    out[f"{name} (json)"] = json.dumps(text)[1:-1].encode()
    return out


def test_no_plaintext_secret_values_at_rest_or_in_logs(server_factory):
    srv = server_factory.start()
    api = srv.admin()
    tag = uuid.uuid4().hex
    cred_pw = f"SentinelCred-{tag}/\"x"
    cred_pw2 = f"SentinelCredTwo-{tag}"
    text = f"SentinelText-{tag}\nline two"
    text2 = f"SentinelTextTwo-{tag}"
    file_golib = f"SentinelFileGo-{tag}".encode() * 3
    file_pylib = os.urandom(64) + f"SentinelFilePy-{tag}".encode() + os.urandom(64)
    file_big = os.urandom(300_000) + f"SentinelFileBig-{tag}".encode() + os.urandom(300_000)

    safe = create_safe(api, srv)
    folder = create_folder(api, srv, safe["Id"])
    cred = create_credential_secret(api, srv, folder["Id"], title="c", username="app-user", password=cred_pw)
    txt = create_text_secret(api, srv, folder["Id"], text, title="t")
    # GoLib puts the file content into the metadata too ("FileContent").
    mp, ct = file_secret_multipart({"Title": "fg", "FileName": "a.txt", "FileContent": file_golib.decode()},
                                   file_golib, "a.txt")
    r = api.post(srv.url(f"secrets-safe/folders/{folder['Id']}/secrets/file"), data=mp,
                 headers={"Content-Type": ct}, timeout=10)
    assert r.status_code == 201, (r.status_code, r.text)
    fg = r.json()
    r = api.post(srv.url(f"secrets-safe/folders/{folder['Id']}/secrets/file"), timeout=10,
                 data={"secretmetadata": json.dumps({"Title": "fp", "FileName": "p.bin"})},
                 files={"files": ("p.bin", file_pylib)})
    assert r.status_code == 201, (r.status_code, r.text)
    fp = r.json()
    mp, ct = file_secret_multipart({"Title": "fb", "FileName": "big.bin"}, file_big, "big.bin")
    r = api.post(srv.url(f"secrets-safe/folders/{folder['Id']}/secrets/file"), data=mp,
                 headers={"Content-Type": ct}, timeout=30)
    assert r.status_code == 201, (r.status_code, r.text)
    fb = r.json()
    # Updates, through both dialects' reads afterwards.
    r = api.put(srv.url(f"secrets-safe/secrets/{cred['Id']}"), timeout=10,
                json={"Title": "c", "Username": "app-user", "Password": cred_pw2})
    assert r.status_code == 200, (r.status_code, r.text)
    r = api.put(srv.url(f"secrets-safe/secrets/{txt['Id']}/text"), json={"Title": "t", "Text": text2}, timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    r = api.post(srv.base + "/secrets-safe/secrets", timeout=10,
                 json={"title": "doc", "type": "Password", "password": f"SentinelDoc-{tag}",
                       "folderName": f"{safe['Name']}/{folder['Name']}"})
    assert r.status_code == 201, (r.status_code, r.text)

    # The values come back (so they are stored, sealed) ...
    assert get_secret(api, srv, cred["Id"])["Password"] == cred_pw2
    assert get_secret(api, srv, txt["Id"])["Password"] == text2
    assert len(search_secrets(api, srv, path=safe["Name"])) == 6
    for sid, content in ((fg["Id"], file_golib), (fp["Id"], file_pylib), (fb["Id"], file_big)):
        assert download_secret_file(api, srv, sid).content == content
    api.close()

    needles = {}
    for name, value in (("credential password", cred_pw.encode()), ("updated password", cred_pw2.encode()),
                        ("text", text.encode()), ("updated text", text2.encode()),
                        ("golib file", file_golib), ("pylib file", f"SentinelFilePy-{tag}".encode()),
                        ("big file", f"SentinelFileBig-{tag}".encode()), ("document password", f"SentinelDoc-{tag}".encode())):
        needles.update(forms(name, value))
    needles["pylib file (binary)"] = file_pylib[:64]

    # ... but nowhere in clear: while running (SQLite's WAL holds the latest writes) ...
    assert files_containing(srv.data_dir, needles) == []
    assert store_backend.holding(srv.data_dir, needles) == []
    assert srv.stop() == 0
    # ... after a clean stop, and never in the log.
    stored = store_backend.stored_bytes(srv.data_dir)
    assert "pg_dump" in stored if store_backend.ACTIVE else "psafe.db" in stored, list(stored)
    assert files_containing(srv.data_dir, needles) == []
    assert store_backend.holding(srv.data_dir, needles) == []
    log = srv.stderr_path.read_bytes()
    assert [name for name, needle in needles.items() if needle in log] == []
    assert b"Sentinel" not in log, "a sentinel value in psafed's stderr"
