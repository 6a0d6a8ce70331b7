"""Call overhead: the SDK against plain aiohttp, request for request.

Three reads, each sent both ways to one fake server in another process:

- ``instances.get`` against ``GET /instance/detail``;
- ``tasks.get`` against ``GET /asynctask/getResult`` (one poll of a task);
- ``instances.list`` of a zone holding exactly 50 instances against
  ``GET /instance/list`` of that one 50-row page.

The baseline is what a careful script would write by hand: one
``aiohttp.ClientSession``, the same URL, query and token header, a status
check, ``json.loads`` of the body, and plain dict access to a few fields of
every record. The SDK builds its models; the baseline builds nothing. For
the page, a third way is timed as well: the baseline's request followed by
the same 50 ``Instance`` objects built by hand (section 2's constructor),
the floor that any way of building models could reach.

Each round sends a fixed number of calls from 1 and from 64 concurrent
workers, SDK and baseline one after the other (SDK, baseline, SDK,
baseline, ...), after one warm-up of each. The figure is the median over the
rounds of (SDK time / baseline time), which equals (baseline requests per
second / SDK requests per second). The client process's CPU time per call is
reported the same way: at 64 workers the fake server, not the client, may
set the pace, and CPU time shows the client's own cost regardless.

The SDK runs with limits raised out of the way (64 in flight, a million
requests per second), and the baseline's connector allows 64 connections.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import attrs
from _parsing import by_hand
from _report import Figure, Section, at_most, median, paired_ratios
from _server import FakeProcess

from lightnode_aio import Instance, LightNode, Limits

#: Targets for SDK time / baseline time, per endpoint.
TARGETS = {"get": 1.15, "poll": 1.15, "list": 1.3}
CONCURRENCY = (1, 64)

Call = Callable[[], Awaitable[Any]]


@attrs.frozen(kw_only=True)
class Sizes:
    """How much each round does.

    Attributes:
        calls: Calls per round at concurrency 1; at 64, at least one per
            worker and about four times as many.
        rounds: Rounds of each (SDK and baseline).
    """

    calls: int
    rounds: int


@attrs.frozen
class _Sample:
    seconds: float
    cpu: float
    calls: int


@contextlib.asynccontextmanager
async def clients(
    fake: FakeProcess,
) -> AsyncIterator[tuple[LightNode, aiohttp.ClientSession]]:
    """The two ways of calling the fake: the SDK, with limits high enough
    not to pace it, and one plain aiohttp session with the token."""
    limits = Limits(max_in_flight=64, requests_per_second=1_000_000)
    async with (
        LightNode(fake.token, base_url=fake.url, limits=limits) as ln,
        aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=64),
            headers={"x-open-token": fake.token},
        ) as session,
    ):
        yield ln, session


async def run(sizes: Sizes) -> Section:
    """Measures the three reads at both concurrencies."""
    figures: list[Figure] = []
    data: dict[str, Any] = {}
    with FakeProcess(fleet=50, task_duration=0.2) as fake:
        ids = await fake.fleet_ids()
        async with clients(fake) as (ln, session):
            task_id = await _start_task(session, fake, ids[-1])
            ways = _ways(ln, _Raw(session, fake.url), fake, ids[0], task_id)
            for name, calls in ways.items():
                for concurrency in CONCURRENCY:
                    count = max(
                        concurrency, sizes.calls * (1 if concurrency == 1 else 4)
                    )
                    runs = await _alternate(calls, count, concurrency, sizes.rounds)
                    key = f"{name}, c={concurrency}"
                    figure, data[key] = _figure(key, name, runs[0], runs[1])
                    figures.append(figure)
                    if len(runs) > 2:
                        floor, data[key]["hand_models"] = _floor(key, runs[2], runs[1])
                        figures.append(floor)
    return Section(
        title="1. call overhead, SDK / raw aiohttp", figures=figures, data=data
    )


def _ways(
    ln: LightNode, raw: _Raw, fake: FakeProcess, instance_id: str, task_id: str
) -> dict[str, list[Call]]:
    """Per endpoint: the SDK's call, the baseline's, and for the page a
    third way, the baseline's request with the same Instance objects built
    by hand (section 2's constructor): the floor a converter could reach."""
    region, zone = fake.region, fake.zone
    return {
        "get": [
            lambda: ln.instances.get(instance_id),
            lambda: raw.get(instance_id),
        ],
        "poll": [
            lambda: ln.tasks.get(task_id),
            lambda: raw.poll(task_id),
        ],
        "list": [
            lambda: ln.instances.list(region=region, zone=zone),
            lambda: raw.list(region, zone),
            lambda: raw.list_models(region, zone),
        ],
    }


def _figure(
    key: str, name: str, sdk: list[_Sample], raw: list[_Sample]
) -> tuple[Figure, dict[str, Any]]:
    time_ratio = median(
        paired_ratios([s.seconds for s in sdk], [r.seconds for r in raw])
    )
    cpu_ratio = median(paired_ratios([s.cpu for s in sdk], [r.cpu for r in raw]))
    sdk_rate = median([s.calls / s.seconds for s in sdk])
    raw_rate = median([r.calls / r.seconds for r in raw])
    sdk_cpu = median([s.cpu / s.calls * 1e6 for s in sdk])
    raw_cpu = median([r.cpu / r.calls * 1e6 for r in raw])
    detail = (
        f"SDK {sdk_rate:,.0f}/s, raw {raw_rate:,.0f}/s; client CPU per call "
        f"{sdk_cpu:.0f} vs {raw_cpu:.0f} us ({cpu_ratio:.2f}x)"
    )
    figure = at_most(f"{key}: time per call", time_ratio, TARGETS[name], "x", detail)
    data = {
        "time_ratio": time_ratio,
        "cpu_ratio": cpu_ratio,
        "sdk_per_second": sdk_rate,
        "raw_per_second": raw_rate,
        "sdk_cpu_us_per_call": sdk_cpu,
        "raw_cpu_us_per_call": raw_cpu,
        "sdk_rounds": [attrs.asdict(s) for s in sdk],
        "raw_rounds": [attrs.asdict(r) for r in raw],
    }
    return figure, data


def _floor(
    key: str, hand: list[_Sample], raw: list[_Sample]
) -> tuple[Figure, dict[str, Any]]:
    ratio = median(paired_ratios([h.seconds for h in hand], [r.seconds for r in raw]))
    figure = Figure(
        name=f"{key}: raw + hand-built models",
        value=ratio,
        unit="x",
        detail="the same page, Instances built by hand: the floor for the SDK",
    )
    return figure, {"time_ratio": ratio, "rounds": [attrs.asdict(h) for h in hand]}


async def _alternate(
    ways: list[Call], calls: int, concurrency: int, rounds: int
) -> list[list[_Sample]]:
    """Runs each way once per round, in turn, after one warm-up each."""
    for call in ways:
        await _drive(call, concurrency, concurrency)
    runs: list[list[_Sample]] = [[] for _ in ways]
    for _ in range(rounds):
        for call, samples in zip(ways, runs, strict=True):
            samples.append(await _drive(call, calls, concurrency))
    return runs


async def _drive(call: Call, calls: int, concurrency: int) -> _Sample:
    """Sends ``calls`` calls from ``concurrency`` workers, one after another
    in each worker, and times the whole."""
    each = max(1, calls // concurrency)

    async def worker() -> None:
        for _ in range(each):
            await call()

    cpu = time.process_time()
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    seconds = time.perf_counter() - started
    return _Sample(seconds, time.process_time() - cpu, each * concurrency)


async def _start_task(
    session: aiohttp.ClientSession, fake: FakeProcess, instance_id: str
) -> str:
    """Starts one reinstall by hand, for a task id to poll."""
    body = {
        "ecsResourceUUID": instance_id,
        "imageResourceUUID": fake.image,
        "password": "Bench-2025-pass",
        "regionCode": fake.region,
    }
    async with session.post(fake.url + "/instance/reinstallSystem", json=body) as r:
        reply = await r.json()
    info = reply.get("asyncTaskInfo") or reply
    task_id: str = info["asyncTaskUUID"]
    return task_id


class _Raw:
    """The hand-written baseline: aiohttp, ``json.loads``, dict access."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self._session = session
        self._url = url

    async def _read(self, path: str, params: dict[str, str | int]) -> Any:
        async with self._session.get(self._url + path, params=params) as reply:
            if reply.status >= 300:
                raise RuntimeError(f"{path} answered {reply.status}")
            body = await reply.read()
        return json.loads(body)

    async def get(self, instance_id: str) -> tuple[str, str, str]:
        reply = await self._read("/instance/detail", {"ecsResourceUUID": instance_id})
        record = reply["instance"]
        return (
            record["ecsResourceUUID"],
            record["ecsStatus"],
            record["publicIpAddress"],
        )

    async def poll(self, task_id: str) -> tuple[str, str | None]:
        reply = await self._read("/asynctask/getResult", {"asyncTaskUUID": task_id})
        info = reply.get("asyncTaskInfo") or reply
        return info["taskStatus"], info.get("processResult")

    async def list(self, region: str, zone: str) -> list[tuple[str, str, str]]:
        reply = await self._read("/instance/list", _first_page(region, zone))
        return [
            (row["ecsResourceUUID"], row["instanceName"], row["ecsStatus"])
            for row in reply["instances"]
        ]

    async def list_models(self, region: str, zone: str) -> builtins.list[Instance]:
        reply = await self._read("/instance/list", _first_page(region, zone))
        return by_hand(reply["instances"])


def _first_page(region: str, zone: str) -> dict[str, str | int]:
    return {"regionCode": region, "zoneCode": zone, "page": 1, "pageSize": 50}
