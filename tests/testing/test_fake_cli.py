"""`python -m lightnode_aio.testing`: start, serve one request, stop cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_command_serves_until_signalled(signum: signal.Signals) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONWARNINGS="error")
    command = [
        sys.executable,
        "-m",
        "lightnode_aio.testing",
        "--port",
        "0",
        "--token",
        "cli-token",
        "--task-duration",
        "0.1",
        "--seed",
        "3",
    ]
    with subprocess.Popen(  # noqa: S603 - our own interpreter and module
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
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
