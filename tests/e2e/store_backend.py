"""The database psafed stores in during the e2e suite.

PSAFE_E2E_STORE=sqlite (the default) leaves every psafed on its embedded SQLite file.
PSAFE_E2E_STORE=postgresql starts one PostgreSQL 15 for the session (initdb in a temp dir,
on loopback, from Debian's postgresql-15) and gives each data dir a database of its own:
`psafed init` and `psafed serve` on that dir get PSAFE_STORE_URL naming it and
PSAFE_STORE_PASSWORD (never on a command line). Nodes sharing one database share a data dir's
copy: `share(copy, original)` names the original's database for the copy.
"""
from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path
from typing import Optional

from targets import LOOPBACK, PostgresTarget

STORE = os.environ.get("PSAFE_E2E_STORE", "sqlite")
if STORE not in ("sqlite", "postgresql"):
    raise RuntimeError(f"PSAFE_E2E_STORE must be sqlite or postgresql, not {STORE!r}")


class StoreDatabase(PostgresTarget):
    """A PostgresTarget tuned as psafed's store: no statement log (psafed's traffic is
    ciphertext and hashes; a log of it helps no test), room for many pools."""

    kind = "store-postgres"
    ROLE = "psafe_store"

    def __init__(self, workdir: Optional[Path] = None):
        super().__init__(workdir)
        self.store_password = "store-" + secrets.token_urlsafe(24)
        self._databases: dict[str, str] = {}

    def _prepare(self) -> None:
        super()._prepare()
        with open(self.pgdata / "postgresql.conf", "a") as f:  # later lines win
            f.write("\n# psafe e2e store\nlog_statement = 'none'\nlog_connections = off\n"
                    "log_disconnections = off\nmax_connections = 400\n")

    def _after_first_start(self) -> None:
        super()._after_first_start()
        self.create_role(self.ROLE, self.store_password)

    def database_for(self, data_dir: Path) -> str:
        key = str(Path(data_dir).resolve())
        if key not in self._databases:
            name = "psafe_" + hashlib.sha256(key.encode()).hexdigest()[:20]
            self.admin_sql(f'CREATE DATABASE "{name}" OWNER "{self.ROLE}";\n')
            self._databases[key] = name
        return self._databases[key]

    def share(self, copy: Path, original: Path) -> None:
        self._databases[str(Path(copy).resolve())] = self.database_for(original)

    def env_for(self, data_dir: Path) -> dict:
        url = (f"postgresql://{self.ROLE}@{LOOPBACK}:{self.port}/{self.database_for(data_dir)}"
               "?sslmode=disable&connect_timeout=5")
        return {"PSAFE_STORE_URL": url, "PSAFE_STORE_PASSWORD": self.store_password}


ACTIVE: Optional[StoreDatabase] = None  # set by conftest's session fixture


def env_for(data_dir: Optional[Path]) -> dict:
    """What psafed on `data_dir` needs in its environment to reach its store."""
    if ACTIVE is None or data_dir is None:
        return {}
    return ACTIVE.env_for(data_dir)
