"""Running ``lightnode`` in process against the suite's fake.

``main`` runs its own event loop (``asyncio.Runner``), so each call runs in a
worker thread while the test's loop keeps serving the fake. The command's
client polls at test speed: the fake's tasks take milliseconds, and the
SDK's default first poll after a second would only make the suite slow.
"""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Awaitable, Callable
from typing import Any

import attrs
import pytest

from lightnode_aio.cli import _runtime, main
from lightnode_aio.testing import FakeLightNode
from tests.conftest import FAST_POLLING


@attrs.frozen
class Result:
    """What one ``lightnode`` run returned and printed."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        """Standard output, parsed as JSON."""
        return json.loads(self.out)


Run = Callable[..., Awaitable[Result]]


@pytest.fixture
def cli(
    fake: FakeLightNode,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Run:
    """Runs ``lightnode ARGS...`` against the fake and captures its output.

    Every run is also checked never to print the token.
    """
    monkeypatch.setenv("LIGHTNODE_TOKEN", fake.token)
    monkeypatch.setenv("LIGHTNODE_BASE_URL", fake.url)
    monkeypatch.setattr(_runtime, "POLLING", FAST_POLLING)

    async def run(*argv: str) -> Result:
        capsys.readouterr()
        code = await asyncio.to_thread(main, list(argv))
        out, err = capsys.readouterr()
        assert fake.token not in out + err
        return Result(code, out, err)

    return run


class TerminalInput(io.StringIO):
    """Standard input as a terminal a person types ``answers`` into."""

    def isatty(self) -> bool:
        return True


def mutations(fake: FakeLightNode) -> list[str]:
    """The paths of every change the fake was asked for."""
    return [request.path for request in fake.requests if request.method == "POST"]
