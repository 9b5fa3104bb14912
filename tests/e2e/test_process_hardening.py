"""What the operating system would see of psafed's and psrun2's secrets: no core dumps,
key memory excluded from dumps, and no secret in psrun2's argv (docs/SECURITY.md)."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

import hygiene
from support import PSRUN2


def core_limit(pid: int) -> tuple[str, str]:
    """(soft, hard) of "Max core file size" in /proc/<pid>/limits."""
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max core file size"):
            soft, hard = line.split()[4:6]
            return soft, hard
    raise AssertionError("no core limit line")


def small_dont_dump_regions(pid: int) -> int:
    """Mappings of at most 64 KiB flagged "dd" (MADV_DONTDUMP) in /proc/<pid>/smaps: what
    sodium_malloc makes for each key. (A sanitizer's shadow memory is also "dd", but huge.)"""
    count, size_kb = 0, None
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        if line.startswith("Size:"):
            size_kb = int(line.split()[1])
        elif line.startswith("VmFlags:") and " dd " in f" {line[8:]} " and size_kb is not None and size_kb <= 64:
            count += 1
    return count


def test_psafed_cannot_dump_core_and_keeps_keys_out_of_dumps(server):
    pid = server.proc.pid
    assert core_limit(pid) == ("0", "0")
    if os.geteuid() != 0:
        # PR_SET_DUMPABLE=0: even its own user may no longer read its memory map.
        with pytest.raises(PermissionError):
            Path(f"/proc/{pid}/smaps").read_text()
        return
    # The keyring's keys live in sodium_malloc memory, which is madvise(MADV_DONTDUMP).
    assert small_dont_dump_regions(pid) >= 1


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
        conn.close()
    finally:
        proc.kill()
        proc.wait(timeout=10)
        proc.stderr.close()
        listener.close()
