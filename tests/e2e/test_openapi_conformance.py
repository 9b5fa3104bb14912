"""psafed's answers on the OpenAPI document's own paths match the document's schemas.

The document (shared/spec/password-safe-v3.openapi.yaml, OpenAPI 3.0.3) is loaded, its
component schemas are converted to JSON Schema (draft 7: `nullable: true` becomes "or
null", `$ref: #/components/schemas/X` becomes `#/definitions/X`) and each response psafed
gives on a documented operation is validated against the schema the document names for
that status.

The document's schemas list properties but require none, so plain validation would
accept `{}`. Because psafed's document dialect promises every documented field, the
conversion here makes every listed property required.

Every operation of the document is implemented and has at least one CASES row;
test_every_document_operation_is_accounted_for fails when the document gains one.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import jsonschema
import pytest
import requests
import yaml

import support
from support import create_account, create_system, create_workgroup

_DEFAULT_SPEC = Path(__file__).resolve().parents[3] / "shared/spec/password-safe-v3.openapi.yaml"
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
# OpenAPI-only keywords with no JSON Schema meaning (or none we want).
_DROP = {"nullable", "example", "examples", "discriminator", "xml", "externalDocs", "deprecated",
         "readOnly", "writeOnly"}


def spec_path() -> Optional[Path]:
    if _DEFAULT_SPEC.is_file():
        return _DEFAULT_SPEC
    env = os.environ.get("PSAFE_OPENAPI")
    if env and Path(env).is_file():
        return Path(env)
    return None


@pytest.fixture(scope="module")
def spec() -> dict:
    path = spec_path()
    if path is None:
        message = f"OpenAPI document not found at {_DEFAULT_SPEC} (set PSAFE_OPENAPI)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI always has shared/ beside the clone: never skip there
        pytest.skip(message)
    with open(path) as f:
        doc = yaml.safe_load(f)
    assert str(doc.get("openapi", "")).startswith("3.0"), "expected an OpenAPI 3.0 document"
    return doc


# --- OpenAPI 3.0 schema -> JSON Schema (draft 7) ---------------------------------------

def to_json_schema(node, require_all: bool):
    if isinstance(node, list):
        return [to_json_schema(n, require_all) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        ref = node["$ref"]
        prefix = "#/components/schemas/"
        assert ref.startswith(prefix), f"unsupported $ref {ref}"
        return {"$ref": "#/definitions/" + ref[len(prefix):]}
    out = {}
    for k, v in node.items():
        if k in _DROP or k.startswith("x-"):
            continue
        if k == "properties":
            out[k] = {name: to_json_schema(sub, require_all) for name, sub in v.items()}
        elif k in ("items", "additionalProperties", "not", "allOf", "anyOf", "oneOf"):
            out[k] = to_json_schema(v, require_all)
        else:
            out[k] = copy.deepcopy(v)
    if node.get("nullable") is True:
        if "type" in out:
            t = out["type"]
            out["type"] = (t if isinstance(t, list) else [t]) + ["null"]
        if "enum" in out and None not in out["enum"]:
            out["enum"] = out["enum"] + [None]
        if "type" not in out and "enum" not in out:
            out = {"anyOf": [out, {"type": "null"}]}
    if require_all and "properties" in out:
        out["required"] = sorted(set(out.get("required", [])) | set(out["properties"]))
    return out


def response_schema(spec: dict, method: str, path: str, status: int) -> Optional[dict]:
    """The JSON Schema of the response the document declares, None when it has no body."""
    op = spec["paths"][path][method.lower()]
    resp = op["responses"][str(status)]
    content = resp.get("content")
    if not content:
        return None
    schema = content["application/json"]["schema"]
    out = to_json_schema(schema, require_all=True)
    out["definitions"] = {name: to_json_schema(s, require_all=True)
                          for name, s in spec["components"]["schemas"].items()}
    out["$schema"] = "http://json-schema.org/draft-07/schema#"
    return out


def describe(schema: dict) -> str:
    """'SessionResponse', 'ManagedAccount[]' - how a row names the document's schema."""
    if schema is None:
        return "-"
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[1]
    if schema.get("type") == "array":
        return describe(schema["items"]) + "[]"
    return schema.get("type", "?")


def validate(instance, schema: dict) -> None:
    jsonschema.Draft7Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


# --- The table ---------------------------------------------------------------------------

@dataclass
class Ctx:
    srv: object
    system: dict
    account: dict

    def session(self) -> requests.Session:
        return self.srv.session()

    def url(self, doc_path: str) -> str:
        return self.srv.base + doc_path  # the document's exact spelling

    @property
    def auth(self) -> dict:
        return {"Authorization": self.srv.creds.ps_auth}


