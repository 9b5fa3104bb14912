"""Secret hygiene across the whole end-to-end suite (issue 7, docs/SECURITY.md).

Every secret the suite hands to psafed or gets back from it is recorded against the data
dir of the server it went to: values of secret-named JSON fields in request and response
bodies (Password, Text, PrivateKey, ...), released credentials, and the credentials
`psafed init` printed. The helpers in support.py make their default secrets from one
session-wide SENTINEL. When the session ends, conftest.py searches each data dir (the
SQLite file, its WAL, configuration, TLS files) and psafed's logs for every recorded
secret and for the sentinel itself, and the real targets' own logs (sshd, PostgreSQL,
slapd: targets.py) for every secret of every data dir: any hit fails the run.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

# Fixed for the session, long and distinctive enough never to occur by chance.
SENTINEL = "SeNtInEl-" + uuid.uuid4().hex[:16]

# JSON fields whose values are secrets, in any letter case (psafed's API and psrun2's
# payload grammar use the same names).
SECRET_FIELDS = frozenset({"password", "passphrase", "privatekey", "text", "clientsecret",
                           "client_secret", "api_key", "apikey", "newpassword", "currentpassword"})


def _distinctive(value: str) -> bool:
    """Short or repetitive values ("x", "0" * 128 as a wrong key) would be found by chance
    in a database page or a logged path; they prove nothing either way."""
    return len(value) >= 8 and len(set(value)) >= 4


def sentinel_secret(tag: str = "") -> str:
    """A fresh secret that carries the sentinel (and a quote, a slash and a space, so that
    escaping on the way in cannot hide it from the search)."""
    return f'{SENTINEL}{tag}/"x {uuid.uuid4().hex[:8]}'


@dataclass
class _Ledger:
    secrets: set = field(default_factory=set)
    public: set = field(default_factory=set)  # strings also sent in non-secret fields


class SecretLedger:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_dir: dict[Path, _Ledger] = {}
        self._target_logs: set[Path] = set()

    def _ledger(self, data_dir: Path) -> _Ledger:
        return self._by_dir.setdefault(Path(data_dir), _Ledger())

    def add_secret(self, data_dir: Path, value: Optional[str]) -> None:
        if isinstance(value, str) and value:
            with self._lock:
                self._ledger(data_dir).secrets.add(value)

    def add_public(self, data_dir: Path, values: Iterable[str]) -> None:
        with self._lock:
            self._ledger(data_dir).public.update(values)

    def record_json(self, data_dir: Path, body, *, request: bool) -> None:
        """Walks a JSON document; secret-named fields are secrets, other strings in a
        request are public (a hostile-input test may send one string in every field)."""
        secrets, public = [], []
        _walk(body, secrets, public)
        with self._lock:
            ledger = self._ledger(data_dir)
            ledger.secrets.update(secrets)
            if request:
                ledger.public.update(public)

    def data_dirs(self) -> list[Path]:
        with self._lock:
            return sorted(self._by_dir)

    def needles(self, data_dir: Path) -> dict[str, bytes]:
        """What to search for in one data dir: each secret as written and JSON-escaped,
        and the sentinel."""
        with self._lock:
            ledger = self._ledger(data_dir)
            values = {s for s in ledger.secrets - ledger.public if _distinctive(s)}
        out = {"the sentinel": SENTINEL.encode()}
        for i, v in enumerate(sorted(values)):
            # The values are the suite's throwaway secrets; a prefix helps find the leak.
            label = f"secret #{i} {v[:24]!r}... ({len(v)} chars)"
            out[label] = v.encode()
            escaped = json.dumps(v)[1:-1].encode()
            if escaped != out[label]:
                out[label + ", JSON-escaped"] = escaped
        return out

    def add_target_log(self, path: Path) -> None:
        """A real target's own log (targets.py: sshd, PostgreSQL, slapd): searched for every
        secret of every data dir, since any psafed may have sent any of them there."""
        with self._lock:
            self._target_logs.add(Path(path))

    def target_logs(self) -> list[Path]:
        with self._lock:
            return sorted(self._target_logs)

    def all_needles(self) -> dict[str, bytes]:
        out: dict[str, bytes] = {}
        for d in self.data_dirs():
            out.update({f"{d.name}: {label}": v for label, v in self.needles(d).items()})
        return out

    def secret_count(self) -> int:
        with self._lock:
            return sum(len(l.secrets - l.public) for l in self._by_dir.values())


def _walk(node, secrets: list, public: list, key: str = "") -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            _walk(v, secrets, public, str(k))
    elif isinstance(node, list):
        for v in node:
            _walk(v, secrets, public, key)
    elif isinstance(node, str):
        (secrets if key.lower() in SECRET_FIELDS else public).append(node)


LEDGER = SecretLedger()


def watch_session(session, data_dir: Path) -> None:
    """Records the secrets of every request and response on a requests.Session."""
    def hook(r, *args, **kwargs):
        # What travels in the URL is public by design (psafed logs the path).
        url = urllib.parse.urlsplit(r.request.url)
        LEDGER.add_public(data_dir, [urllib.parse.unquote(p) for p in url.path.split("/")] +
                          [v for _, v in urllib.parse.parse_qsl(url.query)])
        body = r.request.body
        if body:
            try:
                LEDGER.record_json(data_dir, json.loads(body), request=True)
            except (ValueError, UnicodeDecodeError, RecursionError):
                pass  # multipart, or hostile bytes and nesting
        ctype = r.headers.get("Content-Type", "")
        if r.ok and "json" in ctype:  # errors carry messages, never secrets
            try:
                doc = r.json()
            except ValueError:
                return r
            # A released credential is a bare JSON string (GET Credentials/{id}, POST
            # ISARequests); no other success is one.
            if isinstance(doc, str):
                LEDGER.add_secret(data_dir, doc)
            else:
                LEDGER.record_json(data_dir, doc, request=False)
        return r
    session.hooks["response"].append(hook)


def files_of(data_dir: Path) -> Iterable[Path]:
    """The data dir's files and psafed's logs beside it (<data dir name>.*)."""
    if data_dir.is_dir():
        yield from (p for p in data_dir.rglob("*") if p.is_file())
    yield from (p for p in data_dir.parent.glob(data_dir.name + ".*") if p.is_file())


def search(files: Iterable[Path], needles: dict[str, bytes]) -> list[tuple[Path, str]]:
    """(file, needle label) for every needle found in any of the files."""
    hits = []
    for f in sorted(files):
        data = f.read_bytes()
        hits.extend((f, label) for label, needle in needles.items() if needle in data)
    return hits


def scan(data_dir: Path, needles: dict[str, bytes]) -> list[tuple[str, str]]:
    """(file, needle label) for every needle found in the data dir or psafed's logs."""
    return [(str(f), label) for f, label in search(files_of(data_dir), needles)]


def sweep(ledger: SecretLedger) -> Optional[str]:
    """What conftest runs when the session ends: None when no recorded secret (and not the
    sentinel) is found in any data dir or log; otherwise why the run must fail."""
    dirs = ledger.data_dirs()
    if not dirs:
        return None  # a selection of tests that started no psafed
    if ledger.secret_count() == 0:
        return "servers ran but no secret was recorded (are the hooks broken?)"
    hits = [hit for d in dirs for hit in scan(d, ledger.needles(d))]
    logs = [p for p in ledger.target_logs() if p.is_file()]
    if logs:
        hits += [(str(f), label) for f, label in search(logs, ledger.all_needles())]
    if hits:
        return "secrets found in clear:\n" + "\n".join(f"  {f}: {label}" for f, label in hits[:50])
    return None
