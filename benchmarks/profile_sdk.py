"""Profile the client side of one benchmark workload with cProfile.

    python benchmarks/profile_sdk.py WORKLOAD [--way WAY | --time]
        [--calls N] [--concurrency C] [--fleet N] [--top N]

WORKLOAD is one of ``get``, ``poll``, ``list`` (SDK calls against a fake in
another process, as in section 1), ``parse`` (the converter on 10,000
records, section 2) or ``fleet`` (reinstalls with raised limits, the fleet
listed first by the same client, section 3). Only this process is
profiled: the fake's work does not show.

For the three calls, ``--way`` picks what is profiled: ``sdk`` (the
default), ``raw`` (section 1's hand-written baseline), ``transport`` (the
SDK's transport alone, ``Transport.request`` of the same GET: no resource
layer, no model) or, for ``list``, ``hand`` (the baseline with ``Instance``
objects built by hand). ``--time`` profiles nothing: it measures the
client's CPU per call of every way, alternating, 7 rounds, and prints the
medians, which split the SDK's cost into transport and the rest.

It prints where the time went, twice: by area (each ``lightnode_aio``
module, aiohttp, asyncio, cattrs and attrs generated code, the rest), as a
share of the profiled time spent in the functions of that area themselves,
and for calls also as microseconds per call; and the functions with the
most own time. Profiling slows Python code down unevenly, so compare an SDK
profile with a ``--way raw`` one of the same workload, not with section 1's
times.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import _calls
import _fleet
import _parsing
from _server import FakeProcess

from lightnode_aio import Instance, LightNode
from lightnode_aio._converter import structure_list

#: The ways a call can be made: section 1's, then the transport alone.
WAYS = ("sdk", "raw", "hand", "transport")


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python benchmarks/profile_sdk.py", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("workload", choices=("get", "poll", "list", "parse", "fleet"))
    parser.add_argument(
        "--way",
        choices=WAYS,
        default="sdk",
        help="sdk (default), raw, transport, or for list hand (see above)",
    )
    parser.add_argument(
        "--time",
        action="store_true",
        help="time every way of a call without the profiler, instead",
    )
    parser.add_argument("--calls", type=int, default=2000, help="calls to profile")
    parser.add_argument("--concurrency", type=int, default=1, help="workers")
    parser.add_argument("--fleet", type=int, default=1000, help="reinstalls")
    parser.add_argument("--top", type=int, default=25, help="functions listed")
    return parser.parse_args(argv)


async def _calls_workload(args: argparse.Namespace, profiler: cProfile.Profile) -> None:
    with FakeProcess(fleet=50, task_duration=0.2) as fake:
        ids = await fake.fleet_ids()
        async with _calls.clients(fake) as (ln, session):
            task = await ln.instances.reinstall(
                ids[-1], image=fake.image, password=_fleet.PASSWORD
            ).submitted()
            raw = _calls._Raw(session, fake.url)
            ways = dict(
                zip(
                    WAYS,
                    _calls._ways(ln, raw, fake, ids[0], task)[args.workload],
                    strict=False,
                )
            )
            requests: dict[str, tuple[str, dict[str, str | int]]] = {
                "get": ("/instance/detail", {"ecsResourceUUID": ids[0]}),
                "poll": ("/asynctask/getResult", {"asyncTaskUUID": task}),
                "list": ("/instance/list", _calls._first_page(fake.region, fake.zone)),
            }
            path, params = requests[args.workload]
            ways["transport"] = lambda: ln._transport.request(
                "GET", path, params=params, idempotent=True
            )
            if args.time:
                print(await _time_ways(ways, args.calls, args.concurrency))
                return
            if args.way not in ways:
                raise SystemExit(f"no way {args.way!r} for {args.workload}")
            call = ways[args.way]
            await _calls._drive(call, args.concurrency, args.concurrency)
            profiler.enable()
            await _calls._drive(call, args.calls, args.concurrency)
            profiler.disable()
            print(report(pstats.Stats(profiler), args.top, _sent(args)))


async def _time_ways(ways: dict[str, _calls.Call], calls: int, concurrency: int) -> str:
    """The client's CPU per call of each way, median of 7 alternating
    rounds, without the profiler."""
    runs = await _calls._alternate(list(ways.values()), calls, concurrency, 7)
    lines = [
        f"client CPU per call, median of 7 rounds of {calls:,} calls from "
        f"{concurrency} workers (wall time per call in brackets):"
    ]
    for name, samples in zip(ways, runs, strict=True):
        cpu = statistics.median(s.cpu / s.calls * 1e6 for s in samples)
        wall = statistics.median(s.seconds / s.calls * 1e6 for s in samples)
        lines.append(f"  {name:<10} {cpu:7.1f} us  ({wall:.1f} us)")
    return "\n".join(lines)


def _sent(args: argparse.Namespace) -> int:
    """As many calls as ``_calls._drive`` sends: the same from each worker."""
    calls: int = args.calls
    concurrency: int = args.concurrency
    return max(1, calls // concurrency) * concurrency


async def _fleet_workload(args: argparse.Namespace, profiler: cProfile.Profile) -> None:
    with FakeProcess(fleet=args.fleet, task_duration=2.0) as fake:
        async with LightNode(fake.token, base_url=fake.url, limits=_fleet.RAISED) as ln:
            servers = await ln.instances.list(region=fake.region, zone=fake.zone)
            profiler.enable()
            await asyncio.gather(
                *(
                    ln.instances.reinstall(
                        server.id, image=fake.image, password=_fleet.PASSWORD
                    )
                    for server in servers
                )
            )
            profiler.disable()
        fake.stop()


def _area(filename: str) -> str:
    if "/lightnode_aio/" in filename:
        return "lightnode_aio/" + filename.split("lightnode_aio/", 1)[1]
    if "<attrs generated" in filename:
        return "attrs generated __init__"
    if filename.startswith("<structure "):
        return "lightnode_aio generated structure functions"
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


def report(stats: pstats.Stats, top: int, calls: int = 0) -> str:
    """Own time by area (and per call, given the ``calls`` profiled), then
    the functions with the most own time."""
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in raw.values()) or 1.0
    by_area: dict[str, float] = defaultdict(float)
    in_c = 0.0
    for (filename, _, _), entry in raw.items():
        if filename != "~":
            by_area[_area(filename)] += entry[2]
            continue
        # A C function (dict.get, socket.send, ...) counts in the area of
        # whoever called it, in proportion to the time each caller spent in
        # it: the dict lookups of a generated structure function are the
        # converter's cost, not a separate "builtins" one.
        in_c += entry[2]
        callers: dict[Any, Any] = entry[4]
        from_callers = sum(c[2] for c in callers.values())
        for (caller_file, _, _), c in callers.items():
            share = c[2] / from_callers if from_callers else 1 / len(callers)
            by_area[_area(caller_file)] += entry[2] * share
        if not callers:
            by_area["C, no caller seen"] += entry[2]
    lines = [
        "own time by area, C functions counted in their callers' areas"
        + (" (share, us per call):" if calls else ":")
    ]
    if calls:
        lines.append(f"  100.0%  {total / calls * 1e6:7.1f}  all")
    for area, seconds in sorted(by_area.items(), key=lambda item: -item[1]):
        per_call = f"  {seconds / calls * 1e6:7.1f}" if calls else ""
        lines.append(f"  {seconds / total:6.1%}{per_call}  {area}")
    lines.append(f"  (C functions in all: {in_c / total:.1%})")
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
        return 0
    print(report(pstats.Stats(profiler), args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
