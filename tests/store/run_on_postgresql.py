#!/usr/bin/env python3
"""Runs unit-test binaries again with the store on PostgreSQL 15.

Starts one PostgreSQL for the run (initdb in a temp dir, on loopback, from Debian's
postgresql-15, as the e2e suite's store: tests/e2e/store_backend.py), lets its role create
databases, and runs each binary with PSAFE_TEST_STORE_URL naming the server: every StoreEnv
then creates a database of its own (tests/fixtures/test_env.h). Tests of the SQLite file
itself (suites named Sqlite*) are filtered out here; they run in the binaries' own pass.
Exit status: non-zero when any binary fails, or when PostgreSQL cannot start (never a skip).

    run_on_postgresql.py BINARY...
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
import store_backend  # noqa: E402
from targets import LOOPBACK  # noqa: E402

SQLITE_ONLY = "Sqlite*"


def main(binaries: list[str]) -> int:
    if not binaries:
        print(__doc__, file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="psafe-unit-pg-") as work:
        db = store_backend.StoreDatabase(Path(work))
        db.start()
        try:
            db.admin_sql(f'ALTER ROLE "{db.ROLE}" CREATEDB;\n')
            env = dict(os.environ,
                       PSAFE_TEST_STORE_URL=f"postgresql://{db.ROLE}@{LOOPBACK}:{db.port}/",
                       PSAFE_STORE_PASSWORD=db.store_password)
            failed = []
            for binary in binaries:
                res = subprocess.run([binary, f"--gtest_filter=-{SQLITE_ONLY}"], env=env, stdin=subprocess.DEVNULL)
                if res.returncode != 0:
                    failed.append(Path(binary).name)
            if failed:
                print(f"on PostgreSQL: {', '.join(failed)} failed", file=sys.stderr)
            return 1 if failed else 0
        finally:
            db.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