@dataclass
class Case:
    method: str
    path: str  # as in the document
    status: int
    schema: str  # the document's schema for that status, as describe() names it; "-" = no body
    call: Callable[[Ctx], requests.Response]
    non_empty: bool = False  # an array answer must have items (else validation proves little)

    @property
    def id(self) -> str:
        return f"{self.method} {self.path} {self.status}"


def _sign_in_ok(c: Ctx):
    return c.session().post(c.url("/auth/signappin"), timeout=10,
                            json={"ApplicationID": c.srv.creds.user, "APIKey": c.srv.creds.api_key})


def _sign_in_bad(c: Ctx):
    return c.session().post(c.url("/auth/signappin"), timeout=10,
                            json={"ApplicationID": c.srv.creds.user, "APIKey": "0" * 128})


def _sign_out_ok(c: Ctx):
    s = c.session()
    r = s.post(c.url("/auth/signappin"), timeout=10,
               json={"ApplicationID": c.srv.creds.user, "APIKey": c.srv.creds.api_key})
    assert r.status_code == 200
    return s.post(c.url("/auth/signappout"), timeout=10)


def _sign_out_unauthenticated(c: Ctx):
    return c.session().post(c.url("/auth/signappout"), timeout=10)


def _accounts_all(c: Ctx):
    return c.session().get(c.url("/managedaccounts"), headers=c.auth, timeout=10)


def _accounts_by_names(c: Ctx):
    return c.session().get(c.url("/managedaccounts"), headers=c.auth, timeout=10,
                           params={"systemName": c.system["SystemName"], "accountName": c.account["AccountName"]})


def _systems_all(c: Ctx):
    return c.session().get(c.url("/managedsystems"), headers=c.auth, timeout=10)


def _systems_by_name(c: Ctx):
    return c.session().get(c.url("/managedsystems"), headers=c.auth, timeout=10,
                           params={"name": c.system["SystemName"]})


# Requests: each call gets its own account and requester (support.grant_account, auto-approve),
# so the rows never conflict with each other.

def _grant(c: Ctx):
    api = c.srv.admin()
    try:
        return support.grant_account(api, c.srv, c.system["ManagedSystemID"])
    finally:
        api.close()


def _new_request(c: Ctx, g) -> int:
    r = g.s.post(c.url("/requests"), timeout=10, json={
        "SystemID": g.system_id, "AccountID": g.account_id, "DurationMinutes": 5,
        "Reason": "conformance", "AccessType": "View"})
    assert r.status_code == 201, (r.status_code, r.text)
    return r.json()["RequestID"]


def _request_create(c: Ctx):
    g = _grant(c)
    return g.s.post(c.url("/requests"), timeout=10, json={
        "SystemID": g.system_id, "AccountID": g.account_id, "DurationMinutes": 5,
        "Reason": "conformance", "AccessType": "View"})


def _request_create_bad(c: Ctx):
    g = _grant(c)
    return g.s.post(c.url("/requests"), timeout=10, json={
        "SystemID": g.system_id, "AccountID": g.account_id, "DurationMinutes": 0,
        "Reason": "conformance", "AccessType": "View"})


def _requests_list(c: Ctx):
    g = _grant(c)
    _new_request(c, g)
    return g.s.get(c.url("/requests"), timeout=10)


def _request_get(c: Ctx):
    g = _grant(c)
    return g.s.get(c.url(f"/requests/{_new_request(c, g)}"), timeout=10)


def _request_get_released(c: Ctx):
    """A checked-in request: its status must still be one the document's enum allows."""
    g = _grant(c)
    rid = _new_request(c, g)
    r = g.s.put(c.srv.url(f"Requests/{rid}/Checkin"), json={}, timeout=10)
    assert r.status_code == 204, (r.status_code, r.text)
    return g.s.get(c.url(f"/requests/{rid}"), timeout=10)


def _request_get_missing(c: Ctx):
    return _grant(c).s.get(c.url("/requests/999999999"), timeout=10)


def _request_cancel(c: Ctx):
    g = _grant(c)
    return g.s.put(c.url(f"/requests/{_new_request(c, g)}"), json={"Action": "Cancel", "Reason": "c"}, timeout=10)


def _request_delete(c: Ctx):
    g = _grant(c)
    return g.s.delete(c.url(f"/requests/{_new_request(c, g)}"), timeout=10)


def _request_delete_missing(c: Ctx):
    return _grant(c).s.delete(c.url("/requests/999999999"), timeout=10)


