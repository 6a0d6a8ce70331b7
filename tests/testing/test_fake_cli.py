"""`python -m lightnode_aio.testing`: start, serve, stop cleanly; the options
the benchmarks use (`--fleet`, `--stats`)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _call(url: str, path: str, body: dict[str, object] | None = None) -> Any:
    request = urllib.request.Request(  # noqa: S310 - a loopback http URL
        url + path,
        data=None if body is None else json.dumps(body).encode(),
        headers={"x-open-token": "cli-token", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.load(response)


def _serve(*options: str) -> subprocess.Popen[str]:
    """Starts ``python -m lightnode_aio.testing`` on a free port with the
    token ``cli-token``, warnings as errors, and ``options``."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONWARNINGS="error")
    command = [
        sys.executable,
        "-m",
        "lightnode_aio.testing",
        "--port",
        "0",
        "--token",
        "cli-token",
        *options,
    ]
    return subprocess.Popen(  # noqa: S603 - our own interpreter and module
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_command_serves_until_signalled(signum: signal.Signals) -> None:
    with _serve("--task-duration", "0.1", "--seed", "3") as process:
        assert process.stdout is not None
        url_line = process.stdout.readline().strip()
        token_line = process.stdout.readline().strip()
        url = url_line.removeprefix("url: ")
        request = urllib.request.Request(  # noqa: S310 - a loopback http URL
            f"{url}/region/list", headers={"x-open-token": "cli-token"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            status = response.status
            body = json.load(response)

        process.send_signal(signum)
        _, stderr = process.communicate(timeout=20)

    assert url_line.startswith("url: http://127.0.0.1:")
    assert token_line == "token: cli-token"
    assert status == 202
    assert body["rowCount"] == 5
    assert process.returncode == 0
    assert stderr == ""


def test_fleet_and_stats_options() -> None:
    with _serve("--task-duration", "0.05", "--fleet", "3", "--stats") as process:
        assert process.stdout is not None
        url = process.stdout.readline().strip().removeprefix("url: ")
        process.stdout.readline()
        fleet_line = process.stdout.readline().strip()
        _, region, zone, image = fleet_line.split()
        listing = _call(
            url, f"/instance/list?regionCode={region}&zoneCode={zone}&pageSize=50"
        )
        first = listing["instances"][0]["ecsResourceUUID"]
        submitted = _call(
            url,
            "/instance/reinstallSystem",
            {
                "ecsResourceUUID": first,
                "imageResourceUUID": image,
                "password": "Cli-2025-pass",
                "regionCode": region,
            },
        )
        for _ in range(2):
            _call(
                url, f"/asynctask/getResult?asyncTaskUUID={submitted['asyncTaskUUID']}"
            )

        process.send_signal(signal.SIGTERM)
        rest, stderr = process.communicate(timeout=20)

    assert fleet_line.startswith("fleet: bench-1 bench-1-a img-")
    assert listing["rowCount"] == 3
    assert [row["instanceName"] for row in listing["instances"]] == [
        "bench-00001",
        "bench-00002",
        "bench-00003",
    ]
    assert {row["ecsStatus"] for row in listing["instances"]} == {"STOPPED"}
    assert rest.startswith("stats: ")
    stats = json.loads(rest.removeprefix("stats: "))
    assert stats["requests"] == 4
    assert stats["by_path"] == {
        "/instance/list": 1,
        "/instance/reinstallSystem": 1,
        "/asynctask/getResult": 2,
    }
    assert stats["tasks"] == 1
    assert stats["polls_per_task"] == {"median": 2, "max": 2}
    assert 1 <= stats["max_rate_1s"] <= 4
    assert stats["timeline"]["/instance/list"]["first"] == 0
    assert process.returncode == 0
    assert stderr == ""
