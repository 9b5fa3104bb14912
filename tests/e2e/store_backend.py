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
import json
import os
import re
import secrets
import sqlite3
from pathlib import Path
from typing import Optional

from targets import LOOPBACK, PG_BIN, PostgresTarget, _clean_env, _run

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

    # Appended to postgresql.conf, where later lines win; subclasses add to it.
    CONF = ("# psafe e2e store\nlog_statement = 'none'\nlog_connections = off\n"
            "log_disconnections = off\nmax_connections = 400\n")

    def _prepare(self) -> None:
        super()._prepare()
        with open(self.pgdata / "postgresql.conf", "a") as f:
            f.write("\n" + self.CONF)

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

    def dump(self, dbname: str) -> bytes:
        """A plain-SQL pg_dump of dbname (every row, as a backup would hold it), bytea decoded."""
        res = _run([PG_BIN / "pg_dump", "--no-password", "-h", self.socket_dir,
                    "-p", str(self.port), "-U", self.ADMIN, "-d", dbname],
                   env=_clean_env(HOME=str(self.dir)), what="pg_dump")
        # bytea columns dump as hex: decode them too, so a plaintext stored in one is found.
        decoded = b"\n".join(bytes.fromhex(h) for h in re.findall(r"\\x((?:[0-9a-f]{2})+)", res.stdout))
        return res.stdout.encode() + b"\n" + decoded

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


# --- reading and tampering with a data dir's store, on either backend --------------------

def _pg_literal(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return "'\\x" + bytes(value).hex() + "'::bytea"
    if isinstance(value, str):
        return PostgresTarget._literal(value)
    raise TypeError(f"no PostgreSQL literal for {type(value).__name__}")


def _pg_statement(sql: str, args) -> str:
    """`?` placeholders (sqlite3's) filled with literals, in order; the harness's own SQL only."""
    parts = sql.split("?")
    if len(parts) != len(args) + 1:
        raise ValueError(f"{len(parts) - 1} placeholders for {len(args)} arguments")
    out = parts[0]
    for value, rest in zip(args, parts[1:]):
        out += _pg_literal(value) + rest
    return out


def _pg_value(v):
    if isinstance(v, str) and v.startswith("\\x"):
        try:
            return bytes.fromhex(v[2:])
        except ValueError:
            return v
    return v


def query(data_dir: Path, sql: str, args=()) -> list[tuple]:
    """Rows of `sql` against the store of data_dir, as sqlite3 would return them (bytea as bytes)."""
    if ACTIVE is None:
        con = sqlite3.connect(str(Path(data_dir) / "psafe.db"))
        try:
            return con.execute(sql, args).fetchall()
        finally:
            con.close()
    # row_to_json keeps the column order and the types JSON has (numbers, text, null).
    wrapped = ("SET standard_conforming_strings = on;\n"
               f"SELECT COALESCE(json_agg(row_to_json(q)), '[]') FROM ({_pg_statement(sql, args)}) q;\n")
    out = ACTIVE.admin_sql(wrapped, dbname=ACTIVE.database_for(data_dir)).strip()
    return [tuple(_pg_value(v) for v in row.values()) for row in json.loads(out)]


def execute(data_dir: Path, sql: str, args=()) -> None:
    """Runs one writing statement against the store of data_dir and commits it."""
    if ACTIVE is None:
        con = sqlite3.connect(str(Path(data_dir) / "psafe.db"))
        try:
            con.execute(sql, args)
            con.commit()
        finally:
            con.close()
        return
    ACTIVE.admin_sql("SET standard_conforming_strings = on;\n" + _pg_statement(sql, args) + ";\n",
                     dbname=ACTIVE.database_for(data_dir))


def stored_bytes(data_dir: Path) -> dict[str, bytes]:
    """Everything the store holds for data_dir, by where it lives: SQLite's psafe.db and its
    -wal/-shm; for PostgreSQL, a plain pg_dump of the database (live rows; the cluster's WAL
    and dead tuples are not searched)."""
    if ACTIVE is None:
        return {p.name: p.read_bytes() for p in Path(data_dir).iterdir() if p.name.startswith("psafe.db")}
    return {"pg_dump": ACTIVE.dump(ACTIVE.database_for(data_dir))}


def holding(data_dir: Path, needles: dict[str, bytes]) -> list[tuple[str, str]]:
    """(where, needle name) for every needle found in what the store holds for data_dir."""
    return [(where, name) for where, blob in stored_bytes(data_dir).items()
            for name, needle in needles.items() if needle in blob]
