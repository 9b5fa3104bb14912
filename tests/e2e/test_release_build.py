"""A release psafed has no test hooks (docs/SECURITY.md, "Input handling").

The debug build honours PSAFE_CLOCK_OFFSET_FILE, which moves psafed's clock by the seconds
in a file: whoever can set psafed's environment could make tokens, sessions, lockouts and
requests expire, or never expire. The hook is compiled only when CMake sets
PSAFE_TEST_HOOKS (Debug builds). `.ci/run` builds the release preset and runs this file with
PSAFED_RELEASE=build/release/src/psafed; without it the file fails under CI and is skipped
only when CI is unset. The same steps against the debug build (PSAFED) are the control: they
show that the test can see the hook where it exists.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

import support

RELEASE = os.environ.get("PSAFED_RELEASE")
HOOK = "PSAFE_CLOCK_OFFSET_FILE"
TEN_YEARS = 10 * 365 * 24 * 3600


def release_psafed() -> str:
    """The release psafed under test; called inside each test so that a missing one is a
    failure of that test, not a fixture error."""
    if not RELEASE:
        if "CI" in os.environ:
            pytest.fail("PSAFED_RELEASE is not set: CI must run this file against a release psafed (.ci/run)")
        pytest.skip("PSAFED_RELEASE is not set (point it at a release build's psafed)")
    assert os.access(RELEASE, os.X_OK), f"PSAFED_RELEASE={RELEASE} is not an executable"
    return RELEASE


def bearer_status_after_a_clock_jump(server_factory, monkeypatch, binary: str, tmp_path: Path) -> tuple[int, str]:
    """Starts `binary` with the hook's variable naming an empty offset file, takes an OAuth
    token (valid one hour) and checks it works; then writes ten years into the file and
    uses the token again. Returns that last status and psafed's stderr."""
    monkeypatch.setattr(support, "PSAFED", binary)
    offset = tmp_path / f"offset-{Path(binary).parent.parent.name}"
    offset.write_text("")
    srv = server_factory.start(env={HOOK: str(offset)})
    s = srv.session()
    r = s.post(srv.url("Auth/connect/token"), timeout=10,
               data={"grant_type": "client_credentials", "client_id": srv.creds.client_id,
                     "client_secret": srv.creds.client_secret})
    assert r.status_code == 200, (r.status_code, r.text)
    bearer = {"Authorization": f"Bearer {r.json()['access_token']}"}
    assert s.get(srv.url("Workgroups"), headers=bearer, timeout=10).status_code == 200
    offset.write_text(str(TEN_YEARS))
    status = s.get(srv.url("Workgroups"), headers=bearer, timeout=10).status_code
    s.close()
    srv.stop()
    return status, srv.stderr_text()


def test_the_release_build_ignores_the_clock_offset_file(server_factory, monkeypatch, tmp_path):
    status, stderr = bearer_status_after_a_clock_jump(server_factory, monkeypatch, release_psafed(), tmp_path)
    assert status == 200, "the release build moved its clock: the token expired ten years early"
    assert "clock offset" not in stderr, stderr


def test_the_debug_build_honours_it_so_the_test_above_can_see_the_hook(server_factory, monkeypatch, tmp_path):
    release_psafed()  # only where the release build is tested
    status, stderr = bearer_status_after_a_clock_jump(server_factory, monkeypatch, support.PSAFED, tmp_path)
    assert status == 401, "the debug build's clock did not move: the test above would prove nothing"
    assert "clock offset file" in stderr, stderr


def test_the_release_build_does_not_know_the_variable():
    release = release_psafed()
    out = subprocess.run([release, "--help"], capture_output=True, text=True, timeout=30,
                         stdin=subprocess.DEVNULL)
    assert out.returncode == 0, out.stderr
    assert "PSAFE_MASTER_KEY" in out.stdout, out.stdout  # the help printed is the full one
    assert HOOK not in out.stdout + out.stderr, out.stdout
    # Not only unmentioned: the name is nowhere in the binary, so no code can read it.
    assert HOOK.encode() not in Path(release).read_bytes()
    debug = subprocess.run([support.PSAFED, "--help"], capture_output=True, text=True, timeout=30,
                           stdin=subprocess.DEVNULL)
    assert HOOK in debug.stdout, "control: the debug build lists its hook"


def test_the_release_build_has_no_crash_points():
    """PSAFE_TEST_CRASH_AT (common/crash_point.h) kills a debug psafed at a named step of a
    credential change, and PSAFE_TEST_HOLD_SYNC_FILE holds its store's syncer, for the
    fault-injection tests; a release psafed has no such code."""
    release = release_psafed()
    for hook in (b"PSAFE_TEST_CRASH_AT", b"PSAFE_TEST_HOLD_SYNC_FILE"):
        assert hook not in Path(release).read_bytes()
        assert hook in Path(support.PSAFED).read_bytes(), "control: the debug build has the hook"
