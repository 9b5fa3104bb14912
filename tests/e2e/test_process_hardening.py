"""What the operating system would see of psafed's and psrun2's secrets: no core dumps,
key memory excluded from dumps, and no secret in psrun2's argv (docs/SECURITY.md)."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import hygiene
from support import PSRUN2


def core_limit(pid: int) -> tuple[str, str]:
    """(soft, hard) of "Max core file size" in /proc/<pid>/limits."""
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max core file size"):
            soft, hard = line.split()[4:6]
            return soft, hard
    raise AssertionError("no core limit line")


def dont_dump_regions(pid: int) -> int:
    """Mappings flagged "dd" (MADV_DONTDUMP) in /proc/<pid>/smaps."""
    return sum(1 for line in Path(f"/proc/{pid}/smaps").read_text().splitlines()
               if line.startswith("VmFlags:") and " dd" in f" {line[8:]} ")


def test_psafed_cannot_dump_core_and_keeps_keys_out_of_dumps(server):
    pid = server.proc.pid
    assert core_limit(pid) == ("0", "0")
    # The keyring's keys live in sodium_malloc memory, which is madvise(MADV_DONTDUMP).
    assert dont_dump_regions(pid) >= 1


def test_psrun2_wipes_its_secrets_from_argv_and_cannot_dump_core(tmp_path):
    key = hygiene.sentinel_secret("-key").replace(" ", "").replace('"', "")
    password = hygiene.sentinel_secret("-pw").replace(" ", "").replace('"', "")
    # A listener that accepts and never answers: psrun2 stays in its TLS handshake, after
    # parsing its arguments, long enough to be inspected.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(30)
    port = listener.getsockname()[1]
    proc = subprocess.Popen([PSRUN2, f"127.0.0.1:{port}", key, f"admin;pwd=[{password}]", "ListRoles"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        conn, _ = listener.accept()
        time.sleep(0.2)  # the TLS ClientHello is on its way: parsing is long done
        cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes()
        assert b"ListRoles" in cmdline, cmdline  # still the real argv
        assert key.encode() not in cmdline
        assert password.encode() not in cmdline
        assert hygiene.SENTINEL.encode() not in cmdline
        assert core_limit(proc.pid) == ("0", "0")
        # And the environment never held them either.
        assert hygiene.SENTINEL.encode() not in Path(f"/proc/{proc.pid}/environ").read_bytes()
        conn.close()
    finally:
        proc.kill()
        proc.wait(timeout=10)
        proc.stderr.close()
        listener.close()
