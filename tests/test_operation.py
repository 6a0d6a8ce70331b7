"""Operations and the shared task poller: lazy start, state, many awaiters,
one poll per round, deadlines, cancellation, and a gathered fleet."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from lightnode_aio import (
    ClientClosedError,
    LightNode,
    Limits,
    OperationState,
    PollPolicy,
    TaskTimeoutError,
)
from lightnode_aio.testing import FakeLightNode
from tests.conftest import FAST_POLLING, PASSWORD, make_client
from tests.support import pick


def _poll_times(fake: FakeLightNode, task_id: str) -> list[float]:
    return [
        r.time
        for r in fake.requests
        if r.path == "/asynctask/getResult" and r.query["asyncTaskUUID"] == task_id
    ]


def sdk_tasks() -> set[asyncio.Task[object]]:
    """The asyncio tasks running SDK code (the fake server's are left out)."""
    found = set()
    for task in asyncio.all_tasks():
        code = getattr(task.get_coro(), "cr_code", None)
        where = code.co_filename if code else ""
        if "lightnode_aio" in where and "testing" not in where:
            found.add(task)
    return found


def max_polls(policy: PollPolicy, duration: float) -> int:
    """The bound the poller promises: it asks after the first interval and
    then after each grown interval, so a task that runs ``duration`` seconds
    is seen finished at the first question after that, at the latest."""
    waited, interval = 0.0, policy.first_interval
    for polls in itertools.count(1):
        waited += interval
        if waited >= duration:
            return polls
        interval = min(interval * policy.factor, policy.max_interval)
    raise AssertionError("unreachable")


async def test_nothing_is_sent_until_awaited(
    ln: LightNode, fake: FakeLightNode
) -> None:
    op = ln.instances.start(pick(fake, "STOPPED"))
    await asyncio.sleep(0.05)

    assert op.state == OperationState.NOT_SENT
    assert fake.requests == []
    await op


async def test_state_task_id_and_instance_id_as_it_runs(
    ln: LightNode, fake: FakeLightNode
) -> None:
    fake.task_duration = 0.2
    instance_id = pick(fake, "STOPPED")
    op = ln.instances.start(instance_id)

    task_id = await op.submitted()
    accepted_state = op.state
    server = await op

    assert accepted_state in (OperationState.ACCEPTED, OperationState.RUNNING)
    assert op.task_id == task_id == fake.requests[0].task_id
    assert op.instance_id == instance_id == server.id
    assert op.state == OperationState.SUCCEEDED
    assert op.task is not None and op.task.succeeded
    assert task_id in repr(op) and "succeeded" in repr(op)


async def test_awaiting_twice_runs_once(ln: LightNode, fake: FakeLightNode) -> None:
    instance_id = pick(fake, "STOPPED")
    op = ln.instances.start(instance_id)

    first, second = await asyncio.gather(op, op)
    third = await op

    assert first == second == third
    assert fake.submissions[("start", instance_id)] == 1


async def test_awaiters_of_one_task_share_one_poll_per_round(
    ln: LightNode, fake: FakeLightNode
) -> None:
    fake.task_duration = 0.4
    op = ln.instances.start(pick(fake, "STOPPED"))
    task_id = await op.submitted()

    await asyncio.gather(op, op, ln.tasks.wait(task_id), ln.tasks.wait(task_id))

    times = _poll_times(fake, task_id)
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert len(times) <= max_polls(FAST_POLLING, 0.4) + 1
    assert min(gaps) >= FAST_POLLING.first_interval * 0.9


async def test_a_dropped_operation_that_never_started_warns(ln: LightNode) -> None:
    op = ln.instances.start("ecs-ab0000xyz123")

    with pytest.warns(RuntimeWarning, match="never awaited"):
        del op  # the last reference: the operation is collected here


async def test_the_deadline_raises_task_timeout_with_the_task_id(
    ln: LightNode, fake: FakeLightNode
) -> None:
    fake.task_duration = 5
    op = ln.instances.start(pick(fake, "STOPPED"), deadline=0.2)

    with pytest.raises(TaskTimeoutError) as caught:
        await op

    assert caught.value.task_id == op.task_id is not None
    assert caught.value.deadline == 0.2
    assert f"tasks.wait({op.task_id!r})" in str(caught.value)
    assert op.state == OperationState.FAILED


async def test_the_client_deadline_applies_per_kind(fake: FakeLightNode) -> None:
    from lightnode_aio import Deadlines

    fake.task_duration = 5
    async with make_client(fake, deadlines=Deadlines(start=0.2)) as client:
        op = client.instances.start(pick(fake, "STOPPED"))
        with pytest.raises(TaskTimeoutError):
            await op

    assert op.deadline == 0.2


async def test_cancelling_stops_polling_and_leaves_no_task(
    ln: LightNode, fake: FakeLightNode
) -> None:
    fake.task_duration = 5
    op = ln.instances.start(pick(fake, "STOPPED"))
    waiter = asyncio.ensure_future(op)
    task_id = await op.submitted()
    await asyncio.sleep(0.1)

    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    await asyncio.sleep(0.05)  # a question already on the wire may land
    polls = fake.poll_counts[task_id]
    await asyncio.sleep(0.3)

    assert op.state == OperationState.CANCELLED
    assert fake.poll_counts[task_id] == polls  # no more questions
    assert ln._poller.watching == 0
    assert sdk_tasks() == set()


async def test_closing_the_client_ends_running_operations_clearly(
    fake: FakeLightNode,
) -> None:
    fake.task_duration = 5
    client = make_client(fake)
    op = client.instances.start(pick(fake, "STOPPED")).start()
    task_id = await op.submitted()

    await client.close()

    with pytest.raises(ClientClosedError, match=task_id):
        await op
    assert sdk_tasks() == set()


async def test_a_gathered_fleet_of_200_reinstalls(fake: FakeLightNode) -> None:
    zone = {"region": "tr-ist-1", "zone": "tr-ist-1-a"}
    fleet = [
        fake.add_instance(**zone, name=f"fleet-{n:03}", status="STOPPED")[
            "ecsResourceUUID"
        ]
        for n in range(200)
    ]
    image = next(
        i["imageResourceUUID"] for i in fake.images if i["regionCode"] == "tr-ist-1"
    )
    fake.task_duration = 0.3
    limits = Limits(max_in_flight=32, requests_per_second=2000)

    async with make_client(fake, limits=limits) as client:
        servers = await asyncio.gather(
            *(
                client.instances.reinstall(i, image=image, password=PASSWORD)
                for i in fleet
            )
        )

    assert [server.id for server in servers] == fleet
    assert all(server.image_id == image for server in servers)
    reinstalled = [i for kind, i in fake.effects if kind == "reinstall"]
    assert sorted(reinstalled) == sorted(fleet)  # each exactly once
    bound = max_polls(FAST_POLLING, 0.3) + 1
    polls = [
        fake.poll_counts[t] for t, rec in fake.tasks.items() if rec.kind == "reinstall"
    ]
    assert len(polls) == 200
    assert max(polls) <= bound
