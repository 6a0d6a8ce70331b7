"""Profile the client side of one benchmark workload with cProfile.

    python benchmarks/profile_sdk.py WORKLOAD [--calls N] [--concurrency C]
        [--fleet N] [--top N]

WORKLOAD is one of ``get``, ``poll``, ``list`` (SDK calls against a fake in
another process, as in section 1), ``parse`` (the converter on 10,000
records, section 2) or ``fleet`` (reinstalls with raised limits, section 3).
Only this process is profiled: the fake's work does not show.

It prints where the time went, twice: by area (each ``lightnode_aio``
module, aiohttp, asyncio, cattrs and attrs generated code, the rest), as a
share of the profiled time spent in the functions of that area themselves;
and the functions with the most own time. Profiling slows Python code down
unevenly, so read shares, not absolute times.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import _calls
import _fleet
import _parsing
from _server import FakeProcess

from lightnode_aio import Instance, LightNode, Limits
from lightnode_aio._converter import structure_list


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python benchmarks/profile_sdk.py", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("workload", choices=("get", "poll", "list", "parse", "fleet"))
    parser.add_argument("--calls", type=int, default=2000, help="calls to profile")
    parser.add_argument("--concurrency", type=int, default=1, help="workers")
    parser.add_argument("--fleet", type=int, default=1000, help="reinstalls")
    parser.add_argument("--top", type=int, default=25, help="functions listed")
    return parser.parse_args(argv)


async def _calls_workload(args: argparse.Namespace, profiler: cProfile.Profile) -> None:
    with FakeProcess(fleet=50, task_duration=0.2) as fake:
        ids = await fake.fleet_ids()
        limits = Limits(max_in_flight=64, requests_per_second=1_000_000)
        async with LightNode(fake.token, base_url=fake.url, limits=limits) as ln:
            task = await ln.instances.reinstall(
                ids[-1], image=fake.image, password=_fleet.PASSWORD
            ).submitted()
            calls: dict[str, _calls.Call] = {
                "get": lambda: ln.instances.get(ids[0]),
                "poll": lambda: ln.tasks.get(task),
                "list": lambda: ln.instances.list(region=fake.region, zone=fake.zone),
            }
            call = calls[args.workload]
            await _calls._drive(call, args.concurrency, args.concurrency)
            profiler.enable()
            await _calls._drive(call, args.calls, args.concurrency)
            profiler.disable()


async def _fleet_workload(args: argparse.Namespace, profiler: cProfile.Profile) -> None:
    with FakeProcess(fleet=args.fleet, task_duration=2.0) as fake:
        ids = await fake.fleet_ids()
        async with LightNode(fake.token, base_url=fake.url, limits=_fleet.RAISED) as ln:
            profiler.enable()
            await asyncio.gather(
                *(
                    ln.instances.reinstall(
                        i, image=fake.image, password=_fleet.PASSWORD
                    )
                    for i in ids
                )
            )
            profiler.disable()
        fake.stop()


def _area(filename: str) -> str:
    if "/lightnode_aio/" in filename:
        return "lightnode_aio/" + filename.split("lightnode_aio/", 1)[1]
    if "<attrs generated" in filename:
        return "attrs generated __init__"
    if "cattrs generated" in filename or "/cattrs/" in filename:
        return "cattrs (incl. generated)"
    if "/aiohttp/" in filename or "/multidict/" in filename or "/yarl/" in filename:
        return "aiohttp, yarl, multidict"
    if "/asyncio/" in filename:
        return "asyncio"
    if "/backoff/" in filename:
        return "backoff"
    if filename == "~":
        return "builtins (C)"
    return "other"


def report(stats: pstats.Stats, top: int) -> str:
    """Own time by area, then the functions with the most own time."""
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in raw.values()) or 1.0
    by_area: dict[str, float] = defaultdict(float)
    for (filename, _, _), entry in raw.items():
        by_area[_area(filename)] += entry[2]
    lines = ["own time by area:"]
    for area, seconds in sorted(by_area.items(), key=lambda item: -item[1]):
        lines.append(f"  {seconds / total:6.1%}  {area}")
    lines += ["", f"top {top} functions by own time (share, calls, cumulative share):"]
    ranked = sorted(raw.items(), key=lambda item: -item[1][2])[:top]
    for (filename, line, name), entry in ranked:
        where = _area(filename) if filename != "~" else "builtin"
        if where.startswith("lightnode_aio/") or where == "other":
            where = f"{filename.split('/')[-1]}:{line}"
        lines.append(
            f"  {entry[2] / total:6.1%}  {entry[1]:>8}  {entry[3] / total:6.1%}  "
            f"{name}  ({where})"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Profiles one workload and prints the report."""
    args = _parse(argv)
    # CPU time, not wall time: waiting for the fake is not the client's cost.
    profiler = cProfile.Profile(time.process_time)
    if args.workload == "parse":
        records = _parsing.make_records(10_000)
        structure_list(records, Instance, where="$")
        profiler.enable()
        structure_list(records, Instance, where="$")
        profiler.disable()
    elif args.workload == "fleet":
        asyncio.run(_fleet_workload(args, profiler))
    else:
        asyncio.run(_calls_workload(args, profiler))
    print(report(pstats.Stats(profiler), args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