def _request_credentials(c: Ctx):
    g = _grant(c)
    return g.s.get(c.url(f"/requests/{_new_request(c, g)}/credentials"), timeout=10)


def _request_credentials_cancelled(c: Ctx):
    g = _grant(c)
    rid = _new_request(c, g)
    assert g.s.delete(c.url(f"/requests/{rid}"), timeout=10).status_code == 200
    return g.s.get(c.url(f"/requests/{rid}/credentials"), timeout=10)


# Secrets (docs/SECRETS.md "The OpenAPI document's operations"): each call creates its own
# secret under a new safe, named by folderName.

def _secret_doc_create(c: Ctx, secret_type: str = "Password"):
    body = {"title": support.unique("doc"), "type": secret_type, "description": "conformance",
            "folderName": f"{support.unique('DocSafe')}/{support.unique('docf')}"}
    if secret_type == "Password":
        body["password"] = "Conf/" + support.unique("pw")
    else:
        body["text"] = "conformance text"
    return c.session().post(c.url("/secrets-safe/secrets"), headers=c.auth, json=body, timeout=10)


def _new_doc_secret(c: Ctx, secret_type: str = "Password") -> dict:
    r = _secret_doc_create(c, secret_type)
    assert r.status_code == 201, (r.status_code, r.text)
    return r.json()


def _secret_create(c: Ctx):
    return _secret_doc_create(c)


def _secret_create_text(c: Ctx):
    return _secret_doc_create(c, "Text")


def _secrets_list_by_title(c: Ctx):
    sec = _new_doc_secret(c)
    return c.session().get(c.url("/secrets-safe/secrets"), headers=c.auth, params={"title": sec["title"]}, timeout=10)


def _secrets_list_all(c: Ctx):
    _new_doc_secret(c)
    _new_doc_secret(c, "Text")
    api = c.srv.admin()
    try:  # a File secret too, so every type is in the list
        safe = support.create_safe(api, c.srv)
        support.create_file_secret(api, c.srv, safe["Id"], b"conformance file", file_name="c.txt")
    finally:
        api.close()
    return c.session().get(c.url("/secrets-safe/secrets"), headers=c.auth, timeout=10)


def _secret_get(c: Ctx):
    return c.session().get(c.url(f"/secrets-safe/secrets/{_new_doc_secret(c)['id']}"), headers=c.auth, timeout=10)


def _secret_get_text(c: Ctx):
    return c.session().get(c.url(f"/secrets-safe/secrets/{_new_doc_secret(c, 'Text')['id']}"), headers=c.auth,
                           timeout=10)


def _secret_get_file(c: Ctx):
    api = c.srv.admin()
    try:
        safe = support.create_safe(api, c.srv)
        sec = support.create_file_secret(api, c.srv, safe["Id"], b"conformance file", file_name="c.txt")
    finally:
        api.close()
    return c.session().get(c.url(f"/secrets-safe/secrets/{sec['Id']}"), headers=c.auth, timeout=10)


def _secret_get_missing(c: Ctx):
    return c.session().get(c.url("/secrets-safe/secrets/00000000-0000-4000-8000-000000000001"), headers=c.auth,
                           timeout=10)


def _secret_delete(c: Ctx):
    return c.session().delete(c.url(f"/secrets-safe/secrets/{_new_doc_secret(c)['id']}"), headers=c.auth, timeout=10)


def _secret_delete_missing(c: Ctx):
    return c.session().delete(c.url("/secrets-safe/secrets/00000000-0000-4000-8000-000000000001"), headers=c.auth,
                              timeout=10)


