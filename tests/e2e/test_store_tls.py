"""How psafed reaches its PostgreSQL store: the password from store.password_file or the
environment, never a command line; and TLS. With `sslmode=verify-full&sslrootcert=CA` in
store.url, psafed talks to the database only over TLS to a server whose certificate chains
to that CA and names the host it dialled; a wrong CA or a wrong name is refused with a clear
message (and no password in it), and the server here refuses any connection without TLS.

Runs on the PostgreSQL pass (PSAFE_E2E_STORE=postgresql); deselected, never skipped, on SQLite.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

import store_backend
import support
from support import openssl
from store_backend import StoreDatabase
from targets import LOOPBACK

pytestmark = pytest.mark.postgresql_store


def make_ca(directory: Path, name: str) -> Path:
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", f"/CN={name}", "-keyout", f"{name}.key", "-out", f"{name}.pem", cwd=directory)
    return directory / f"{name}.pem"


class TlsStoreDatabase(StoreDatabase):
    """The store with ssl = on, a certificate for IP 127.0.0.1 only (issued by `ca`), and
    TCP connections without TLS refused (hostssl)."""

    kind = "store-tls"

    def _prepare(self) -> None:
        super()._prepare()
        certs = self.cluster_dir / "certs"
        certs.mkdir()
        self.ca = make_ca(certs, "store-ca")
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", f"/CN={LOOPBACK}",
                "-keyout", "server.key", "-out", "server.csr", cwd=certs)
        (certs / "san.ext").write_text(f"subjectAltName=IP:{LOOPBACK}\n")
        openssl("x509", "-req", "-in", "server.csr", "-CA", "store-ca.pem", "-CAkey", "store-ca.key",
                "-CAcreateserial", "-days", "2", "-out", "server.crt", "-extfile", "san.ext", cwd=certs)
        for f in certs.iterdir():
            os.chmod(f, 0o600)
            if self._owner:
                os.chown(f, *self._owner)
        os.chmod(certs, 0o755)
        with open(self.pgdata / "postgresql.conf", "a") as f:
            f.write(f"\nssl = on\nssl_cert_file = '{certs / 'server.crt'}'\nssl_key_file = '{certs / 'server.key'}'\n"
                    "ssl_min_protocol_version = 'TLSv1.2'\n")
        hba = (self.pgdata / "pg_hba.conf").read_text().replace("\nhost ", "\nhostssl ")
        (self.pgdata / "pg_hba.conf").write_text(hba)


@pytest.fixture
def tls_store(tmp_path):
    db = TlsStoreDatabase(tmp_path / "store-tls")
    db.start()
    try:
        # The CA file must be readable by psafed (this user): a copy outside the cluster dir.
        db.client_ca = tmp_path / "store-ca.pem"
        db.client_ca.write_bytes(db.ca.read_bytes())
        yield db
    finally:
        db.stop()


def store_env(db, data_dir: Path, host: str = LOOPBACK, query: str = "") -> dict:
    name = db.database_for(data_dir)
    return {"PSAFE_STORE_URL": f"postgresql://{db.ROLE}@{host}:{db.port}/{name}?connect_timeout=5{query}",
            "PSAFE_STORE_PASSWORD": db.store_password}


def test_verify_full_connects_only_over_tls_to_the_named_server(server_factory, tls_store, tmp_path):
    db = tls_store
    verify_full = f"&sslmode=verify-full&sslrootcert={db.client_ca}"
    data = tmp_path / "node"
    env = store_env(db, data, query=verify_full)
    creds = support.init_data_dir(data, env=env)
    srv = server_factory.start(data, creds, env=env)
    assert srv.admin().get(srv.url("ManagedSystems"), timeout=10).status_code == 200
    health = srv.session().get(srv.root + "/health", timeout=10).json()
    assert health["store"]["writable"] is True, health
    # Every connection psafed holds is encrypted.
    rows = db.admin_sql("SELECT s.ssl, s.version FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) "
                        "WHERE a.application_name = 'psafed';\n").split()
    assert rows and all(r.startswith("t|TLSv1.") for r in rows), rows

    other_ca = make_ca(tmp_path, "other-ca")
    cases = {
        "another CA": (store_env(db, data, query=f"&sslmode=verify-full&sslrootcert={other_ca}"),
                       "certificate verify failed"),
        "another name": (store_env(db, data, host="localhost", query=verify_full), "does not match host name"),
        "no TLS": (store_env(db, data, query="&sslmode=disable"), "no encryption"),
    }
    for what, (bad_env, message) in cases.items():
        res = support.run_cli("migrate", "--data-dir", str(data), env=bad_env)
        assert res.returncode != 0 and message in res.stderr, (what, res.stderr)
        assert db.store_password not in res.stderr + res.stdout, what


def test_the_store_password_comes_from_password_file_before_the_environment(server_factory, tmp_path):
    """[store] password_file wins over PSAFE_STORE_PASSWORD; neither is ever on a command line."""
    db = store_backend.ACTIVE
    data, creds = server_factory.new_data_dir()
    good = tmp_path / "store.password"
    good.write_text(db.store_password + "\n")
    good.chmod(0o600)
    wrong_env = {"PSAFE_STORE_PASSWORD": support.unique("not-it")}
    srv = server_factory.start(data, creds, env=wrong_env, config_text=f'[store]\npassword_file = "{good}"\n')
    assert srv.admin().get(srv.url("ManagedSystems"), timeout=10).status_code == 200
    assert db.store_password.encode() not in open(f"/proc/{srv.proc.pid}/cmdline", "rb").read()
    srv.stop()
    bad = tmp_path / "bad.password"
    bad.write_text("not-the-password\n")
    cfg = server_factory.config(f'[store]\npassword_file = "{bad}"\n', "bad.toml")
    res = support.run_cli("migrate", "--data-dir", str(data), "--config", str(cfg))
    assert res.returncode != 0 and "password authentication failed" in res.stderr, res.stderr
    missing = server_factory.config(f'[store]\npassword_file = "{tmp_path / "none"}"\n', "missing.toml")
    res = support.run_cli("migrate", "--data-dir", str(data), "--config", str(missing))
    assert res.returncode != 0 and "cannot read the store password file" in res.stderr, res.stderr
