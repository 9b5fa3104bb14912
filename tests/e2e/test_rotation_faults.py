"""Fault injection for rotation (docs/ROTATION.md): psafed SIGKILLed at every step of a
credential change, targets out of reach, and a target that takes a change but then does
not accept the new credential. After each, the credential psafed serves opens the target,
and the audit chain verifies.

The kill is the Debug-build hook PSAFE_TEST_CRASH_AT=<point> (common/crash_point.h): psafed
raises SIGKILL on itself exactly at that point, which an outside `kill -9` could only hit
by chance. ROTATION_FAULT_RUNS (default 3) sets the runs per point and target; each run's
outcome is printed (pytest -s) and docs/ROTATION.md reports a long run.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess

import pytest
import requests

import support
from rotation_support import (KINDS, account, change, credential_opens, new_password, onboard, served_password,
                              wait_idle)
from test_rotation import ROTATION_CONFIG, target_for

pytestmark = pytest.mark.real_targets

RUNS = int(os.environ.get("ROTATION_FAULT_RUNS", "3"))
POINTS = ("rotation-pending", "rotation-sent", "rotation-pushed", "rotation-verified")


def start(data, creds, cfg, env=None):
    srv = support.start_server(data, creds, config=cfg, env=env)
    return srv, srv.admin()


def audit_verifies(data) -> None:
    res = support.run_cli("audit", "verify", "--data-dir", str(data))
    assert res.returncode == 0, (res.stdout, res.stderr)


@pytest.fixture
def fresh(tmp_path, psafed_bin):
    """A data dir of its own with the fast rotation config; yields (data, creds, cfg)."""
    data = tmp_path / "data"
    creds = support.init_data_dir(data)
    cfg = support.write_config(tmp_path / "psafed.toml", ROTATION_CONFIG)
    srv, api = start(data, creds, cfg)
    support.grant_admins_request_all(srv)
    api.close()
    srv.stop()
    return data, creds, cfg


@pytest.mark.parametrize("kind", KINDS)
def test_sigkill_at_every_step_keeps_a_working_credential(kind, request, fresh):
    data, creds, cfg = fresh
    target = target_for(kind, request)
    srv, api = start(data, creds, cfg)
    m = onboard(kind, api, srv, target)
    srv.stop()
    runs = 0
    for point in POINTS:
        for i in range(RUNS):
            srv, api = start(data, creds, cfg, env={"PSAFE_TEST_CRASH_AT": point})
            m = dataclasses.replace(m, srv=srv)
            before = served_password(api, m)
            with pytest.raises(requests.exceptions.ConnectionError):
                change(api, m)  # the change runs in this call: psafed dies under it
            assert srv.proc.wait(timeout=30) == -signal.SIGKILL, f"{point}: psafed did not die there"
            srv.kill()
            srv, api = start(data, creds, cfg)  # recovery: the first rotation pass
            m = dataclasses.replace(m, srv=srv)
            wait_idle(api, m)
            served = served_password(api, m)
            assert m.opens(served), f"{kind} {point} run {i}: the served credential does not open the target"
            assert served != before and not m.opens(before), f"{kind} {point} run {i}: the change was not finished"
            api.close()
            srv.stop()
            srv.assert_no_sanitizer_report()
            runs += 1
    audit_verifies(data)
    print(f"\n{kind}: {runs} SIGKILL runs over {len(POINTS)} points, all recovered")


@pytest.mark.parametrize("kind", KINDS)
def test_unreachable_target_keeps_current_then_retries(kind, target_factory, fresh):
    data, creds, cfg = fresh
    target = getattr(target_factory, {"ssh": "sshd", "postgres": "postgres", "ldap": "slapd"}[kind])()
    srv, api = start(data, creds, cfg)
    m = onboard(kind, api, srv, target)
    target.stop_listening()
    r = change(api, m)
    assert r.status_code == 503 and "queued" in r.text, (r.status_code, r.text)
    a = account(api, m)
    assert a["IsChanging"] and a["LastChangeError"], a
    assert served_password(api, m) == m.first_password  # the current one is served meanwhile
    target.start_again()
    wait_idle(api, m)
    served = served_password(api, m)
    assert served != m.first_password and m.opens(served) and not m.opens(m.first_password)
    api.close()
    srv.stop()
    audit_verifies(data)


def test_verification_failure_rolls_back_and_flags(postgres_target, fresh):
    """PostgreSQL takes ALTER ROLE ... PASSWORD for a NOLOGIN role, but the new password
    cannot sign in: psafe puts the current one back and keeps serving it."""
    data, creds, cfg = fresh
    srv, api = start(data, creds, cfg)
    m = onboard("postgres", api, srv, postgres_target)
    postgres_target.set_login(m.account_name, False)
    try:
        r = change(api, m)
        assert r.status_code == 502 and "rolled back" in r.text, (r.status_code, r.text)
        a = account(api, m)
        assert a["ChangeState"] == 0 and "rolled back" in (a["LastChangeError"] or ""), a
    finally:
        postgres_target.set_login(m.account_name, True)
    assert served_password(api, m) == m.first_password and m.opens(m.first_password)
    records, _ = support.audit_records(api, srv)
    assert any(x["Action"] == "credential.change.failed" for x in records), records
    # An administrator who sets psafe's copy alone abandons the failed change.
    r = api.put(srv.url(f"ManagedAccounts/{m.account_id}/Credentials"),
                json={"Password": m.first_password, "UpdateSystem": False}, timeout=10)
    assert r.status_code == 204, r.text
    a = account(api, m)
    assert a["ChangeState"] == 0 and a["LastChangeError"] is None, a
    api.close()
    srv.stop()
    audit_verifies(data)


def test_changed_host_key_is_refused_until_pinned(target_factory, fresh):
    data, creds, cfg = fresh
    sshd = target_factory.sshd()
    srv, api = start(data, creds, cfg)
    m = onboard("ssh", api, srv, sshd)
    r = api.post(srv.url(f"ManagedAccounts/{m.account_id}/Credentials/Test"), json={}, timeout=30)
    assert r.status_code == 200 and r.json() == {"Success": True}, r.text
    system = api.get(srv.url(f"ManagedSystems/{m.system_id}"), timeout=10).json()
    assert system["HostKeyFingerprint"] == sshd.host_key_fingerprint()  # pinned on first contact

    new_key = sshd.replace_host_key()
    r = change(api, m)
    assert r.status_code == 502 and "host key" in r.text.lower(), (r.status_code, r.text)
    system = api.get(srv.url(f"ManagedSystems/{m.system_id}"), timeout=10).json()
    assert system["OfferedHostKeyFingerprint"] == new_key and system["HostKeyFingerprint"] != new_key
    assert served_password(api, m) == m.first_password and m.opens(m.first_password)
    _, text = support.audit_records(api, srv)
    assert "managedsystem.hostkey.refused" in text

    r = api.put(srv.url(f"ManagedSystems/{m.system_id}/HostKey"), json={"Fingerprint": new_key}, timeout=10)
    assert r.status_code == 204, r.text
    r = change(api, m)
    assert r.status_code == 204, r.text
    served = served_password(api, m)
    assert m.opens(served) and not m.opens(m.first_password)

    # Mode 2 accepts only a key an administrator pinned: with none, nothing is sent.
    assert api.delete(srv.url(f"ManagedSystems/{m.system_id}/HostKey"), timeout=10).status_code == 204
    r = api.put(srv.url(f"ManagedSystems/{m.system_id}"), json={"SshKeyEnforcementMode": 2}, timeout=10)
    assert r.status_code == 200, r.text
    r = change(api, m)
    assert r.status_code == 502, r.text
    assert m.opens(served)
    api.close()
    srv.stop()


def test_check_password_resets_a_mismatch_through_the_functional_account(sshd_target, fresh):
    data, creds, cfg = fresh
    srv, api = start(data, creds, cfg)
    m = onboard("ssh", api, srv, sshd_target)
    sshd_target.set_password(m.account_name, new_password("outofband"))  # changed behind psafe's back
    r = api.put(srv.url(f"ManagedAccounts/{m.account_id}"), timeout=10,
                json={"CheckPasswordFlag": True, "ResetPasswordOnMismatchFlag": True})
    assert r.status_code == 200, r.text
    support.wait_for(lambda: m.opens(served_password(api, m)), timeout=60, what="the reset after the mismatch")
    records, _ = support.audit_records(api, srv)
    checks = [json.loads(x["Details"]) for x in records if x["Action"] == "credential.check"]
    assert {"Success": False, "Reset": True} in checks, checks
    api.close()
    srv.stop()


def test_change_after_any_release(sshd_target, fresh):
    data, creds, cfg = fresh
    srv, api = start(data, creds, cfg)
    m = onboard("ssh", api, srv, sshd_target)
    r = api.put(srv.url(f"ManagedAccounts/{m.account_id}"), json={"ChangePasswordAfterAnyReleaseFlag": True},
                timeout=10)
    assert r.status_code == 200, r.text
    released = served_password(api, m)  # a release and its check-in
    assert released == m.first_password
    wait_idle(api, m)
    # Every release rotates, so the stored credential is checked without releasing it.
    assert credential_opens(api, m) and not m.opens(released)
    assert account(api, m)["LastChangeDate"]
    api.close()
    srv.stop()


def test_psrun2_force_reset_updates_the_system(sshd_target, fresh):
    data, creds, cfg = fresh
    srv, api = start(data, creds, cfg)
    m = onboard("ssh", api, srv, sshd_target)
    system = api.get(srv.url(f"ManagedSystems/{m.system_id}"), timeout=10).json()
    env = {k: v for k, v in os.environ.items() if k != "PSRUN_CA_FILE"}
    env["PSRUN_CA_FILE"] = srv.creds.ca_cert
    res = subprocess.run([support.PSRUN2, f"127.0.0.1:{srv.port}", srv.creds.api_key, srv.creds.user, "ForceReset",
                          system["SystemName"], m.account_name], capture_output=True, text=True, env=env,
                         timeout=120, input="")
    assert res.returncode == 0, (res.stdout, res.stderr)
    served = served_password(api, m)
    assert served != m.first_password and m.opens(served) and not m.opens(m.first_password)
    api.close()
    srv.stop()
