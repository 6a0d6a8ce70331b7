"""Fleets: many reinstalls at once, the SDK against a hand-written loop.

Each run starts a fresh fake in another process with ``--fleet N`` (N
stopped instances in a zone of their own, every task lasting the same fixed
time), lists the fleet, and then, timed, reinstalls all of it at once with
``asyncio.gather``. What the fake saw (requests by path, polls per task, the
highest request rate over one-second windows) comes from its ``stats:``
line; the listing's own requests are left out of the counts.

The SDK side is what a fleet script does: ``servers = await
ln.instances.list(region, zone)`` with the client that then runs
``ln.instances.reinstall(server.id, image=..., password=...)`` for every
server, so the client knows each server from the listing. Its polls follow a
``PollPolicy``: the default (first poll after 1 s, then x1.6, at most 15 s),
or the default scaled down with the tasks (section 3b). Its limits are
raised out of the way (sections 3 and 3b: the SDK is measured, not the rate
policy) or ``LightNode()``'s defaults (section 4: the policy is measured).

The baseline is the loop public clients write, one per task, over one
plain aiohttp session: submit ``POST /instance/reinstallSystem``, then sleep
3 s and ask ``GET /asynctask/getResult`` until the task is ``FINISHED``. It
neither reads the instance before nor after, and gets its ids from a plain
listing, untimed. When tasks are shortened (the quick run, section 3b), its
sleep is shortened in the same proportion.

Measured per run, in the client's process (the fake runs in another):

- wall time of the gather, and its ratio to the task duration;
- CPU seconds (``time.process_time``) of the gather, per operation;
- memory per operation in flight (all of them are in flight at once):
  for the 1,000, the tracemalloc peak during the gather minus what was
  traced before it (the operations' creation included), in a round of its
  own, since tracemalloc slows Python down and its times are not used; for
  the 10,000, which tracemalloc would slow past the time budget, the peak
  resident set size minus the resident size before the gather, in a fresh
  Python process (``python _fleet.py N D``) so that no earlier section's
  freed memory hides the growth. Both are divided by the operations.

Rounds alternate SDK and baseline (SDK, baseline, SDK, ...), each on a
fresh fake, and the table shows medians. The 10,000 and the fleet at the
default limits run once.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import sys
import time
import tracemalloc
from typing import Any, Literal

import aiohttp
import attrs
from _report import Figure, Section, at_most, below, median, paired_ratios
from _server import FakeProcess

from lightnode_aio import LightNode, Limits, PollPolicy

PASSWORD = "Bench-2025-pass"

#: How a run measures memory, if at all (see ``_Meter``).
Memory = Literal["tracemalloc", "rss"] | None

#: The public clients' fixed poll interval, for tasks of this duration.
BASELINE_INTERVAL = 3.0
BASELINE_TASK = 2.0

#: The realistic task of section 3b, in seconds: LightNode reinstalls take
#: minutes (clients budget 900-3600 s, REFERENCE §6); one minute is the
#: short end, and already 20 of the loop's polls.
LONG_TASK = 60.0

#: Limits high enough that the SDK, not its rate policy, sets the pace.
RAISED = Limits(max_in_flight=256, requests_per_second=100_000)

#: The client's default poll policy, which sections 3 and 4 measure.
DEFAULT_POLLING = PollPolicy()


@attrs.frozen(kw_only=True)
class Sizes:
    """How big each fleet is.

    Attributes:
        fleet: Operations per round with raised limits, SDK and baseline.
        big_fleet: Operations in the one large SDK run; 0 skips it.
        default_fleet: Operations at the default limits.
        task_duration: Seconds every task runs on the fake.
        rounds: Timed rounds of each (SDK and baseline).
        long_fleet: Operations per round of section 3b, SDK and baseline.
        long_scale: How much faster than real time section 3b runs: every
            duration (the task, the loop's sleep, the poll policy) is
            divided by it.
        long_rounds: Timed rounds of each in section 3b.
    """

    fleet: int
    big_fleet: int
    default_fleet: int
    task_duration: float
    rounds: int
    long_fleet: int
    long_scale: float
    long_rounds: int


@attrs.frozen(kw_only=True)
class FleetRun:
    """One fleet run, as measured by the client and seen by the fake."""

    operations: int
    succeeded: int
    seconds: float
    cpu: float
    peak_bytes: int | None
    requests: int
    polls_median: float
    polls_max: int
    max_rate_1s: float
    max_rate_10s: float
    by_path: dict[str, int]
    timeline: dict[str, dict[str, float]] = attrs.field(factory=dict)
    memory: Memory = None
    first_error: str | None = None

    @property
    def requests_per_task(self) -> float:
        return self.requests / self.operations


async def run_sdk(
    size: int,
    task_duration: float,
    *,
    limits: Limits = RAISED,
    polling: PollPolicy = DEFAULT_POLLING,
    memory: Memory = None,
) -> FleetRun:
    """Reinstalls a fresh fleet of ``size`` with the SDK.

    The fleet is listed first, untimed, by the client that then reinstalls
    it, as a fleet script does: the client knows each server from the
    listing, and every request the fake sees went through its limits.
    """
    with FakeProcess(fleet=size, task_duration=task_duration) as fake:
        async with LightNode(
            fake.token, base_url=fake.url, limits=limits, polling=polling
        ) as ln:
            servers = await ln.instances.list(region=fake.region, zone=fake.zone)
            # The listing stays referenced until the end, so that its memory
            # is neither counted nor freed for the operations to reuse.
            with _Meter(memory) as meter:
                operations = [
                    ln.instances.reinstall(
                        server.id, image=fake.image, password=PASSWORD
                    )
                    for server in servers
                ]
                results = await asyncio.gather(*operations, return_exceptions=True)
        return _fleet_run(meter, results, fake.stop())


async def run_baseline(
    size: int, task_duration: float, *, interval: float, memory: Memory = None
) -> FleetRun:
    """Reinstalls a fresh fleet of ``size`` with the hand-written loop,
    which sleeps ``interval`` seconds before each poll."""
    with FakeProcess(fleet=size, task_duration=task_duration) as fake:
        ids = await fake.fleet_ids()
        async with aiohttp.ClientSession(
            headers={"x-open-token": fake.token}
        ) as session:
            with _Meter(memory) as meter:
                results = await asyncio.gather(
                    *(_reinstall_by_hand(session, fake, i, interval) for i in ids),
                    return_exceptions=True,
                )
        return _fleet_run(meter, results, fake.stop())


async def _reinstall_by_hand(
    session: aiohttp.ClientSession, fake: FakeProcess, instance_id: str, every: float
) -> str:
    body = {
        "ecsResourceUUID": instance_id,
        "imageResourceUUID": fake.image,
        "password": PASSWORD,
        "regionCode": fake.region,
    }
    async with session.post(fake.url + "/instance/reinstallSystem", json=body) as r:
        reply = json.loads(await r.read())
    task_id: str = (reply.get("asyncTaskInfo") or reply)["asyncTaskUUID"]
    while True:
        await asyncio.sleep(every)
        params = {"asyncTaskUUID": task_id}
        async with session.get(fake.url + "/asynctask/getResult", params=params) as r:
            reply = json.loads(await r.read())
        info = reply.get("asyncTaskInfo") or reply
        if info["taskStatus"] == "FINISHED":
            if info["processResult"] != "SUCCESS":
                raise RuntimeError(f"task {task_id}: {info['processResult']}")
            return task_id


class _Meter:
    """Times a block (wall and CPU) and measures the memory it takes.

    ``tracemalloc``: the peak of traced memory during the block minus what
    was traced before it. ``rss``: the process's peak resident set size
    (``ru_maxrss``) minus its resident size before the block, which is the
    block's own peak only in a fresh process that did little before.
    """

    def __init__(self, memory: Memory) -> None:
        self.memory = memory
        self.seconds = 0.0
        self.cpu = 0.0
        self.peak_bytes: int | None = None
        self._base = 0

    def __enter__(self) -> _Meter:
        if self.memory == "tracemalloc":
            tracemalloc.start()
            self._base = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
        elif self.memory == "rss":
            self._base = _resident_bytes()
        self._cpu = time.process_time()
        self._started = time.perf_counter()
        return self

    def __exit__(self, *_: object) -> None:
        self.seconds = time.perf_counter() - self._started
        self.cpu = time.process_time() - self._cpu
        if self.memory == "tracemalloc":
            self.peak_bytes = tracemalloc.get_traced_memory()[1] - self._base
            tracemalloc.stop()
        elif self.memory == "rss" and self._base:
            # Linux reports ru_maxrss in KiB.
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
            self.peak_bytes = peak - self._base


def _resident_bytes() -> int:
    """The resident set size now, or 0 where /proc is not there."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[1])
    except OSError:
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def _fleet_run(meter: _Meter, results: list[Any], stats: dict[str, Any]) -> FleetRun:
    errors = [r for r in results if isinstance(r, BaseException)]
    by_path: dict[str, int] = stats["by_path"]
    listing = by_path.get("/instance/list", 0)
    return FleetRun(
        operations=len(results),
        succeeded=len(results) - len(errors),
        seconds=meter.seconds,
        cpu=meter.cpu,
        peak_bytes=meter.peak_bytes,
        requests=stats["requests"] - listing,
        polls_median=stats["polls_per_task"]["median"],
        polls_max=stats["polls_per_task"]["max"],
        max_rate_1s=stats["max_rate_1s"],
        max_rate_10s=stats["max_rate_10s"],
        by_path=by_path,
        timeline=stats["timeline"],
        memory=meter.memory,
        first_error=repr(errors[0]) if errors else None,
    )


async def run_in_child(size: int, task_duration: float) -> FleetRun:
    """:func:`run_sdk` with raised limits in a fresh Python process, whose
    peak resident size is then the fleet's own; see ``_main``."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        str(size),
        str(task_duration),
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await child.communicate()
    if child.returncode != 0:
        raise RuntimeError(f"the fleet of {size} failed in its process")
    return FleetRun(**json.loads(out.decode().splitlines()[-1]))


def _main(argv: list[str]) -> int:
    # Run by run_in_child: python _fleet.py SIZE TASK_DURATION
    size, task_duration = int(argv[0]), float(argv[1])
    polling = _policy_for(task_duration)
    fleet = asyncio.run(run_sdk(size, task_duration, polling=polling, memory="rss"))
    print(json.dumps(attrs.asdict(fleet)))
    return 0


# --- section 3: raised limits -------------------------------------------------


def _policy_for(task_duration: float) -> PollPolicy:
    """The poll policy for sections 3 and 4: the default for their tasks of
    ``BASELINE_TASK`` seconds; scaled down with tasks made shorter (the
    quick run), as the loop's sleep is."""
    if task_duration == BASELINE_TASK:
        return DEFAULT_POLLING
    return scaled_policy(BASELINE_TASK / task_duration)


def _scaled(task_duration: float) -> str:
    """What the section's title says of a scaled poll policy."""
    if task_duration == BASELINE_TASK:
        return ""
    return f", poll intervals x{task_duration / BASELINE_TASK:g}"


async def run_raised(sizes: Sizes) -> Section:
    """The fleet with raised limits, against the baseline; then the big one."""
    d = sizes.task_duration
    interval = BASELINE_INTERVAL * d / BASELINE_TASK
    polling = _policy_for(d)
    sdk_runs: list[FleetRun] = []
    raw_runs: list[FleetRun] = []
    for _ in range(sizes.rounds):
        sdk_runs.append(await run_sdk(sizes.fleet, d, polling=polling))
        raw_runs.append(await run_baseline(sizes.fleet, d, interval=interval))
    traced = await run_sdk(sizes.fleet, d, polling=polling, memory="tracemalloc")

    figures = _sdk_figures(f"{sizes.fleet:,}", sdk_runs, traced, d)
    figures += _versus_baseline(f"{sizes.fleet:,}", sdk_runs, raw_runs)
    data: dict[str, Any] = {
        "fleet": sizes.fleet,
        "task_duration": d,
        "limits": attrs.asdict(RAISED),
        "polling": attrs.asdict(polling),
        "baseline_interval": interval,
        "memory_method": "tracemalloc peak minus traced before, per operation",
        "sdk_rounds": [_asdict(r) for r in sdk_runs],
        "baseline_rounds": [_asdict(r) for r in raw_runs],
        "sdk_traced_round": _asdict(traced),
    }
    if sizes.big_fleet:
        big = await run_in_child(sizes.big_fleet, d)
        figures += _big_figures(f"{sizes.big_fleet:,}", big, d)
        data["big_fleet"] = sizes.big_fleet
        data["big_round"] = _asdict(big)
    return Section(
        title=f"3. fleet of reinstalls, raised limits, {d:g} s tasks{_scaled(d)}",
        figures=figures,
        data=data,
    )


def _sdk_figures(
    label: str, runs: list[FleetRun], traced: FleetRun, d: float
) -> list[Figure]:
    wall = median([r.seconds for r in runs])
    done = min(r.succeeded for r in runs)
    cpu_ms = median([r.cpu / r.operations * 1000 for r in runs])
    requests = median([r.requests for r in runs])
    polls = median([r.polls_median for r in runs])
    polls_max = max(r.polls_max for r in runs)
    paths = ", ".join(
        f"{path} {count / runs[0].operations:.2f}"
        for path, count in runs[0].by_path.items()
        if path != "/instance/list"
    )
    return [
        at_most(
            f"{label}: wall time / task duration",
            wall / d,
            1.5 + 1.0 / d,
            "x",
            f"{wall:.2f} s for {d:g} s tasks (target {1.5 * d + 1:g} s); "
            f"{done:,}/{runs[0].operations:,} succeeded",
        ),
        at_most(
            f"{label}: polls per task, median",
            polls,
            3,
            "",
            f"max {polls_max}",
        ),
        Figure(
            name=f"{label}: requests in total",
            value=requests,
            unit="",
            detail=f"{requests / runs[0].operations:.2f} per task: {paths}",
        ),
        at_most(f"{label}: CPU per operation", cpu_ms, 2, "ms", "client process"),
        _memory(label, traced),
    ]


def _memory(label: str, run: FleetRun) -> Figure:
    per_op = None if run.peak_bytes is None else run.peak_bytes / run.operations
    return at_most(
        f"{label}: peak memory per operation in flight",
        None if per_op is None else per_op / 1024,
        16,
        "KiB",
        f"{_METHODS.get(run.memory, 'not measured')}: "
        f"{(run.peak_bytes or 0) / 2**20:.1f} MiB / {run.operations:,} in flight",
    )


_METHODS: dict[Memory, str] = {
    "tracemalloc": "tracemalloc peak, in a round of its own",
    "rss": "peak RSS delta, in a fresh process",
}


def _versus_baseline(
    label: str, sdk: list[FleetRun], raw: list[FleetRun], *, scale: float = 1.0
) -> list[Figure]:
    """Requests per task and wall time, SDK / loop, paired round by round.
    With a ``scale``, the wall times are also given at full scale."""
    request_ratio = median(
        paired_ratios(
            [s.requests_per_task for s in sdk], [r.requests_per_task for r in raw]
        )
    )
    wall_ratio = median(
        paired_ratios([s.seconds for s in sdk], [r.seconds for r in raw])
    )
    sdk_wall = median([s.seconds for s in sdk])
    raw_wall = median([r.seconds for r in raw])
    full_scale = (
        ""
        if scale == 1
        else f" (at full scale {sdk_wall * scale:.1f} s and {raw_wall * scale:.1f} s)"
    )
    done = min(s.succeeded for s in sdk), min(r.succeeded for r in raw)
    return [
        below(
            f"{label}: requests per task, SDK / 3 s loop",
            request_ratio,
            1,
            "x",
            f"SDK {median([s.requests_per_task for s in sdk]):.2f} (polls median "
            f"{median([s.polls_median for s in sdk]):g}), loop "
            f"{median([r.requests_per_task for r in raw]):.2f} (polls median "
            f"{median([r.polls_median for r in raw]):g}) per task",
        ),
        below(
            f"{label}: wall time, SDK / 3 s loop",
            wall_ratio,
            1,
            "x",
            f"SDK {sdk_wall:.2f} s, loop {raw_wall:.2f} s{full_scale}; "
            f"succeeded {done[0]:,} and {done[1]:,} of {sdk[0].operations:,}",
        ),
    ]


def _big_figures(label: str, run: FleetRun, d: float) -> list[Figure]:
    return [
        Figure(
            name=f"{label}: completed",
            value=run.succeeded,
            unit="",
            target=f"= {run.operations:,}",
            met=run.succeeded == run.operations,
            detail=f"in {run.seconds:.1f} s ({run.seconds / d:.1f}x the task "
            f"duration); polls per task median {run.polls_median:g}, max "
            f"{run.polls_max}; {run.requests_per_task:.2f} requests per task",
        ),
        _memory(label, run),
        at_most(
            f"{label}: CPU per operation",
            run.cpu / run.operations * 1000,
            2,
            "ms",
            "client process",
        ),
    ]


# --- section 3b: tasks of realistic length, at a smaller time scale -----------


def scaled_policy(scale: float) -> PollPolicy:
    """The default ``PollPolicy`` with its intervals divided by ``scale``."""
    return PollPolicy(
        first_interval=DEFAULT_POLLING.first_interval / scale,
        factor=DEFAULT_POLLING.factor,
        max_interval=DEFAULT_POLLING.max_interval / scale,
    )


async def run_long(sizes: Sizes) -> Section:
    """60 s tasks, SDK against the 3 s loop, every duration divided by
    ``sizes.long_scale`` so that a round takes seconds.

    Requests per task do not depend on the time scale, since every wait
    shrinks with the tasks; the ratio of wall times does not either, but for
    the per-request costs, which do not shrink and so weigh ``long_scale``
    times more than they would at full scale.
    """
    scale = sizes.long_scale
    d = LONG_TASK / scale
    interval = BASELINE_INTERVAL / scale
    polling = scaled_policy(scale)
    sdk_runs: list[FleetRun] = []
    raw_runs: list[FleetRun] = []
    for _ in range(sizes.long_rounds):
        sdk_runs.append(await run_sdk(sizes.long_fleet, d, polling=polling))
        raw_runs.append(await run_baseline(sizes.long_fleet, d, interval=interval))

    label = f"{sizes.long_fleet:,}"
    data: dict[str, Any] = {
        "fleet": sizes.long_fleet,
        "task_duration_simulated": LONG_TASK,
        "time_scale": 1 / scale,
        "task_duration": d,
        "baseline_interval": interval,
        "polling": attrs.asdict(polling),
        "limits": attrs.asdict(RAISED),
        "sdk_rounds": [_asdict(r) for r in sdk_runs],
        "baseline_rounds": [_asdict(r) for r in raw_runs],
    }
    return Section(
        title=f"3b. {LONG_TASK:g} s tasks, simulated at 1/{scale:g} time scale: "
        f"the fleet against the 3 s loop",
        figures=_versus_baseline(label, sdk_runs, raw_runs, scale=scale),
        data=data,
    )


# --- section 4: default limits -------------------------------------------------


async def run_default(sizes: Sizes) -> Section:
    """The fleet at ``LightNode()``'s default limits."""
    d = sizes.task_duration
    defaults = Limits()
    polling = _policy_for(d)
    fleet = await run_sdk(sizes.default_fleet, d, limits=defaults, polling=polling)
    rate = defaults.requests_per_second
    # Every request waits for its slot at the configured rate, so 1,000
    # operations take at least their requests divided by the rate.
    floor_1000 = fleet.requests_per_task * 1000 / rate
    label = f"{fleet.operations:,}"
    figures = [
        Figure(
            name=f"{label} at defaults: wall time",
            value=fleet.seconds,
            unit="s",
            detail=f"{fleet.succeeded:,} succeeded; {fleet.requests_per_task:.2f} "
            f"requests per task, so 1,000 need at least {floor_1000:,.0f} s "
            f"({floor_1000 / 60:.1f} min) at {rate:g} req/s",
        ),
        at_most(
            f"{label} at defaults: highest rate over 1 s",
            fleet.max_rate_1s,
            rate,
            "req/s",
            f"configured {rate:g} req/s, max_in_flight {defaults.max_in_flight}; "
            f"the fleet's listing included; over 10 s: {fleet.max_rate_10s:.1f}/s",
        ),
    ]
    data = {
        "fleet": sizes.default_fleet,
        "task_duration": d,
        "limits": attrs.asdict(defaults),
        "polling": attrs.asdict(polling),
        "run": _asdict(fleet),
        "seconds_for_1000_at_least": floor_1000,
    }
    return Section(
        title=f"4. fleet of reinstalls, default limits, {d:g} s tasks{_scaled(d)}",
        figures=figures,
        data=data,
    )


def _asdict(run: FleetRun) -> dict[str, Any]:
    return {**attrs.asdict(run), "requests_per_task": run.requests_per_task}


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