CASES = [
    Case("POST", "/auth/signappin", 200, "SessionResponse", _sign_in_ok),
    Case("POST", "/auth/signappin", 401, "ErrorResponse", _sign_in_bad),
    Case("POST", "/auth/signappout", 200, "-", _sign_out_ok),
    Case("POST", "/auth/signappout", 401, "ErrorResponse", _sign_out_unauthenticated),
    Case("GET", "/managedaccounts", 200, "ManagedAccount[]", _accounts_all, non_empty=True),
    Case("GET", "/managedaccounts", 200, "ManagedAccount[]", _accounts_by_names, non_empty=True),
    Case("GET", "/managedsystems", 200, "ManagedSystem[]", _systems_all, non_empty=True),
    Case("GET", "/managedsystems", 200, "ManagedSystem[]", _systems_by_name, non_empty=True),
    Case("POST", "/requests", 201, "Request", _request_create),
    Case("POST", "/requests", 400, "ErrorResponse", _request_create_bad),
    Case("GET", "/requests", 200, "Request[]", _requests_list, non_empty=True),
    Case("GET", "/requests/{requestId}", 200, "Request", _request_get),
    Case("GET", "/requests/{requestId}", 200, "Request", _request_get_released),
    Case("GET", "/requests/{requestId}", 404, "ErrorResponse", _request_get_missing),
    Case("PUT", "/requests/{requestId}", 200, "Request", _request_cancel),
    Case("DELETE", "/requests/{requestId}", 200, "-", _request_delete),
    Case("DELETE", "/requests/{requestId}", 404, "ErrorResponse", _request_delete_missing),
    Case("GET", "/requests/{requestId}/credentials", 200, "CredentialResponse", _request_credentials),
    Case("GET", "/requests/{requestId}/credentials", 403, "ErrorResponse", _request_credentials_cancelled),
    Case("GET", "/secrets-safe/secrets", 200, "Secret[]", _secrets_list_by_title, non_empty=True),
    Case("GET", "/secrets-safe/secrets", 200, "Secret[]", _secrets_list_all, non_empty=True),
    Case("POST", "/secrets-safe/secrets", 201, "Secret", _secret_create),
    Case("POST", "/secrets-safe/secrets", 201, "Secret", _secret_create_text),
    Case("GET", "/secrets-safe/secrets/{id}", 200, "SecretWithValue", _secret_get),
    Case("GET", "/secrets-safe/secrets/{id}", 200, "SecretWithValue", _secret_get_text),
    Case("GET", "/secrets-safe/secrets/{id}", 200, "SecretWithValue", _secret_get_file),
    Case("GET", "/secrets-safe/secrets/{id}", 404, "ErrorResponse", _secret_get_missing),
    Case("DELETE", "/secrets-safe/secrets/{id}", 200, "-", _secret_delete),
    Case("DELETE", "/secrets-safe/secrets/{id}", 404, "ErrorResponse", _secret_delete_missing),
]



@pytest.fixture(scope="module")
def ctx(server) -> Ctx:
    api = server.admin()
    wg = create_workgroup(api, server)
    system = create_system(api, server, wg["ID"], platform_id=1, ContactEmail="ops@example.com")
    create_system(api, server, wg["ID"], platform_id=2)  # one with ContactEmail null
    account = create_account(api, server, system["ManagedSystemID"])
    create_account(api, server, system["ManagedSystemID"], DomainName="corp.example", password=None)
    api.close()
    return Ctx(server, system, account)


def document_operations(spec: dict) -> set[tuple[str, str]]:
    return {(m.upper(), p) for p, item in spec["paths"].items() for m in item if m in HTTP_METHODS}


# --- Tests ---------------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=[f"{c.id} {c.call.__name__.strip('_')}" for c in CASES])
def test_response_matches_document_schema(spec, ctx, case):
    schema = response_schema(spec, case.method, case.path, case.status)
    assert describe(schema) == case.schema, \
        f"the document's {case.id} schema is {describe(schema)}, the table says {case.schema}"
    r = case.call(ctx)
    assert r.status_code == case.status, (r.status_code, r.text)
    if schema is None:
        assert r.content == b"", f"the document declares no body, got {r.text!r}"
        return
    assert r.headers.get("Content-Type", "").startswith("application/json")
    body = r.json()
    if case.non_empty:
        assert isinstance(body, list) and body, "expected a non-empty array to validate"
    validate(body, schema)


def test_table_operations_exist_in_the_document(spec):
    for case in CASES:
        op = spec["paths"].get(case.path, {}).get(case.method.lower())
        assert op is not None, f"{case.method} {case.path} is not in the document"
        assert str(case.status) in op["responses"], f"{case.id}: status not documented"


def test_every_document_operation_is_accounted_for(spec):
    implemented = {(c.method, c.path) for c in CASES}
    assert document_operations(spec) == implemented, (
        "the document's operations changed: add a CASES row for each new one")


# --- The converter itself (so a wrong conversion cannot make everything pass) ----------------

def test_converter_rejects_what_the_document_forbids(spec):
    schema = response_schema(spec, "GET", "/managedsystems", 200)
    good = {"ManagedSystemID": 1, "SystemName": "s", "IPAddress": "10.0.0.1", "Platform": "Linux",
            "NetworkAddress": "s", "ContactEmail": None}
    validate([good], schema)
    for bad in ({**good, "Platform": "Plan9"}, {**good, "ManagedSystemID": "1"},
                {k: v for k, v in good.items() if k != "SystemName"}, {**good, "SystemName": None}):
        with pytest.raises(AssertionError):
            validate([bad], schema)
    with pytest.raises(AssertionError):
        validate(good, schema)  # an object where the document says array
