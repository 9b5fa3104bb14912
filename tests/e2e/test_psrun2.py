"""psrun2 as a process against a running psafed (docs/psrun2.md; the PSRUN guide's
examples with our host, key and user). stdout is compared byte for byte, and so is the
exit code: 0 on success, 1 on any failure with one line on stderr."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path
from typing import Optional

import pytest

import support
from support import (PSRUN2, ROLE_ISA, create_account, create_system, create_workgroup, grant_account, unique)


def psrun(srv, *args: str, options=(), user: str = "admin", key: Optional[str] = None, ca: bool = True,
          stdin: Optional[str] = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PSRUN_CA_FILE"}
    if ca:
        env["PSRUN_CA_FILE"] = srv.creds.ca_cert
    argv = [PSRUN2, *options, f"127.0.0.1:{srv.port}", key or srv.creds.api_key, user, *args]
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60,
                          input=stdin if stdin is not None else "")


def ok(res: subprocess.CompletedProcess) -> str:
    assert res.returncode == 0, (res.args[4:], res.returncode, res.stdout, res.stderr)
    return res.stdout


def failed(res: subprocess.CompletedProcess) -> str:
    assert res.returncode == 1, (res.args[4:], res.returncode, res.stdout, res.stderr)
    lines = res.stderr.strip().splitlines()
    assert lines and lines[0].startswith("psrun2: "), res.stderr
    return res.stderr


@pytest.fixture
def estate(api, server):
    """A workgroup with a system and an account the administrators may request (auto-approve)."""
    wg = create_workgroup(api, server)
    sysm = create_system(api, server, wg["ID"])
    password = "Ps/" + uuid.uuid4().hex + '"$x'
    acct = create_account(api, server, sysm["ManagedSystemID"], password=password)
    return {"wg": wg, "system": sysm, "account": acct, "password": password}


def request_status(api, server, rid: int) -> str:
    r = api.get(server.url(f"Requests/{rid}"), timeout=10)
    if r.status_code == 404:  # the product dialect has no GET Requests/{id}: use the list
        r = api.get(server.url("Requests"), params={"status": "all"}, timeout=10)
        return next(x["Status"] for x in r.json() if x["RequestID"] == rid)
    return r.json()["Status"]


# --- RetrievePassword -----------------------------------------------------------------------

def test_retrieve_password_by_names_prints_the_password_and_releases(api, server, estate):
    out = ok(psrun(server, "RetrievePassword", estate["system"]["SystemName"], estate["account"]["AccountName"],
                   "your reason"))
    assert out == estate["password"] + "\n"
    reqs = api.get(server.url("Requests"), params={"status": "all"}, timeout=10).json()
    mine = [r for r in reqs if r["AccountId"] == estate["account"]["ManagedAccountID"]]
    assert len(mine) == 1 and mine[0]["Status"] == "Released", mine
    assert mine[0]["Reason"] == "your reason"


@pytest.mark.parametrize("tail", [("25", "password", "DoNotRelease"), ("25", "-p")])
def test_retrieve_password_by_ids_do_not_release(api, server, estate, tail):
    sid, aid = estate["system"]["ManagedSystemID"], estate["account"]["ManagedAccountID"]
    res = psrun(server, "RetrievePassword", str(sid), str(aid), "your reason", *tail)
    assert ok(res) == estate["password"] + "\n"
    assert "left open" in res.stderr
    reqs = api.get(server.url("Requests"), params={"status": "all"}, timeout=10).json()
    mine = [r for r in reqs if r["AccountId"] == aid]
    assert [r["Status"] for r in mine] == ["Approved"], mine
    assert mine[0]["RequestedDurationMinutes"] == 25
    # Release (short command) closes it; a reason is kept.
    assert ok(psrun(server, "Release", str(mine[0]["RequestID"]), "reason for release")) == ""
    reqs = api.get(server.url("Requests"), params={"status": "all"}, timeout=10).json()
    assert [r["Status"] for r in reqs if r["AccountId"] == aid] == ["Released"]


def test_retrieve_password_alias_and_mixed_ids_and_names(server, estate):
    out = ok(psrun(server, "RetrievePasswordByName", estate["system"]["SystemName"],
                   estate["account"]["AccountName"], "r"))
    assert out == estate["password"] + "\n"
    err = failed(psrun(server, "RetrievePassword", "1", estate["account"]["AccountName"], "r"))
    assert "both by name or both by id" in err
    err = failed(psrun(server, "RetrievePassword", "no-such-system", "no-such-account", "r"))
    assert "HTTP 404" in err


def test_retrieve_password_through_isa(api, server):
    wg = create_workgroup(api, server)
    sysm = create_system(api, server, wg["ID"])
    g = grant_account(api, server, sysm["ManagedSystemID"], role_ids=(ROLE_ISA,))
    res = psrun(server, "RetrievePassword", sysm["SystemName"], g.account_name, "isa reason", user=g.user["UserName"])
    assert ok(res) == g.password + "\n"
    assert ok(psrun(server, "ISARequests", str(g.system_id), str(g.account_id), "15", "Reason",
                    user=g.user["UserName"])) == g.password + "\n"
    assert ok(psrun(server, "ISARequests", str(g.system_id), str(g.account_id), user=g.user["UserName"])) == \
        g.password + "\n"


# --- -e and -estdin ---------------------------------------------------------------------------

def test_exec_fills_placeholders(server, estate, tmp_path):
    out = ok(psrun(server, "RetrievePassword", estate["system"]["SystemName"], estate["account"]["AccountName"], "r",
                   options=("-e", "printf '%s|' [Password] \"<[password]>\"")))
    assert out == estate["password"] + "|<" + estate["password"] + ">|"


def test_exec_stdin_keeps_the_secret_out_of_argv(server, estate, tmp_path):
    target = tmp_path / "secret.txt"
    res = psrun(server, "RetrievePassword", estate["system"]["SystemName"], estate["account"]["AccountName"], "r",
                options=("-estdin", f"cat > {target}; ps -eo args > {tmp_path / 'ps.txt'}"))
    assert ok(res) == ""
    assert target.read_text() == estate["password"] + "\n"
    assert estate["password"] not in (tmp_path / "ps.txt").read_text()


def test_exec_failure_is_exit_1(server, estate):
    res = psrun(server, "RetrievePassword", estate["system"]["SystemName"], estate["account"]["AccountName"], "r",
                options=("-e", "exit 3"))
    assert res.returncode == 1


# --- Direct calls and payloads ----------------------------------------------------------------

def test_direct_post_requests_with_key_value_payload(api, server, estate):
    sid, aid = estate["system"]["ManagedSystemID"], estate["account"]["ManagedAccountID"]
    out = ok(psrun(server, "POST", "Requests", f"SystemId={sid}", f"AccountId={aid}", "DurationMinutes=30",
                   "Reason=Just to test request", user=f"admin;pwd=[{server.creds.password}]"))
    rid = int(out)
    assert out == f"{rid}\n"
    reqs = api.get(server.url("Requests"), params={"status": "all"}, timeout=10).json()
    mine = next(r for r in reqs if r["RequestID"] == rid)
    assert (mine["Reason"], mine["RequestedDurationMinutes"]) == ("Just to test request", 30)
    # Retrieve and Release by id.
    assert ok(psrun(server, "Retrieve", str(rid))) == estate["password"] + "\n"
    assert ok(psrun(server, "PUT", f"Requests/{rid}/Checkin", "Reason=done")) == ""


def test_wrong_user_password_is_refused(server):
    err = failed(psrun(server, "ListWorkgroups", user="admin;pwd=[not-the-password]"))
    assert "HTTP 401" in err


def test_raw_json_payload_and_server_errors(api, server):
    name = unique("wgjson")
    out = ok(psrun(server, "POST", "Workgroups", '{"Name":"%s"}' % name, options=("-filter", "Name")))
    assert out == f"Name\n{name}\n"
    err = failed(psrun(server, "POST", "Workgroups", '{"Name":"%s"}' % name))
    assert "HTTP 409" in err
    err = failed(psrun(server, "POST", "UserGroups/1/Permissions",
                       "[", "PermissionID=1", "AccessLevelID=1", "PermissionID=1", "AccessLevelID=2", "]"))
    assert "HTTP 404" in err


# --- Output options ---------------------------------------------------------------------------

def test_list_accounts_filter_quote_separator_noheaders(server, estate):
    s, a, wg = estate["system"], estate["account"], estate["wg"]
    row = f'{s["ManagedSystemID"]},{s["SystemName"]},{a["ManagedAccountID"]},{a["AccountName"]}'
    out = ok(psrun(server, "ListAccounts", s["SystemName"], a["AccountName"], wg["Name"],
                   options=("-separator", ",", "-filter", "SystemId,SystemName,AccountId,AccountName")))
    assert out == "SystemId,SystemName,AccountId,AccountName\n" + row + "\n"
    out = ok(psrun(server, "ListAccounts", s["SystemName"], a["AccountName"],
                   options=("-quote", "-separator", ",", "-noheaders", "-filter", "systemname,ACCOUNTNAME")))
    assert out == f'"{s["SystemName"]}","{a["AccountName"]}"\n'


def test_list_systems_all_and_one(api, server, estate):
    s = estate["system"]
    out = ok(psrun(server, "ListSystems", str(s["ManagedSystemID"]), options=("-filter", "ManagedSystemID,SystemName")))
    assert out == f"ManagedSystemID\tSystemName\n{s['ManagedSystemID']}\t{s['SystemName']}\n"
    out = ok(psrun(server, "ListSystems", options=("-noheaders", "-filter", "SystemName")))
    names = out.splitlines()
    assert s["SystemName"] in names
    assert len(names) == len(api.get(server.url("ManagedSystems"), timeout=10).json())


def test_list_short_commands(api, server, estate):
    wg = estate["wg"]
    out = ok(psrun(server, "ListWorkgroups", options=("-noheaders", "-filter", "Name")))
    assert wg["Name"] in out.splitlines()
    assert ok(psrun(server, "ListAssets", wg["Name"])) == ""  # no assets: nothing printed
    names = sorted(unique("asset") for _ in range(3))
    for n in names:
        r = api.post(server.url(f"Workgroups/{wg['ID']}/Assets"), json={"AssetName": n, "IPAddress": "10.1.1.1"},
                     timeout=10)
        assert r.status_code == 201, r.text
    out = ok(psrun(server, "ListAssets", wg["Name"], options=("-noheaders", "-filter", "AssetName")))
    assert sorted(out.splitlines()) == names
    # Limit and offset (a paged answer prints its rows).
    out = ok(psrun(server, "ListAssetts", str(wg["ID"]), "2", "2", options=("-filter", "AssetName")))
    assert out.startswith("AssetName\n") and len(out.splitlines()) == 2, out
    out = ok(psrun(server, "ListGroups", "Administrators", options=("-filter", "Name")))
    assert out == "Name\nAdministrators\n"
    out = ok(psrun(server, "ListGroupMembership", "1", options=("-filter", "UserName", "-noheaders")))
    assert "admin" in out.splitlines()
    out = ok(psrun(server, "ListRoles", options=("-filter", "Name", "-noheaders")))
    assert out.splitlines() == [r["Name"] for r in api.get(server.url("Roles"), timeout=10).json()]
    assert ok(psrun(server, "ListSmartRules", options=("-json",))).startswith("[")
    assert ok(psrun(server, "ListRequests", "active", "req", options=("-json",))).startswith("[")
    assert ok(psrun(server, "ListAliases", options=("-json",))).startswith("[")


def test_request_short_command_and_conflict_option(api, server, estate):
    sid, aid = estate["system"]["ManagedSystemID"], estate["account"]["ManagedAccountID"]
    first = int(ok(psrun(server, "Request", str(sid), str(aid), "120", "Request reason")))
    # The default ConflictOption is renew: a second request replaces the first.
    second = int(ok(psrun(server, "Request", "View", str(sid), str(aid), "60", "again")))
    assert second != first
    reqs = {r["RequestID"]: r for r in api.get(server.url("Requests"), params={"status": "all"}, timeout=10).json()}
    assert reqs[second]["Status"] == "Approved" and reqs[first]["Status"] != "Approved"
    err = failed(psrun(server, "Request", str(sid)))
    assert "usage: Request" in err


def test_force_reset_sets_then_generates(server, estate):
    s, a = estate["system"]["SystemName"], estate["account"]["AccountName"]
    assert ok(psrun(server, "ForceReset", s, a, "New/Pw1", "0")) == ""
    assert ok(psrun(server, "RetrievePassword", s, a, "r")) == "New/Pw1\n"
    assert ok(psrun(server, "ForceReset", s, a)) == ""
    generated = ok(psrun(server, "RetrievePassword", s, a, "r")).rstrip("\n")
    assert generated and generated != "New/Pw1"


def test_import_file_sends_the_file_and_reports_the_server(server, tmp_path):
    f = tmp_path / "data.xml"
    f.write_text("<import/>")
    err = failed(psrun(server, "ImportFile", "PasswordSafe", "PASSWORDSAFE", str(f)))
    assert "HTTP 404" in err  # POST Imports is not served yet
    err = failed(psrun(server, "ImportFile", "PasswordSafe", "PASSWORDSAFE", str(tmp_path / "missing.xml")))
    assert "cannot read file" in err


# --- Usage, TLS, verbose ----------------------------------------------------------------------

def test_usage_errors_and_help(server):
    res = subprocess.run([PSRUN2, "-bogus", "h", "k", "u", "ListRoles"], capture_output=True, text=True, timeout=10)
    assert res.returncode == 1 and "unknown option -bogus" in res.stderr and "usage:" in res.stderr
    res = subprocess.run([PSRUN2, "h", "k"], capture_output=True, text=True, timeout=10)
    assert res.returncode == 1 and "usage:" in res.stderr
    res = subprocess.run([PSRUN2, "--help"], capture_output=True, text=True, timeout=10)
    assert res.returncode == 0
    for cmd in ("RetrievePassword", "RetrievePasswordByName", "ListAssets", "ListAssetts", "ListWorkgroups",
                "ListSystems", "ListAccounts", "ListAliases", "ListGroups", "ListGroupMembership", "ListRequests",
                "ListRoles", "ListSmartRules", "Request", "ISARequests", "Retrieve", "Release", "ImportFile",
                "ForceReset", "-estdin", "-json", "-filter", "-certpass"):
        assert cmd in res.stdout, cmd
    # The whole manual (docs/psrun2.md) follows the usage.
    manual = (Path(__file__).resolve().parents[2] / "docs" / "psrun2.md").read_text()
    assert res.stdout.endswith(manual), "psrun2 --help does not end with docs/psrun2.md"
    err = failed(psrun(server, "NoSuchCommand"))
    assert "unknown short command" in err


def test_bad_key_and_unreachable_server(server):
    err = failed(psrun(server, "ListRoles", key="0" * 128))
    assert "HTTP 401" in err
    res = subprocess.run([PSRUN2, "-i", "127.0.0.1:1", "k", "u", "ListRoles"], capture_output=True, text=True,
                         timeout=30)
    assert res.returncode == 1 and "cannot reach" in res.stderr


def test_certificate_is_verified_unless_insecure(server):
    err = failed(psrun(server, "ListRoles", ca=False))
    assert "cannot reach" in err
    assert ok(psrun(server, "ListRoles", options=("-i", "-noheaders", "-filter", "RoleID")), ) != ""


def test_verbose_masks_secrets(server, estate):
    res = psrun(server, "RetrievePassword", estate["system"]["SystemName"], estate["account"]["AccountName"], "r",
                options=("-v",), user=f"admin;pwd=[{server.creds.password}]")
    assert ok(res) == estate["password"] + "\n"
    assert "> POST https://127.0.0.1" in res.stderr and "Auth/SignAppIn" in res.stderr
    assert "Authorization: ***" in res.stderr
    for secret in (server.creds.api_key, server.creds.password, estate["password"]):
        assert secret not in res.stderr
    res = psrun(server, "ForceReset", estate["system"]["SystemName"], estate["account"]["AccountName"], "Vv/123",
                "0", options=("-v",))
    ok(res)
    assert '"Password":"***"' in res.stderr and "Vv/123" not in res.stderr


# --- The guide's remaining examples ---------------------------------------------------------

def test_guide_access_levels_examples(server, tmp_path):
    assert ok(psrun(server, "GET", "AccessLevels")) == "AccessLevelID\tName\n0\tNone\n1\tRead\n2\tRead/Write\n"
    csv = '"AccessLevelID","Name"\n"0","None"\n"1","Read"\n"2","Read/Write"\n'
    assert ok(psrun(server, "GET", "AccessLevels", options=("-quote", "-separator", ","))) == csv
    assert ok(psrun(server, "GET", "AccessLevels", options=("-quote", "-separator", ",", "-noheaders"))) == \
        csv.split("\n", 1)[1]


def test_guide_echo_password_and_params_file(server, estate, tmp_path):
    s, a = estate["system"]["SystemName"], estate["account"]["AccountName"]
    out = ok(psrun(server, "RetrievePassword", s, a, "r", options=("-e", "echo '[Password]'")))
    assert out == estate["password"] + "\n"
    conn = tmp_path / "conn"
    conn.write_text(f"127.0.0.1:{server.port} {server.creds.api_key} admin\n")
    res = subprocess.run(["bash", "-c", f'"{PSRUN2}" -noheaders -filter SystemName $(cat {conn}) ListSystems'],
                         capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PSRUN_CA_FILE": server.creds.ca_cert})
    assert res.returncode == 0 and s in res.stdout.splitlines(), res.stderr


def test_guide_list_filters(api, server, estate):
    assert ok(psrun(server, "ListAccounts", "database")) == ""  # no database accounts here
    assert ok(psrun(server, "ListSmartRules", "Asset")) == ""  # psafed has managed-account rules only
    out = ok(psrun(server, "ListSmartRules", options=("-noheaders", "-filter", "Title")))
    assert "e2e: all accounts" in out.splitlines()


def test_guide_force_reset_with_key_files_then_retrieve_dsskey(server, estate, tmp_path):
    s, a = estate["system"]["SystemName"], estate["account"]["AccountName"]
    pub, priv = tmp_path / "publicFile", tmp_path / "privateFile"
    pub.write_text("ssh-ed25519 AAAAC3Nza test\n")
    private_key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk=\n-----END OPENSSH PRIVATE KEY-----\n"
    priv.write_text(private_key)
    assert ok(psrun(server, "ForceReset", s, a, "Pw/Keys1", "1", str(pub), str(priv))) == ""
    assert ok(psrun(server, "RetrievePassword", s, a, "r")) == "Pw/Keys1\n"
    rid = int(ok(psrun(server, "Request", str(estate["system"]["ManagedSystemID"]),
                       str(estate["account"]["ManagedAccountID"]), "30", "keys")))
    assert ok(psrun(server, "Retrieve", str(rid), "dsskey")) == private_key + "\n"
    assert ok(psrun(server, "Release", str(rid))) == ""


# --- Every list short command, byte for byte against the API it calls ----------------------

def render(value) -> str:
    """The column output docs/psrun2.md describes, written independently of psrun2."""
    def cell(v):
        if v is None:
            return ""
        if isinstance(v, str):
            return v
        return json.dumps(v, separators=(",", ":"), ensure_ascii=False)
    if isinstance(value, dict) and set(value) == {"TotalCount", "Data"}:
        value = value["Data"]
    rows = [value] if isinstance(value, dict) else value
    if not rows:
        return ""
    cols = []
    for r in rows:
        cols += [k for k in r if k not in cols]
    return "".join("\t".join(cell(r.get(c)) for c in cols) + "\n" for r in [dict(zip(cols, cols))] + rows)


def test_list_short_commands_print_exactly_what_the_api_answers(server_factory):
    srv = server_factory.start()
    api = srv.admin()
    support.grant_admins_request_all(srv)
    wg = create_workgroup(api, srv, name="PasswordSafe")
    sysm = create_system(api, srv, wg["ID"], name="sys1")
    create_account(api, srv, sysm["ManagedSystemID"], name="acct1", password="Pw/1")
    r = api.post(srv.url(f"Workgroups/{wg['ID']}/Assets"), json={"AssetName": "asset1", "IPAddress": "10.0.0.1"},
                 timeout=10)
    assert r.status_code == 201, r.text
    rid = int(ok(psrun(srv, "Request", str(sysm["ManagedSystemID"]), "1", "60", "open one")))
    assert rid > 0
    r = api.post(srv.url("Aliases"), timeout=10, json={
        "AliasName": "AliasName", "MappedAccounts": [{"SystemID": sysm["ManagedSystemID"], "AccountID": 1}]})
    assert r.status_code == 201, r.text
    cases = [
        (["ListWorkgroups"], "Workgroups"),
        (["ListSystems"], "ManagedSystems"),
        (["ListSystems", str(sysm["ManagedSystemID"])], f"ManagedSystems/{sysm['ManagedSystemID']}"),
        (["ListAccounts"], "ManagedAccounts"),
        (["ListAccounts", "sys1", "acct1", "PasswordSafe"],
         "ManagedAccounts?systemName=sys1&accountName=acct1&workgroupName=PasswordSafe"),
        (["ListAssets", str(wg["ID"])], f"Workgroups/{wg['ID']}/Assets"),
        (["ListAssets", "PasswordSafe"], "Workgroups/PasswordSafe/Assets"),
        (["ListAssetts", "PasswordSafe", "2", "0"], "Workgroups/PasswordSafe/Assets?limit=2&offset=0"),
        (["ListGroups"], "UserGroups"),
        (["ListGroups", "1"], "UserGroups/1"),
        (["ListGroups", "Administrators"], "UserGroups/Administrators"),
        (["ListGroupMembership", "1"], "UserGroups/1/Users"),
        (["ListRequests", "active"], "Requests?status=active&queue=req"),
        (["ListRequests", "all", "req"], "Requests?status=all&queue=req"),
        (["ListRoles"], "Roles"),
        (["ListSmartRules"], "SmartRules"),
        (["ListAliases"], "Aliases"),
        (["ListAliases", "AliasName"], "Aliases/AliasName"),
    ]
    for args, path in cases:
        r = api.get(srv.url(path), timeout=10)
        assert r.status_code == 200, (path, r.text)
        assert ok(psrun(srv, *args)) == render(r.json()), args
    assert "HTTP 404" in failed(psrun(srv, "ListAliases", "NoSuchAlias"))
    api.close()


def test_guide_retrieve_by_ids_force_reset_default_and_array_payload(server, estate):
    s, a = estate["system"], estate["account"]
    sid, aid = str(s["ManagedSystemID"]), str(a["ManagedAccountID"])
    assert ok(psrun(server, "RetrievePassword", sid, aid, "your reason")) == estate["password"] + "\n"
    assert ok(psrun(server, "ForceReset", s["SystemName"], a["AccountName"], "Pw/Default1")) == ""  # UpdateSystem 1
    assert ok(psrun(server, "RetrievePassword", sid, aid, "your reason")) == "Pw/Default1\n"
    res = psrun(server, "POST", "UserGroups/1/Permissions",
                "[", "PermissionID=1", "AccessLevelID=1", "PermissionID=1", "AccessLevelID=2", "]", options=("-v",))
    assert res.returncode == 1 and "HTTP 404" in res.stderr
    assert '> [{"PermissionID":1,"AccessLevelID":1},{"PermissionID":1,"AccessLevelID":2}]' in res.stderr
