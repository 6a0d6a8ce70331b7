"""Serve the fake LightNode API from the command line.

    python -m lightnode_aio.testing [--host 127.0.0.1] [--port 8080]
        [--token TOKEN] [--task-duration S] [--seed N] [--fleet N] [--stats]

Prints two lines, ``url: http://…`` and ``token: …``, then serves until
SIGINT or SIGTERM and exits with status 0. The token is printed because the
fake is for local use only and a client needs it to talk to the fake.

Two options serve the benchmarks. ``--fleet N`` adds a region of its own,
``bench-1`` with the one zone ``bench-1-a``, holding N stopped instances
named ``bench-00001`` onwards and nothing else, and prints a third line,
``fleet: REGION ZONE IMAGE``, with an image of that region to reinstall
with. ``--stats`` prints, after the signal, one more line ``stats: {...}``:
a JSON object of what the fake saw (see `_stats`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import statistics
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any, Final

from ._server import FakeLightNode

#: Where ``--fleet`` puts its instances: a region of their own, so that a
#: listing of the zone returns the fleet and nothing else.
FLEET_REGION: Final = "bench-1"
FLEET_ZONE: Final = "bench-1-a"


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
    parser.add_argument(
        "--fleet",
        type=int,
        default=0,
        metavar="N",
        help=(
            f"add N stopped instances bench-00001... in their own zone "
            f"{FLEET_ZONE} (region {FLEET_REGION}) and print 'fleet: REGION "
            "ZONE IMAGE'"
        ),
    )
    parser.add_argument(
        "--stats",
        action="store_true",
        help="on SIGINT or SIGTERM, print 'stats: {...}', what the fake saw, as JSON",
    )
    args = parser.parse_args(argv)
    if args.fleet < 0:
        parser.error("--fleet must be 0 or more")
    return args


def _add_fleet(fake: FakeLightNode, count: int) -> str:
    """Adds the ``--fleet`` region and its instances; returns the image id."""
    fake.add_region(FLEET_REGION, "Benchmark", [(FLEET_ZONE, "Benchmark Zone A")])
    fake.add_package(region=FLEET_REGION, zone=FLEET_ZONE, cpu=1, memory=1)
    image = fake.add_image(
        region=FLEET_REGION, name="Debian 12 64bit", distro="Debian 12"
    )
    for n in range(1, count + 1):
        fake.add_instance(
            region=FLEET_REGION,
            zone=FLEET_ZONE,
            name=f"bench-{n:05d}",
            status="STOPPED",
        )
    return str(image["imageResourceUUID"])


def _stats(fake: FakeLightNode) -> dict[str, Any]:
    """What the fake saw, for a benchmark to read.

    ``requests`` counts every request and ``by_path`` splits them by path;
    ``max_rate_1s`` is the most requests that arrived within any one second,
    and ``max_rate_10s`` the most within ten seconds, divided by ten;
    ``tasks`` counts the tasks started and ``finished`` those that ended;
    ``polls_per_task`` gives the median and the most ``getResult`` questions
    asked about one task; ``timeline`` gives, per path, when its first,
    median and last request arrived, in seconds after the first request.
    """
    tasks = list(fake.tasks.values())
    polls = [task.polls for task in tasks]
    arrivals: dict[str, list[float]] = defaultdict(list)
    for request in fake.requests:
        arrivals[request.path].append(request.time)
    start = min((request.time for request in fake.requests), default=0.0)
    return {
        "requests": len(fake.requests),
        "by_path": dict(Counter(request.path for request in fake.requests)),
        "max_rate_1s": fake.max_request_rate(1.0),
        "max_rate_10s": fake.max_request_rate(10.0),
        "tasks": len(tasks),
        "finished": sum(task.finished is not None for task in tasks),
        "polls_per_task": {
            "median": statistics.median(polls) if polls else 0,
            "max": max(polls, default=0),
        },
        "timeline": {
            path: {
                "first": round(min(times) - start, 3),
                "median": round(statistics.median(times) - start, 3),
                "last": round(max(times) - start, 3),
            }
            for path, times in arrivals.items()
        },
    }


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
        image = _add_fleet(fake, args.fleet) if args.fleet else None
        print(f"url: {fake.url}", flush=True)
        print(f"token: {fake.token}", flush=True)
        if image is not None:
            print(f"fleet: {FLEET_REGION} {FLEET_ZONE} {image}", flush=True)
        await stop.wait()
        if args.stats:
            print(f"stats: {json.dumps(_stats(fake))}", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the fake until interrupted and return the exit status."""
    args = _parse(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
