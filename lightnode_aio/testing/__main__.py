"""Serve the fake LightNode API from the command line.

    python -m lightnode_aio.testing [--host 127.0.0.1] [--port 8080]
        [--token TOKEN] [--task-duration S] [--seed N]

Prints two lines, ``url: http://…`` and ``token: …``, then serves until
SIGINT or SIGTERM and exits with status 0. The token is printed because the
fake is for local use only and a client needs it to talk to the fake.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Sequence

from ._server import FakeLightNode


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m lightnode_aio.testing",
        description="Serve a fake LightNode API on loopback.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind")
    parser.add_argument(
        "--port", type=int, default=8080, help="port to bind; 0 picks a free one"
    )
    parser.add_argument("--token", default=None, help="token; random when omitted")
    parser.add_argument(
        "--task-duration",
        type=float,
        default=0.2,
        metavar="S",
        help="seconds every task runs (default 0.2)",
    )
    parser.add_argument(
        "--seed", type=int, default=0, metavar="N", help="seed of the fake data"
    )
    return parser.parse_args(argv)


async def _serve(args: argparse.Namespace) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        # Windows has no loop signal handlers; Ctrl+C still ends the run
        # there through KeyboardInterrupt.
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)

    async with FakeLightNode(
        token=args.token,
        host=args.host,
        port=args.port,
        seed=args.seed,
        task_duration=args.task_duration,
    ) as fake:
        print(f"url: {fake.url}", flush=True)
        print(f"token: {fake.token}", flush=True)
        await stop.wait()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the fake until interrupted and return the exit status."""
    args = _parse(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
