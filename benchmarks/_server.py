"""The fake API in a process of its own, so the client's cost is measured alone.

:class:`FakeProcess` runs ``python -m lightnode_aio.testing --port 0 --stats``
(with ``--fleet N`` when asked), reads the ``url:``, ``token:`` and
``fleet:`` lines it prints, and on :meth:`FakeProcess.stop` sends SIGTERM and
reads the ``stats:`` line: what the fake saw (requests by path, the highest
rate over one-second windows, polls per task). Each section that changes the
fake's state starts a fresh one.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from types import TracebackType
from typing import Any, Self

import aiohttp

#: The token of every fake the benchmarks start.
TOKEN = "bench-token"


class FakeProcess:
    """A fake LightNode server in a child process.

    Args:
        fleet: Stopped instances to add in a zone of their own; 0 for none.
        task_duration: Seconds every task runs.
    """

    def __init__(self, *, fleet: int = 0, task_duration: float = 2.0) -> None:
        self.fleet = fleet
        self.task_duration = task_duration
        self.url = ""
        self.token = TOKEN
        self.region = ""
        self.zone = ""
        self.image = ""
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> Self:
        command = [
            sys.executable,
            "-m",
            "lightnode_aio.testing",
            "--port",
            "0",
            "--token",
            self.token,
            "--task-duration",
            str(self.task_duration),
            "--stats",
        ]
        if self.fleet:
            command += ["--fleet", str(self.fleet)]
        self._process = subprocess.Popen(  # noqa: S603 - our interpreter and module
            command, stdout=subprocess.PIPE, text=True
        )
        self.url = self._line("url")
        self._line("token")
        if self.fleet:
            self.region, self.zone, self.image = self._line("fleet").split()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        process = self._process
        if process is not None and process.poll() is None:
            process.kill()
            process.communicate()

    def stop(self) -> dict[str, Any]:
        """Stops the fake and returns what it saw (its ``stats:`` line)."""
        process = self._require()
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=60)
        for line in out.splitlines():
            if line.startswith("stats: "):
                stats: dict[str, Any] = json.loads(line.removeprefix("stats: "))
                return stats
        raise RuntimeError(f"the fake exited ({process.returncode}) without stats")

    async def fleet_ids(self) -> list[str]:
        """The ids of the fleet, listed with plain aiohttp, page by page.

        The listing's requests show in the fake's stats under
        ``/instance/list``; the fleet runs send none, so they are told apart.
        """
        ids: list[str] = []
        async with aiohttp.ClientSession(headers={"x-open-token": self.token}) as s:
            page = 1
            while len(ids) < self.fleet:
                params: dict[str, str | int] = {
                    "regionCode": self.region,
                    "zoneCode": self.zone,
                    "page": page,
                    "pageSize": 50,
                }
                async with s.get(self.url + "/instance/list", params=params) as reply:
                    rows = (await reply.json())["instances"]
                if not rows:
                    break
                ids += [row["ecsResourceUUID"] for row in rows]
                page += 1
        return ids

    def _line(self, key: str) -> str:
        process = self._require()
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        if not line.startswith(f"{key}: "):
            raise RuntimeError(f"the fake printed {line!r}, expected '{key}: ...'")
        return line.removeprefix(f"{key}: ")

    def _require(self) -> subprocess.Popen[str]:
        if self._process is None:
            raise RuntimeError("the fake is not started")
        return self._process
