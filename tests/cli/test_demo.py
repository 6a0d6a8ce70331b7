"""``lightnode demo``: the main job, end to end, with no token or network."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from lightnode_aio.cli import main


@pytest.fixture(autouse=True)
def no_account(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo must not need a token, nor use a real API's address."""
    monkeypatch.delenv("LIGHTNODE_TOKEN", raising=False)
    monkeypatch.setenv("LIGHTNODE_BASE_URL", "https://unreachable.invalid")


def test_demo_runs_every_phase_and_prints_a_summary(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["demo", "--count", "3", "--task-duration", "0.05"])

    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert code == 0
    assert lines[0].startswith("LightNode demo: a fake API at http://127.0.0.1:")
    assert [line.split()[0] for line in lines[1:5]] == [
        "create",
        "reinstall",
        "stop",
        "delete",
    ]
    assert all("3 ok  0 failed  0 unknown" in line for line in lines[1:5])
    assert re.fullmatch(
        r"Summary: 12 operations, 0 failures, \d+ requests to the fake API, "
        r"\d+\.\d s wall time",
        lines[5],
    )
    assert "create: [3/3] demo-03 succeeded" in err


def test_demo_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["demo", "--count", "2", "--task-duration", "0.05", "--json"])

    summary = json.loads(capsys.readouterr().out)
    assert code == 0
    assert summary["operations"] == 8
    assert summary["failures"] == 0
    assert summary["requests"] > 8
    assert [p["name"] for p in summary["phases"]] == [
        "create",
        "reinstall",
        "stop",
        "delete",
    ]
    assert all(p["succeeded"] == 2 for p in summary["phases"])


@pytest.mark.timeout(90)
def test_python_m_lightnode_aio_demo_completes() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIGHTNODE_")}

    done = subprocess.run(
        [sys.executable, "-m", "lightnode_aio", "demo"],
        capture_output=True,
        text=True,
        env=env,
        timeout=80,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert "Summary: 80 operations, 0 failures, " in done.stdout
    assert "Traceback" not in done.stderr
