"""Fixtures for the psafed end-to-end tests.

- `server`: one psafed shared by the whole session (fresh data dir, default config).
  Tests that use it create objects with unique names and never depend on order.
- `server_factory`: starts further psafed processes, each on its own data dir and
  optionally with a custom psafed.toml (limits, lockout, restarts...). Everything it
  starts is stopped when the test ends.
- `api`: a requests.Session for the shared server sending PS-Auth on every call.
- Secret hygiene (hygiene.py): when the session ends, every data dir and psafed log the
  suite produced is searched for every secret the suite sent or received.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Optional

import pytest

import hygiene
import store_backend
import support
from support import Credentials, Server
from targets import sshd_target, postgres_target, slapd_target, target_factory  # noqa: F401 (target-server fixtures)


def pytest_report_header(config):
    return f"psafed: {support.PSAFED}; store: {store_backend.STORE}"


def pytest_collection_modifyitems(config, items):
    """The real-target suites run once per CI run (the debug pass): the sanitizer passes
    set PSAFE_E2E_WITHOUT_REAL_TARGETS=1 (CMakePresets.json), which deselects them. They
    are reported as deselected, never skipped, and run everywhere else."""
    def dropped_here(item) -> bool:
        if os.environ.get("PSAFE_E2E_WITHOUT_REAL_TARGETS") == "1" and item.get_closest_marker("real_targets"):
            return True
        # What a test proves of one backend's files (the SQLite file, its WAL) runs on that backend.
        if store_backend.STORE != "sqlite" and item.get_closest_marker("sqlite_store") is not None:
            return True
        # Several nodes on one store need the PostgreSQL pass.
        return store_backend.STORE != "postgresql" and item.get_closest_marker("postgresql_store") is not None
    keep = [i for i in items if not dropped_here(i)]
    dropped = [i for i in items if dropped_here(i)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


def pytest_terminal_summary(terminalreporter):
    for line in support.REPORT:
        terminalreporter.write_line(line)
    dirs = hygiene.LEDGER.data_dirs()
    if dirs:
        terminalreporter.write_line(
            f"secret hygiene: {hygiene.LEDGER.secret_count()} secrets and the sentinel searched for "
            f"in {len(dirs)} data dirs and their psafed logs")


@pytest.fixture(scope="session", autouse=True)
def secret_hygiene():
    """Set up first, so torn down last: after every psafed has stopped and flushed."""
    yield
    failure = hygiene.sweep(hygiene.LEDGER)
    if failure:
        pytest.fail("secret hygiene: " + failure)


@pytest.fixture(scope="session", autouse=True)
def store_database(secret_hygiene, tmp_path_factory):
    """PSAFE_E2E_STORE=postgresql: one PostgreSQL for the session, a database per data dir."""
    if store_backend.STORE != "postgresql":
        yield None
        return
    db = store_backend.StoreDatabase(tmp_path_factory.mktemp("store-postgres"))
    db.start()
    store_backend.ACTIVE = db
    try:
        yield db
    finally:
        store_backend.ACTIVE = None
        db.stop()


@pytest.fixture(scope="session")
def psafed_bin() -> str:
    if not os.access(support.PSAFED, os.X_OK):
        pytest.fail(f"psafed binary not found at {support.PSAFED} (set PSAFED)")
    return support.PSAFED


@pytest.fixture(scope="session")
def server(tmp_path_factory, psafed_bin) -> Server:
    root = tmp_path_factory.mktemp("shared")
    data = root / "data"
    creds = support.init_data_dir(data)
    srv = support.start_server(data, creds)
    # The estate tests list accounts as the administrator, who may see only accounts
    # they hold a request role on.
    support.grant_admins_request_all(srv)
    try:
        yield srv
    finally:
        if srv.running:
            srv.stop()


@pytest.fixture
def api(server):
    s = server.admin()
    yield s
    s.close()


class ServerFactory:
    """Creates data dirs and starts psafed processes for one test."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.started: list[Server] = []
        self._n = 0

    def new_data_dir(self, env: Optional[dict] = None) -> tuple[Path, Credentials]:
        self._n += 1
        data = self.tmp_path / f"data{self._n}"
        return data, support.init_data_dir(data, env=env)

    def config(self, text: str, name: str = "custom.toml") -> Path:
        return support.write_config(self.tmp_path / name, text)

    def start(self, data: Optional[Path] = None, creds: Optional[Credentials] = None, *,
              config_text: Optional[str] = None, env: Optional[dict] = None,
              listen: str = "127.0.0.1:0") -> Server:
        """Starts psafed; with no data dir, initialises a fresh one first."""
        if data is None:
            data, creds = self.new_data_dir(env=env)
        cfg = self.config(config_text, f"config{len(self.started)}.toml") if config_text else None
        srv = support.start_server(data, creds, config=cfg, env=env, listen=listen)
        self.started.append(srv)
        return srv

    def start_nodes(self, count: int, *, config_text: Optional[str] = None,
                    env: Optional[dict] = None) -> list[Server]:
        """`count` psafed nodes on one store (PostgreSQL): the first data dir is initialised,
        the others are copies of it (master key, TLS material, config) naming its database."""
        if store_backend.ACTIVE is None:
            raise RuntimeError("several nodes share a PostgreSQL store: PSAFE_E2E_STORE=postgresql")
        first, creds = self.new_data_dir()
        dirs = [first]
        for i in range(2, count + 1):
            copy = first.with_name(f"{first.name}-node{i}")
            shutil.copytree(first, copy)
            store_backend.ACTIVE.share(copy, first)
            dirs.append(copy)
        return [self.start(d, creds, config_text=config_text, env=env) for d in dirs]

    def close(self) -> None:
        errors = []
        for srv in self.started:
            try:
                if srv.running:
                    srv.stop()
            except Exception as e:  # keep stopping the others
                errors.append(e)
                srv.kill()
        if errors:
            raise errors[0]


@pytest.fixture
def server_factory(tmp_path, psafed_bin):
    f = ServerFactory(tmp_path)
    try:
        yield f
    finally:
        f.close()
