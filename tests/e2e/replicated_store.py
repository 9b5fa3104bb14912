"""A PostgreSQL primary with a synchronous standby, for the failover test of several psafed
nodes (test_store_failover.py). Both from Debian's postgresql-15 on loopback; the standby is
a pg_basebackup of the primary streaming from it, and the primary's commits wait until the
standby has the WAL (synchronous_commit = on, synchronous_standby_names = the standby), so a
commit a client saw acknowledged survives the primary's loss and a promotion.

psafed reaches the pair with one multi-host URL (`url_for`): libpq tries the hosts in order
and keeps the one that accepts writes (target_session_attrs=read-write).
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Optional

from store_backend import StoreDatabase
from targets import LOOPBACK, PG_BIN, PostgresTarget, TargetError, _run

STANDBY_NAME = "psafe_standby"


class PrimaryStore(StoreDatabase):
    kind = "store-primary"

    CONF = StoreDatabase.CONF + ("# primary of a synchronous pair\nwal_level = replica\nmax_wal_senders = 4\n"
                                 "synchronous_commit = on\nwal_keep_size = 256MB\n")

    def _prepare(self) -> None:
        super()._prepare()
        with open(self.pgdata / "pg_hba.conf", "a") as f:
            f.write("local replication all trust\n")

    def require_synchronous(self) -> None:
        """From now on a commit returns only once the standby has flushed it."""
        self.admin_sql(f"ALTER SYSTEM SET synchronous_standby_names = '{STANDBY_NAME}';\nSELECT pg_reload_conf();\n")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            state = self.admin_sql("SELECT sync_state FROM pg_stat_replication "
                                   f"WHERE application_name = '{STANDBY_NAME}';\n").strip()
            if state == "sync":
                return
            time.sleep(0.1)
        raise TargetError("the standby did not become synchronous within 30 s")

    def crash(self) -> None:
        """Stops the primary as a crash would (immediate: no checkpoint, every session cut)."""
        _run([PG_BIN / "pg_ctl", "stop", "-D", self.pgdata, "-m", "immediate", "-w"],
             what="pg_ctl stop -m immediate", **self._popen_kw())
        self.proc.wait(timeout=30)


class StandbyStore(PostgresTarget):
    """A hot standby of `primary` (pg_basebackup -R), streaming as STANDBY_NAME."""

    kind = "store-standby"

    def __init__(self, primary: PrimaryStore, workdir: Optional[Path] = None):
        super().__init__(workdir)
        self.primary = primary
        self.admin_password = primary.admin_password

    def _prepare(self) -> None:
        self._make_cluster_dir("psafe-pg-standby-")
        p = self.primary
        _run([PG_BIN / "pg_basebackup", "-h", p.socket_dir, "-p", str(p.port), "-U", p.ADMIN, "-D", self.pgdata,
              "-R", "-X", "stream", "--no-sync", "-c", "fast"],
             what="pg_basebackup", cwd=self.cluster_dir, **self._popen_kw())
        # postgresql.auto.conf is read last: what it says wins over the copied postgresql.conf.
        with open(self.pgdata / "postgresql.auto.conf", "a") as f:
            f.write(f"\nport = {self.port}\nunix_socket_directories = '{self.socket_dir}'\n"
                    f"primary_conninfo = 'host={p.socket_dir} port={p.port} user={p.ADMIN} "
                    f"application_name={STANDBY_NAME}'\nhot_standby = on\n")

    def _ready_marker(self) -> str:
        return "database system is ready to accept read-only connections"

    def _after_first_start(self) -> None:
        pass  # roles and databases come from the primary

    def promote(self) -> float:
        """pg_ctl promote; returns once it accepts writes (seconds it took)."""
        t0 = time.monotonic()
        _run([PG_BIN / "pg_ctl", "promote", "-D", self.pgdata, "-w"], what="pg_ctl promote", **self._popen_kw())
        while self.admin_sql("SELECT pg_is_in_recovery();\n").strip() != "f":
            if time.monotonic() - t0 > 30:
                raise TargetError("the standby was not promoted within 30 s")
            time.sleep(0.05)
        return time.monotonic() - t0


def url_for(primary: PrimaryStore, standby: StandbyStore, dbname: str) -> str:
    return (f"postgresql://{primary.ROLE}@{LOOPBACK}:{primary.port},{LOOPBACK}:{standby.port}/{dbname}"
            "?sslmode=disable&connect_timeout=2&target_session_attrs=read-write")
