"""``lightnode demo``: the SDK's main job, end to end, on the built-in fake.

It starts a :class:`~lightnode_aio.testing.FakeLightNode` in this process,
aims a client at it, and takes a batch of servers through their life:
create, reinstall, stop, delete, each phase a fleet run with its progress
bar. It ends with a summary: operations run, failures, requests the fake
received and the wall time. No token and no network are needed.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Sequence
from typing import Any, Final

import attrs

from lightnode_aio import fleet
from lightnode_aio._client import LightNode
from lightnode_aio._config import Limits, PollPolicy
from lightnode_aio._operation import Operation
from lightnode_aio.cli._changes import run_fleet
from lightnode_aio.cli._render import dump_json
from lightnode_aio.cli._runtime import ExitCode, Runtime
from lightnode_aio.models import ImageType, Instance

__all__ = ["demo"]

#: The first poll comes after half a second (the SDK's default is a second,
#: growing by 1.6), or after one task's duration when tasks are quicker, so
#: a task is seen soon after it ends.
_FIRST_POLL: Final = 0.5
#: Room for a whole batch at once; the fake is on this machine.
_LIMITS: Final = Limits(max_in_flight=40, requests_per_second=200.0)


@attrs.frozen(kw_only=True)
class Phase:
    """How one phase of the demo went."""

    name: str
    servers: int
    succeeded: int
    failed: int
    unknown: int
    seconds: float


@attrs.frozen(kw_only=True)
class Summary:
    """The closing summary of a demo run."""

    url: str
    phases: tuple[Phase, ...]
    operations: int
    failures: int
    requests: int
    seconds: float


@attrs.frozen(kw_only=True)
class _Plan:
    """Where the demo's servers live and what they run."""

    region: str
    zone: str
    package: str
    image: str
    new_image: str


def demo(rt: Runtime) -> int:
    """``lightnode demo``: runs the demo and prints its summary.

    Returns:
        0 when every operation succeeded, 1 otherwise.
    """
    summary = rt.run(_run(rt, rt.args.count, rt.args.task_duration))
    if rt.args.json:
        rt.console.print(dump_json(summary))
    else:
        rt.console.print(
            f"Summary: {summary.operations} operations, {summary.failures} "
            f"failures, {summary.requests} requests to the fake API, "
            f"{summary.seconds:.1f} s wall time"
        )
    return ExitCode.OK if summary.failures == 0 else ExitCode.PARTIAL


async def _run(rt: Runtime, count: int, task_duration: float) -> Summary:
    # Imported here: the fake's server code is needed only by the demo.
    from lightnode_aio.testing import FakeLightNode

    began = time.perf_counter()
    async with FakeLightNode(task_duration=task_duration) as fake:
        if not rt.args.json:
            rt.console.print(
                f"LightNode demo: a fake API at {fake.url} (tasks take "
                f"{task_duration:g} s); {count} servers through create, "
                "reinstall, stop and delete"
            )
        async with LightNode(
            fake.token,
            base_url=fake.url,
            polling=PollPolicy(
                first_interval=min(_FIRST_POLL, task_duration),
                factor=1.5,
                max_interval=5.0,
            ),
            limits=_LIMITS,
        ) as ln:
            phases = await _phases(rt, ln, count)
        requests = len(fake.requests)
    return Summary(
        url=fake.url,
        phases=tuple(phases),
        operations=sum(phase.servers for phase in phases),
        failures=sum(phase.failed + phase.unknown for phase in phases),
        requests=requests,
        seconds=time.perf_counter() - began,
    )


async def _phases(rt: Runtime, ln: LightNode, count: int) -> list[Phase]:
    plan = await _choose(ln)
    # A fresh password that meets the API's rules; it is never shown.
    password = "Demo-1" + secrets.token_hex(8)
    names = [f"demo-{n:02d}" for n in range(1, count + 1)]

    def create(name: str) -> Operation[Instance]:
        return ln.instances.create(
            name=name,
            region=plan.region,
            zone=plan.zone,
            package=plan.package,
            image=plan.image,
            password=password,
        )

    phases: list[Phase] = []
    created = await _phase(rt, phases, "create", create, names)
    ids = [o.result.id for o in created.succeeded if isinstance(o.result, Instance)]
    await _phase(
        rt,
        phases,
        "reinstall",
        lambda id_: ln.instances.reinstall(
            id_, image=plan.new_image, password=password
        ),
        ids,
    )
    await _phase(rt, phases, "stop", lambda id_: ln.instances.stop(id_), ids)
    await _phase(rt, phases, "delete", lambda id_: ln.instances.delete(id_), ids)
    return phases


async def _phase(
    rt: Runtime,
    phases: list[Phase],
    name: str,
    make: Callable[[Any], Operation[Any]],
    items: Sequence[Any],
) -> fleet.FleetResult[Any]:
    began = time.perf_counter()
    result = await run_fleet(rt, name, make, items, concurrency=max(1, len(items)))
    phase = Phase(
        name=name,
        servers=len(items),
        succeeded=len(result.succeeded),
        failed=len(result.failed),
        unknown=len(result.unknown),
        seconds=time.perf_counter() - began,
    )
    phases.append(phase)
    if not rt.args.json:
        rt.console.print(
            f"{name:<9} {phase.servers:>3} servers  {phase.succeeded:>3} ok  "
            f"{phase.failed} failed  {phase.unknown} unknown  {phase.seconds:5.1f} s"
        )
    if not result.ok:
        for outcome in (*result.failed, *result.unknown):
            rt.console.note(f"{name}: {outcome.key}: {outcome.error}")
    return result


async def _choose(ln: LightNode) -> _Plan:
    """Picks the first zone with a plan of its own and two system images."""
    for region in await ln.regions.list():
        for zone in region.zones:
            plans = await ln.packages.list(region=region.code, zone=zone.code)
            images = await ln.images.list(
                region=region.code, image_type=ImageType.SYSTEM
            )
            if plans and len(images) >= 2:
                return _Plan(
                    region=region.code,
                    zone=zone.code,
                    package=plans[0].code,
                    image=images[0].id,
                    new_image=images[1].id,
                )
    raise RuntimeError("the fake offers no zone with a plan and two images")
