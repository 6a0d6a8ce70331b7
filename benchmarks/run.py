"""Run the benchmarks of lightnode_aio and print their table.

    python benchmarks/run.py [--quick] [--json PATH] [--default-fleet N]
        [--only SECTION]...

Every figure is a ratio against a baseline measured in the same run, or a
count, or a cost per operation; targets are shown beside them, met or not,
and never fail the run: it exits 0 whatever the figures. The table is also
written as JSON (default ``benchmarks/results/latest.json``).

``--quick`` runs every section with tiny sizes in a few seconds, as a smoke
test. ``--default-fleet N`` sets the size of the fleet at the client's
default limits (section 4); its default keeps the full run under two
minutes, and 1,000 takes minutes by design of those limits. ``--only``
runs the named sections alone (``calls``, ``parsing``, ``fleet``, ``long``
for section 3b, ``defaults``).

See benchmarks/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import _calls
import _fleet
import _parsing
import attrs
from _report import Section, render, save

HERE = Path(__file__).resolve().parent


@attrs.frozen(kw_only=True)
class Plan:
    """The sizes of every section."""

    calls: _calls.Sizes
    parsing: _parsing.Sizes
    fleet: _fleet.Sizes


FULL = Plan(
    calls=_calls.Sizes(calls=200, rounds=7),
    parsing=_parsing.Sizes(records=10_000, rounds=7),
    fleet=_fleet.Sizes(
        fleet=1_000,
        big_fleet=10_000,
        default_fleet=40,
        task_duration=2.0,
        rounds=3,
        long_fleet=200,
        long_scale=20,
        long_rounds=3,
    ),
)
QUICK = Plan(
    calls=_calls.Sizes(calls=20, rounds=2),
    parsing=_parsing.Sizes(records=500, rounds=3),
    fleet=_fleet.Sizes(
        fleet=50,
        big_fleet=100,
        default_fleet=3,
        task_duration=0.5,
        rounds=1,
        long_fleet=20,
        long_scale=200,
        long_rounds=1,
    ),
)


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python benchmarks/run.py", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--quick", action="store_true", help="tiny sizes: a smoke test of seconds"
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=HERE / "results" / "latest.json",
        metavar="PATH",
        help="where to write the results (default benchmarks/results/latest.json)",
    )
    parser.add_argument(
        "--default-fleet",
        type=int,
        default=None,
        metavar="N",
        help="operations at the default limits (section 4)",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=SECTIONS,
        metavar="SECTION",
        help=f"run only this section, one of {', '.join(SECTIONS)}; repeatable",
    )
    return parser.parse_args(argv)


SECTIONS = ("calls", "parsing", "fleet", "long", "defaults")


async def _run(plan: Plan, only: Sequence[str]) -> list[Section]:
    steps: dict[str, Callable[[], Awaitable[Section]]] = {
        "calls": lambda: _calls.run(plan.calls),
        "parsing": lambda: _parsing.run(plan.parsing),
        "fleet": lambda: _fleet.run_raised(plan.fleet),
        "long": lambda: _fleet.run_long(plan.fleet),
        "defaults": lambda: _fleet.run_default(plan.fleet),
    }
    sections = []
    for name, step in steps.items():
        if name not in only:
            continue
        started = time.perf_counter()
        section = await step()
        seconds = round(time.perf_counter() - started, 1)
        sections.append(attrs.evolve(section, seconds=seconds))
    return sections


def _revision() -> str:
    """The commit the SDK was measured at, and whether it had changes."""
    git = ["git", "-C", str(HERE.parent)]
    try:
        commit = subprocess.run(  # noqa: S603 - git, with fixed arguments
            [*git, "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        changes = subprocess.run(  # noqa: S603 - git, with fixed arguments
            [*git, "status", "--porcelain", "--", "lightnode_aio"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + (" with uncommitted changes" if changes else "")


def main(argv: Sequence[str] | None = None) -> int:
    """Runs every section, prints the table, writes the JSON; returns 0."""
    args = _parse(argv)
    plan = QUICK if args.quick else FULL
    if args.default_fleet is not None:
        fleet = attrs.evolve(plan.fleet, default_fleet=args.default_fleet)
        plan = attrs.evolve(plan, fleet=fleet)

    started = time.perf_counter()
    sections = asyncio.run(_run(plan, args.only or SECTIONS))
    header = {
        "mode": "quick" if args.quick else "full",
        "seconds": round(time.perf_counter() - started, 1),
        "sdk": _revision(),
    }
    table = render(sections, header)
    print(table)
    save(args.json, sections, header, table)
    print(f"\nwritten to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
