"""The psafed command line: init, serve's refusals, the master key, configuration."""

from __future__ import annotations

import json
import os
import re
import secrets

import pytest

import store_backend
import support
from support import run_cli

SERVE_FAIL_TIMEOUT = 15  # a serve that should refuse must not start serving instead


def serve_must_fail(data_dir, *extra, env=None):
    res = run_cli("serve", "--data-dir", str(data_dir), "--listen", "127.0.0.1:0", *extra,
                  env=env, timeout=SERVE_FAIL_TIMEOUT)
    assert "listening on" not in res.stdout
    return res


# --- init ----------------------------------------------------------------------------

def test_init_json_output_and_layout(tmp_path):
    data = tmp_path / "data"
    res = run_cli("init", "--data-dir", str(data), "--json")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert len(lines) == 1
    out = json.loads(lines[0])
    assert set(out) == {"url", "user", "password", "api_key", "client_id", "client_secret", "ca_cert"}
    assert re.match(r"^https://127\.0\.0\.1:\d+/BeyondTrust/api/public/v3$", out["url"])
    assert out["user"] == "admin"
    assert len(out["api_key"]) == 128
    assert len(out["client_id"]) == 36
    assert len(out["client_secret"]) == 48
    assert out["password"]
    assert os.path.samefile(out["ca_cert"], data / "tls/ca.pem")
    local = ["master.key", "psafed.toml", "tls/ca.pem", "tls/server.crt", "tls/server.key"]
    for f in local + ([] if store_backend.ACTIVE else ["psafe.db"]):
        assert (data / f).is_file(), f
    if store_backend.ACTIVE:  # the store is the database: the data dir keeps only what is per node
        assert not (data / "psafe.db").exists()
    assert (data / "master.key").stat().st_mode & 0o777 == 0o600


def test_init_secrets_differ_between_data_dirs(tmp_path):
    a = support.init_data_dir(tmp_path / "a")
    b = support.init_data_dir(tmp_path / "b")
    assert a.api_key != b.api_key
    assert a.password != b.password
    assert a.client_secret != b.client_secret
    assert (tmp_path / "a/master.key").read_bytes() != (tmp_path / "b/master.key").read_bytes()


def test_init_twice_fails_and_keeps_the_first(server_factory):
    data, creds = server_factory.new_data_dir()
    key_before = (data / "master.key").read_bytes()
    res = run_cli("init", "--data-dir", str(data), "--json")
    assert res.returncode != 0
    assert "already initialised" in res.stderr
    assert res.stdout.strip() == ""
    assert (data / "master.key").read_bytes() == key_before
    srv = server_factory.start(data, creds)  # the first credentials still work
    assert srv.signed_in().get(srv.url("ManagedSystems"), timeout=10).status_code == 200


# --- serve refusals ------------------------------------------------------------------

@pytest.mark.parametrize("make_dir", [True, False], ids=["empty-dir", "missing-dir"])
def test_serve_on_uninitialised_dir_fails_clearly(tmp_path, make_dir):
    data = tmp_path / "data"
    if make_dir:
        data.mkdir()
    res = serve_must_fail(data)
    assert res.returncode == 1
    assert "not initialised" in res.stderr
    assert "psafed init" in res.stderr


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
def test_serve_refuses_a_master_key_readable_by_others(server_factory, mode):
    data, _ = server_factory.new_data_dir()
    os.chmod(data / "master.key", mode)
    res = serve_must_fail(data)
    assert res.returncode == 1
    assert "chmod" in res.stderr


def test_serve_refuses_plain_http_on_non_loopback(server_factory):
    data, _ = server_factory.new_data_dir()
    cfg = server_factory.config("[tls]\nenabled = false\n")
    res = run_cli("serve", "--data-dir", str(data), "--config", str(cfg), "--listen", "0.0.0.0:0",
                  timeout=SERVE_FAIL_TIMEOUT)
    assert res.returncode == 1
    assert "loopback" in res.stderr


@pytest.mark.parametrize("text,word", [
    ("[limits]\nmax_header_bytes = 512\n", "max_header_bytes"),
    ("[limits]\nmax_body_bytes = 10\n", "max_body_bytes"),
    ("[auth]\nlockout_threshold = 0\n", "lockout_threshold"),
    ("listen = \"nonsense\"\n", "listen"),
    ("[limits\n", "config"),
], ids=["header-min", "body-min", "lockout-min", "bad-listen", "toml-syntax"])
def test_serve_rejects_invalid_config(server_factory, text, word):
    data, _ = server_factory.new_data_dir()
    cfg = server_factory.config(text)
    res = run_cli("serve", "--data-dir", str(data), "--config", str(cfg), timeout=SERVE_FAIL_TIMEOUT)
    assert res.returncode == 1
    assert word in res.stderr


def test_serve_with_missing_config_file_fails(server_factory, tmp_path):
    data, _ = server_factory.new_data_dir()
    res = serve_must_fail(data, "--config", str(tmp_path / "absent.toml"))
    assert res.returncode == 1
    assert "absent.toml" in res.stderr


def test_data_dir_psafed_toml_is_used_by_default(server_factory):
    data, creds = server_factory.new_data_dir()
    text = (data / "psafed.toml").read_text()
    text, n = re.subn(r"(?m)^max_header_bytes = \d+", "max_header_bytes = 2048", text)
    assert n == 1, "the generated psafed.toml has no max_header_bytes line"
    (data / "psafed.toml").write_text(text)
    srv = server_factory.start(data, creds)
    r = srv.admin().get(srv.url("ManagedSystems"), headers={"X-Padding": "z" * 3000}, timeout=10)
    assert r.status_code == 431


# --- PSAFE_MASTER_KEY ----------------------------------------------------------------

def test_master_key_from_environment(server_factory):
    env = {"PSAFE_MASTER_KEY": secrets.token_hex(32)}
    data, creds = server_factory.new_data_dir(env=env)
    assert not (data / "master.key").exists(), "init wrote master.key although PSAFE_MASTER_KEY was set"

    srv = server_factory.start(data, creds, env=env)
    api = srv.signed_in()
    wg = support.create_workgroup(api, srv)
    system = support.create_system(api, srv, wg["ID"])
    support.create_account(api, srv, system["ManagedSystemID"], password="env-key-secret")
    api.close()
    assert srv.stop() == 0

    # Without the key, or with another one, psafed refuses to start.
    res = serve_must_fail(data)
    assert res.returncode == 1
    assert "master key" in res.stderr
    res = serve_must_fail(data, env={"PSAFE_MASTER_KEY": secrets.token_hex(32)})
    assert res.returncode == 1

    # With the same key it starts again and the data is there.
    srv = server_factory.start(data, creds, env=env)
    r = srv.admin().get(srv.url(f"ManagedSystems/{system['ManagedSystemID']}/ManagedAccounts"), timeout=10)
    assert r.status_code == 200 and len(r.json()) == 1


@pytest.mark.parametrize("value", ["abc", "zz" * 32, "00" * 31])
def test_invalid_master_key_environment_is_refused_at_init(tmp_path, value):
    res = run_cli("init", "--data-dir", str(tmp_path / "data"), "--json", env={"PSAFE_MASTER_KEY": value})
    assert res.returncode != 0
    assert "64 hexadecimal" in res.stderr
    assert res.stdout.strip() == ""
    assert not (tmp_path / "data/psafe.db").exists()
    # The failed attempt leaves nothing that blocks a correct init.
    ok = run_cli("init", "--data-dir", str(tmp_path / "data"), "--json")
    assert ok.returncode == 0, ok.stderr
