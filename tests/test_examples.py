"""The examples run on a fresh machine: no token, the built-in fake."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _run(script: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIGHTNODE_")}
    return subprocess.run(  # noqa: S603 (our own example, by path)
        [sys.executable, str(EXAMPLES / script)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.timeout(150)
def test_quickstart_prints_regions_plans_and_servers() -> None:
    done = _run("quickstart.py")

    assert done.returncode == 0, done.stderr
    assert "built-in fake" in done.stdout
    assert "ru-moscow-1" in done.stdout
    assert "Plans in Moscow" in done.stdout
    assert "Servers in every zone (135)" in done.stdout
    assert done.stderr == ""


@pytest.mark.timeout(150)
def test_fleet_reinstall_reinstalls_a_zone() -> None:
    done = _run("fleet_reinstall.py")

    assert done.returncode == 0, done.stderr
    assert "Reinstalling 3 servers in tr-ist-1-a" in done.stdout
    assert "3 reinstalled, 0 failed" in done.stdout
