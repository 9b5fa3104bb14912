"""Helpers shared by the psafed end-to-end tests: starting psafed as a process, talking
to it over verified TLS, and small API conveniences.

Every wait in here has a timeout; every process started here is stopped by its owner
(the fixtures in conftest.py) with SIGTERM and, failing that, SIGKILL.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import re
import selectors
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import requests

import store_backend
from hygiene import LEDGER, search, sentinel_secret, watch_session

REPO = Path(__file__).resolve().parents[2]
PSAFED = os.environ.get("PSAFED") or str(REPO / "build/debug/src/psafed")
PSRUN2 = os.environ.get("PSRUN2") or str(Path(PSAFED).parent / "psrun2")
BASE_PATH = "/BeyondTrust/api/public/v3"

START_TIMEOUT = 15.0  # seconds to wait for the "listening" line
STOP_TIMEOUT = 15.0  # seconds to wait for exit after SIGTERM
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:", "WARNING: ThreadSanitizer")
CLI_TIMEOUT = 30.0  # init / keys rotate / a serve that must fail

_LISTEN_RE = re.compile(r"^psafed listening on (https?)://127\.0\.0\.1:(\d+)(/BeyondTrust/api/public/v3)$")


# Lines a test reports (counts it measured), printed in the terminal summary by conftest.
REPORT: list[str] = []


def unique(prefix: str = "e2e") -> str:
    """A name no other test uses."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def run_cli(*args: str, env: Optional[dict] = None, timeout: float = CLI_TIMEOUT) -> subprocess.CompletedProcess:
    """Runs psafed with arguments, returning the completed process (text output)."""
    data_dir = Path(args[args.index("--data-dir") + 1]) if "--data-dir" in args else None
    return subprocess.run(
        [PSAFED, *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=_env(env, data_dir),
    )


def _env(extra: Optional[dict], data_dir: Optional[Path] = None) -> dict:
    env = dict(os.environ)
    env.pop("PSAFE_MASTER_KEY", None)  # only tests that mean to use it set it
    env.update(store_backend.env_for(data_dir))  # PostgreSQL runs: the data dir's database
    if extra:
        env.update(extra)
    return env


@dataclass
class Credentials:
    """What `psafed init --json` printed."""

    url: str
    user: str
    password: str
    api_key: str
    client_id: str
    client_secret: str
    ca_cert: str

    @property
    def ps_auth(self) -> str:
        return f"PS-Auth key={self.api_key}; runas={self.user};"


def init_data_dir(data_dir: Path, env: Optional[dict] = None) -> Credentials:
    return init_data_dir_args(data_dir, env=env)


def write_config(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


@dataclass
class Server:
    """A running psafed. `base` is the API base URL (…/BeyondTrust/api/public/v3)."""

    proc: subprocess.Popen
    data_dir: Path
    creds: Credentials
    scheme: str
    port: int
    stderr_path: Path
    exit_code: Optional[int] = None
    stdout_rest: Optional[bytes] = None  # what psafed printed after its listening line
    _stderr_file: object = field(default=None, repr=False)

    # --- addresses -------------------------------------------------------------------
    @property
    def root(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    @property
    def base(self) -> str:
        return self.root + BASE_PATH

    def url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}"

    @property
    def ca(self) -> str:
        return self.creds.ca_cert

    @property
    def verify(self):
        return self.creds.ca_cert if self.scheme == "https" else True

    # --- clients ---------------------------------------------------------------------
    def session(self, auth: Optional[str] = None) -> requests.Session:
        """A requests.Session that verifies psafed's certificate against the init CA."""
        s = requests.Session()
        # Ignore REQUESTS_CA_BUNDLE/proxy variables: they would override `verify` (and
        # could route 127.0.0.1 through a proxy). Verification uses psafed's own CA only.
        s.trust_env = False
        s.verify = self.verify
        watch_session(s, self.data_dir)
        if auth:
            s.headers["Authorization"] = auth
        return s

    def admin(self) -> requests.Session:
        """A session that sends PS-Auth on every call (implicit session, no cookie needed)."""
        return self.session(self.creds.ps_auth)

    def signed_in(self) -> requests.Session:
        """A session signed in with Auth/SignAppIn, carrying only the session cookie."""
        s = self.session()
        r = s.post(self.url("Auth/SignAppIn"), headers={"Authorization": self.creds.ps_auth}, timeout=10)
        assert r.status_code == 200, (r.status_code, r.text)
        assert s.cookies.get("ASP.NET_SessionId"), "SignAppIn set no session cookie"
        return s

    def stderr_text(self) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    # --- lifecycle -------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.proc.poll() is None

    def stop(self, sig: int = signal.SIGTERM, timeout: float = STOP_TIMEOUT) -> int:
        """Signals psafed and waits for it; kills it if it does not exit in time.
        Returns the exit code (negative for a signal, as Popen reports it)."""
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(sig)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
                raise AssertionError(f"psafed did not exit within {timeout}s of signal {sig}")
            finally:
                self._close_files()
        self._close_files()
        self.exit_code = self.proc.returncode
        self.assert_no_sanitizer_report()
        return self.exit_code

    def assert_no_sanitizer_report(self) -> None:
        """Under the asan and tsan presets, psafed reports memory errors, UB and data races on stderr."""
        text = self.stderr_text()
        for marker in SANITIZER_MARKERS:
            assert marker not in text, f"psafed sanitizer report ({marker}):\n{text[-4000:]}"

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        self._close_files()

    def _close_files(self) -> None:
        if self.proc.stdout and not self.proc.stdout.closed:
            if self.proc.poll() is not None:
                self.stdout_rest = self.proc.stdout.read()  # exited: EOF is immediate
            self.proc.stdout.close()
        if self._stderr_file is not None and not self._stderr_file.closed:
            self._stderr_file.close()


def start_server(
    data_dir: Path,
    creds: Credentials,
    *,
    config: Optional[Path] = None,
    listen: str = "127.0.0.1:0",
    env: Optional[dict] = None,
    log_name: str = "psafed.stderr",
) -> Server:
    """Starts `psafed serve` and waits for its "listening" line (START_TIMEOUT)."""
    args = [PSAFED, "serve", "--data-dir", str(data_dir), "--listen", listen]
    if config is not None:
        args += ["--config", str(config)]
    stderr_path = data_dir.parent / f"{data_dir.name}.{log_name}"
    # Appending keeps the log of earlier runs on the same data dir (restarts).
    stderr_file = open(stderr_path, "ab")
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=stderr_file, env=_env(env, data_dir))
    line = b""
    deadline = time.monotonic() + START_TIMEOUT
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    try:
        while not line.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not sel.select(timeout=remaining):
                raise TimeoutError("psafed did not print its listening line in time")
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk:
                break  # stdout closed: psafed exited
            line += chunk
    except BaseException:
        proc.kill()
        proc.wait(timeout=10)
        stderr_file.close()
        proc.stdout.close()
        raise
    finally:
        sel.close()
    text = line.decode(errors="replace").strip()
    m = _LISTEN_RE.match(text)
    if not m:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        stderr_file.close()
        proc.stdout.close()
        raise AssertionError(
            f"unexpected psafed stdout {text!r} (exit {proc.returncode}); stderr:\n"
            + stderr_path.read_text(errors="replace"))
    return Server(proc=proc, data_dir=data_dir, creds=creds, scheme=m.group(1), port=int(m.group(2)),
                  stderr_path=stderr_path, _stderr_file=stderr_file)


# --- API conveniences (admin) --------------------------------------------------------

def create_workgroup(api: requests.Session, srv: Server, name: Optional[str] = None) -> dict:
    r = api.post(srv.url("Workgroups"), json={"Name": name or unique("wg")}, timeout=10)
    assert r.status_code == 201, (r.status_code, r.text)
    return r.json()


def create_system(api: requests.Session, srv: Server, workgroup_id: int, name: Optional[str] = None,
                  platform_id: int = 2, **extra) -> dict:
    body = {"PlatformID": platform_id, "SystemName": name or unique("sys"), "IPAddress": "10.0.0.1", **extra}
    r = api.post(srv.url(f"Workgroups/{workgroup_id}/ManagedSystems"), json=body, timeout=10)
    assert r.status_code == 201, (r.status_code, r.text)
    return r.json()


def create_account(api: requests.Session, srv: Server, system_id: int, name: Optional[str] = None,
                   password: Optional[str] = "", **extra) -> dict:
    """password "" (the default) is a fresh sentinel secret (hygiene.py); None sends none."""
    if password == "":
        password = sentinel_secret("-acct")
    body = {"AccountName": name or unique("acct"), **extra}
    if password is not None:
        body["Password"] = password
    r = api.post(srv.url(f"ManagedSystems/{system_id}/ManagedAccounts"), json=body, timeout=10)
    assert r.status_code == 201, (r.status_code, r.text)
    return r.json()


# --- Access requests, permissions and audit (docs/REQUESTS.md) ------------------------

ROLE_REQUESTOR = 1
ROLE_APPROVER = 2
ROLE_REQUESTOR_APPROVER = 3
ROLE_ISA = 4
ROLE_AUDITOR = 5
DEFAULT_REGISTRATION_ID = 1  # the API registration `psafed init` creates


def init_data_dir_args(data_dir: Path, *extra_args: str, env: Optional[dict] = None) -> Credentials:
    """`psafed init --data-dir D --json EXTRA...` (for example `--demo`)."""
    res = run_cli("init", "--data-dir", str(data_dir), "--json", *extra_args, env=env)
    assert res.returncode == 0, f"psafed init {extra_args} failed ({res.returncode}): {res.stderr}"
    lines = [l for l in res.stdout.splitlines() if l.strip()]
    assert len(lines) == 1, f"init --json must print one line, got: {res.stdout!r}"
    creds = Credentials(**json.loads(lines[0]))
    for secret in (creds.password, creds.api_key, creds.client_secret):
        LEDGER.add_secret(data_dir, secret)
    return creds


def user_ps_auth(creds: Credentials, user_name: str) -> str:
    """PS-Auth for another user: the init API key, runas=<that user>."""
    return f"PS-Auth key={creds.api_key}; runas={user_name};"


def user_session(srv: Server, user_name: str) -> requests.Session:
    """A session that sends PS-Auth (runas=user_name) on every call."""
    return srv.session(user_ps_auth(srv.creds, user_name))


def create_user(api: requests.Session, srv: Server, name: Optional[str] = None,
                password: Optional[str] = None) -> dict:
    name = name or unique("user")
    body = {"UserName": name, "FirstName": name, "EmailAddress": f"{name}@example.com",
            "Password": password or sentinel_secret("-user")}
    r = api.post(srv.url("Users"), json=body, timeout=10)
    assert r.status_code == 201, (r.status_code, r.text)
    return r.json()


def create_user_group(api: requests.Session, srv: Server, name: Optional[str] = None,
                      registration_ids=(DEFAULT_REGISTRATION_ID,)) -> dict:
    body = {"groupName": name or unique("grp"), "description": "e2e",
            "ApplicationRegistrationIDs": list(registration_ids)}
    r = api.post(srv.url("UserGroups"), json=body, timeout=10)
    assert r.status_code == 201, (r.status_code, r.text)
    return r.json()


def add_user_to_group(api: requests.Session, srv: Server, group_id: int, user_id: int) -> None:
    r = api.post(srv.url(f"UserGroups/{group_id}/Users/{user_id}"), timeout=10)
    assert r.status_code == 201, (r.status_code, r.text)


def create_smart_rule(api: requests.Session, srv: Server, title: Optional[str] = None, **criteria) -> dict:
    r = api.post(srv.url("SmartRules"), json={"Title": title or unique("rule"), **criteria}, timeout=10)
    assert r.status_code == 201, (r.status_code, r.text)
    return r.json()


def create_access_policy(api: requests.Session, srv: Server, name: Optional[str] = None,
                         required_approvals: int = 0, max_minutes: int = 60, **extra) -> dict:
    body = {"Name": name or unique("policy"), "RequiredApprovals": required_approvals,
            "MaxDurationMinutes": max_minutes, **extra}
    r = api.post(srv.url("AccessPolicies"), json=body, timeout=10)
    assert r.status_code == 201, (r.status_code, r.text)
    return r.json()


def assign_roles(api: requests.Session, srv: Server, group_id: int, rule_id: int, role_ids,
                 policy_id: Optional[int] = None) -> None:
    body = {"Roles": [{"RoleID": rid} for rid in role_ids]}
    if policy_id is not None:
        body["AccessPolicyID"] = policy_id
    r = api.post(srv.url(f"UserGroups/{group_id}/SmartRules/{rule_id}/Roles"), json=body, timeout=10)
    assert r.status_code == 204, (r.status_code, r.text)


def new_role_user(api: requests.Session, srv: Server, role_ids, rule_id: int,
                  policy_id: Optional[int] = None) -> tuple[dict, requests.Session]:
    """A new user alone in a new group (linked to the init API registration) holding
    role_ids on rule_id with policy_id. Returns (the user, a PS-Auth session as that user)."""
    user = create_user(api, srv)
    group = create_user_group(api, srv)
    add_user_to_group(api, srv, group["GroupID"], user["UserID"])
    assign_roles(api, srv, group["GroupID"], rule_id, role_ids, policy_id)
    return user, user_session(srv, user["UserName"])


def post_request(s: requests.Session, srv: Server, system_id: int, account_id: int,
                 duration: int = 5, reason: str = "e2e", **extra) -> requests.Response:
    body = {"SystemID": system_id, "AccountID": account_id, "DurationMinutes": duration,
            "Reason": reason, **extra}
    return s.post(srv.url("Requests"), json=body, timeout=15)


def bare_int(r: requests.Response) -> int:
    """The body of POST Requests: digits only, no whitespace, no newline."""
    assert re.fullmatch(rb"[0-9]+", r.content), f"not a bare integer: {r.content!r}"
    return int(r.content)


def bare_json_string(r: requests.Response) -> str:
    """A credential body: one JSON string literal, no trailing newline, `/` not escaped."""
    raw = r.content
    assert raw.startswith(b'"') and raw.endswith(b'"'), f"not a bare JSON string: {raw!r}"
    assert b"\\/" not in raw, f"'/' escaped as '\\/': {raw!r}"
    value = json.loads(raw)
    assert isinstance(value, str), raw
    return value


def retrieve_password(s: requests.Session, srv: Server, request_id: int) -> str:
    r = s.get(srv.url(f"Credentials/{request_id}"), timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    return bare_json_string(r)


def checkin(s: requests.Session, srv: Server, request_id: int, body: Optional[dict] = None) -> None:
    r = s.put(srv.url(f"Requests/{request_id}/Checkin"), json=body if body is not None else {}, timeout=10)
    assert r.status_code == 204, (r.status_code, r.text)
    assert r.content == b""


def list_requests(s: requests.Session, srv: Server, **params) -> list:
    r = s.get(srv.url("Requests"), params=params, timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    body = r.json()
    assert isinstance(body, list), body
    return body


def audit_records(s: requests.Session, srv: Server, page: int = 500) -> tuple[list, str]:
    """Every GET Audit record (paging with limit/offset) and the raw text of all pages."""
    records, texts, offset = [], [], 0
    while True:
        r = s.get(srv.url("Audit"), params={"limit": page, "offset": offset}, timeout=15)
        assert r.status_code == 200, (r.status_code, r.text)
        texts.append(r.text)
        body = r.json()
        assert isinstance(body, dict) and set(body) >= {"TotalCount", "Data"}, body
        records += body["Data"]
        offset += len(body["Data"])
        if not body["Data"] or offset >= body["TotalCount"]:
            return records, "\n".join(texts)


@dataclass
class Grant:
    """An account and a user who may request it (see `grant_account`)."""

    srv: Server
    system_id: int
    account_id: int
    account_name: str
    password: Optional[str]
    rule_id: int
    policy_id: Optional[int]
    user: dict
    s: requests.Session  # PS-Auth session as `user`

    def request(self, **kw) -> requests.Response:
        return post_request(self.s, self.srv, self.system_id, self.account_id, **kw)

    def add_user(self, api: requests.Session, role_ids) -> tuple[dict, requests.Session]:
        """Another user in another group with role_ids on the same rule and policy."""
        return new_role_user(api, self.srv, role_ids, self.rule_id, self.policy_id)


def grant_account(api: requests.Session, srv: Server, system_id: int, *,
                  role_ids=(ROLE_REQUESTOR,), required_approvals: Optional[int] = 0,
                  max_minutes: int = 60, password: Optional[str] = None,
                  policy_extra: Optional[dict] = None, account_extra: Optional[dict] = None) -> Grant:
    """A new managed account on system_id (with `password`, default a random known one),
    a smart rule selecting exactly it (AccountIDs), an access policy (None: no policy,
    the built-in default applies) and a new user holding role_ids through a new group."""
    password = password if password is not None else "Pw/" + uuid.uuid4().hex + "\"\\!"
    acct = create_account(api, srv, system_id, password=password, **(account_extra or {}))
    rule = create_smart_rule(api, srv, AccountIDs=[acct["ManagedAccountID"]])
    policy_id = None
    if required_approvals is not None:
        policy_id = create_access_policy(api, srv, required_approvals=required_approvals,
                                         max_minutes=max_minutes, **(policy_extra or {}))["AccessPolicyID"]
    user, s = new_role_user(api, srv, role_ids, rule["SmartRuleID"], policy_id)
    return Grant(srv, system_id, acct["ManagedAccountID"], acct["AccountName"], password,
                 rule["SmartRuleID"], policy_id, user, s)


def grant_admins_request_all(srv: "Server") -> None:
    """Lets the Administrators group request (Requestor, not Approver: admins must not count
    as approvers in other tests) every account with auto-approval, through the API."""
    s = srv.admin()
    try:
        rule = s.post(srv.url("SmartRules"), json={"Title": "e2e: all accounts"}, timeout=10)
        assert rule.status_code == 201, rule.text
        policy = s.post(srv.url("AccessPolicies"), timeout=10,
                        json={"Name": "e2e: auto-approve", "RequiredApprovals": 0, "MaxDurationMinutes": 600})
        assert policy.status_code == 201, policy.text
        groups = s.get(srv.url("UserGroups"), timeout=10).json()
        admins = next(g for g in groups if g["Name"] == "Administrators")
        r = s.post(srv.url(f"UserGroups/{admins['GroupID']}/SmartRules/{rule.json()['SmartRuleID']}/Roles"),
                   json={"Roles": [{"RoleID": 1}], "AccessPolicyID": policy.json()["AccessPolicyID"]},
                   timeout=10)
        assert r.status_code == 204, r.text
    finally:
        s.close()


# --- Secrets Safe (docs/SECRETS.md) ---------------------------------------------------

ZERO_GUID = "00000000-0000-0000-0000-000000000000"
GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
MAX_FILE_SECRET_BYTES = 5 * 1024 * 1024


def create_safe(s: requests.Session, srv: Server, name: Optional[str] = None, **extra) -> dict:
    """POST secrets-safe/safes/ -> the new safe (201)."""
    r = s.post(srv.url("secrets-safe/safes/"), json={"Name": name or unique("safe"), **extra}, timeout=10)
    assert r.status_code == 201, (r.status_code, r.text)
    return r.json()


def create_folder(s: requests.Session, srv: Server, parent_id: str, name: Optional[str] = None, **extra) -> dict:
    """POST secrets-safe/folders/ with ParentId -> the new folder (201)."""
    body = {"Name": name or unique("folder"), "ParentId": parent_id, **extra}
    r = s.post(srv.url("secrets-safe/folders/"), json=body, timeout=10)
    assert r.status_code == 201, (r.status_code, r.text)
    return r.json()


def grant_folder(s: requests.Session, srv: Server, folder_id: str, group_id: int, level: str) -> None:
    r = s.post(srv.url(f"secrets-safe/folders/{folder_id}/grants"),
               json={"UserGroupId": group_id, "AccessLevel": level}, timeout=10)
    assert r.status_code == 204, (r.status_code, r.text)


def create_credential_secret(s: requests.Session, srv: Server, folder_id: str, title: Optional[str] = None,
                             username: str = "app", password: Optional[str] = None, **extra) -> dict:
    body = {"Title": title or unique("cred"), "Username": username,
            "Password": password if password is not None else sentinel_secret("-cred"), **extra}
    r = s.post(srv.url(f"secrets-safe/folders/{folder_id}/secrets"), json=body, timeout=10)
    assert r.status_code == 201, (r.status_code, r.text)
    return r.json()


def create_text_secret(s: requests.Session, srv: Server, folder_id: str, text: str,
                       title: Optional[str] = None, **extra) -> dict:
    body = {"Title": title or unique("text"), "Text": text, **extra}
    r = s.post(srv.url(f"secrets-safe/folders/{folder_id}/secrets/text"), json=body, timeout=10)
    assert r.status_code == 201, (r.status_code, r.text)
    return r.json()


def multipart_body(parts, boundary: Optional[str] = None) -> tuple[bytes, str]:
    """A multipart/form-data body laid out as Go's mime/multipart writes it.
    parts: (name, filename or None, content type or None, bytes). Returns (body, Content-Type)."""
    boundary = boundary or uuid.uuid4().hex + uuid.uuid4().hex[:28]  # 60 hex chars, like Go
    out = b""
    for name, filename, ctype, data in parts:
        out += f"--{boundary}\r\n".encode()
        disp = f'Content-Disposition: form-data; name="{name}"'
        if filename is not None:
            disp += f'; filename="{filename}"'
        out += disp.encode() + b"\r\n"
        if ctype:
            out += f"Content-Type: {ctype}\r\n".encode()
        out += b"\r\n" + data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return out, f"multipart/form-data; boundary={boundary}"


def file_secret_multipart(metadata: Optional[dict], content: Optional[bytes], file_name: str = "a.txt",
                          part: str = "file") -> tuple[bytes, str]:
    """GoLib's upload: part `secretmetadata` (JSON, no Content-Type) and the file part."""
    parts = []
    if metadata is not None:
        parts.append(("secretmetadata", None, None, json.dumps(metadata).encode()))
    if content is not None:
        parts.append((part, file_name, "application/octet-stream", content))
    return multipart_body(parts)


def post_file_secret(s: requests.Session, srv: Server, folder_id: str, content: bytes, file_name: str = "a.bin",
                     title: Optional[str] = None, part: str = "file", **meta) -> requests.Response:
    metadata = {"Title": title if title is not None else unique("file"), "FileName": file_name, **meta}
    body, ctype = file_secret_multipart(metadata, content, file_name, part)
    return s.post(srv.url(f"secrets-safe/folders/{folder_id}/secrets/file"), data=body,
                  headers={"Content-Type": ctype}, timeout=60)


def create_file_secret(s: requests.Session, srv: Server, folder_id: str, content: bytes, file_name: str = "a.bin",
                       title: Optional[str] = None, part: str = "file", **meta) -> dict:
    r = post_file_secret(s, srv, folder_id, content, file_name, title, part, **meta)
    assert r.status_code == 201, (r.status_code, r.text)
    return r.json()


def search_secrets(s: requests.Session, srv: Server, **params) -> list:
    """GET secrets-safe/secrets with params; asserts a 200 bare array."""
    r = s.get(srv.url("secrets-safe/secrets"), params=params, timeout=15)
    assert r.status_code == 200, (params, r.status_code, r.text)
    body = r.json()
    assert isinstance(body, list), body
    return body


def get_secret(s: requests.Session, srv: Server, secret_id: str) -> dict:
    r = s.get(srv.url(f"secrets-safe/secrets/{secret_id}"), timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    return r.json()


def download_secret_file(s: requests.Session, srv: Server, secret_id: str) -> requests.Response:
    return s.get(srv.url(f"secrets-safe/secrets/{secret_id}/file/download"), timeout=60)


def new_group_member(api: requests.Session, srv: Server) -> tuple[dict, dict, requests.Session]:
    """A new user alone in a new group linked to the init API registration.
    Returns (user, group, a PS-Auth session as that user)."""
    user = create_user(api, srv)
    group = create_user_group(api, srv)
    add_user_to_group(api, srv, group["GroupID"], user["UserID"])
    return user, group, user_session(srv, user["UserName"])


def files_containing(root: Path, needles: dict[str, bytes]) -> list[tuple[str, str]]:
    """(file, needle name) for every needle found in any file under root."""
    return [(str(f.relative_to(root)), name)
            for f, name in search((p for p in root.rglob("*") if p.is_file()), needles)]


def openssl(*args, cwd: Path) -> None:
    """The openssl command (Debian's openssl package) in cwd; fails on a non-zero exit."""
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def race(*calls):
    """Runs the calls at once, one thread each; their results in order (a raise re-raises)."""
    with concurrent.futures.ThreadPoolExecutor(len(calls)) as pool:
        futures = [pool.submit(c) for c in calls]
        return [f.result() for f in futures]


def wait_for(predicate, *, timeout: float, what: str, interval: float = 0.2):
    """Polls `predicate` until it returns a true value (returned), or fails naming `what`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


# What schema v6 (src/store/migrations.cc) added, so a test can rewind a data dir to v5.
V6_COLUMNS = {
    "managed_systems": ("database_id", "instance_name", "use_ssl", "functional_account_id", "login_account_id",
                        "elevation_command", "ssh_key_enforcement_mode", "account_name_format", "remote_client_type",
                        "host_key", "host_key_offered", "change_frequency_type", "change_frequency_days",
                        "change_time", "check_password", "change_after_release", "reset_on_mismatch"),
    "managed_accounts": ("use_own_credentials", "change_frequency_type", "change_frequency_days", "change_time",
                         "check_password", "change_after_release", "reset_on_mismatch", "last_checked_at",
                         "dss_auto_management"),
}


def rewind_schema_to_v5(db) -> None:
    """Undoes migrations v10 to v6 on an open sqlite3 connection (inside the caller's transaction)."""
    for table in ("alias_accounts", "aliases"):  # v10
        db.execute(f"DROP TABLE {table}")
    db.execute("ALTER TABLE audit_log DROP COLUMN address")
    db.execute("DROP TABLE auth_generation")  # v9
    db.execute("DROP INDEX managed_accounts_check")  # v8
    for table in ("psrun_nonces", "leases"):  # v7
        db.execute(f"DROP TABLE {table}")
    db.execute("DROP INDEX managed_accounts_next_change")
    for table in ("rotations", "databases", "functional_accounts"):
        db.execute(f"DROP TABLE {table}")
    for table, columns in V6_COLUMNS.items():
        for column in columns:
            db.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    db.execute("PRAGMA user_version = 5")
