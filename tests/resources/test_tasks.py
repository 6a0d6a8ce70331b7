"""``ln.tasks``: reading a task, and waiting on one by its id alone."""

from __future__ import annotations

import pytest

from lightnode_aio import (
    InvalidArgumentError,
    LightNode,
    NotFoundError,
    TaskFailedError,
    TaskResult,
    TaskStatus,
    TaskTimeoutError,
)
from lightnode_aio.testing import FakeLightNode
from tests.support import pick


async def test_get_reads_a_running_then_finished_task(
    ln: LightNode, fake: FakeLightNode
) -> None:
    fake.task_duration = 0.2
    op = ln.instances.start(pick(fake, "STOPPED"))
    task_id = await op.submitted()

    running = await ln.tasks.get(task_id)
    await op
    finished = await ln.tasks.get(task_id)

    assert running.status == TaskStatus.PROCESSING and not running.is_finished
    assert finished.status == TaskStatus.FINISHED
    assert finished.result == TaskResult.SUCCESS and finished.succeeded
    assert finished.id == task_id


async def test_get_of_an_unknown_task_raises_not_found(ln: LightNode) -> None:
    with pytest.raises(NotFoundError):
        await ln.tasks.get("zz0000000000")


async def test_get_refuses_an_instance_id(ln: LightNode) -> None:
    with pytest.raises(InvalidArgumentError, match="task_id"):
        await ln.tasks.get("ecs-ab0000xyz123")


async def test_wait_resumes_from_the_task_id_alone(
    ln: LightNode, fake: FakeLightNode
) -> None:
    fake.task_duration = 0.3
    op = ln.instances.start(pick(fake, "STOPPED"), deadline=0.1)
    with pytest.raises(TaskTimeoutError) as caught:
        await op
    task_id = caught.value.task_id
    assert task_id is not None

    task = await ln.tasks.wait(task_id)

    assert task.succeeded
    assert fake.instances[op.instance_id or ""]["ecsStatus"] == "STARTED"


async def test_wait_raises_when_the_task_failed(
    ln: LightNode, fake: FakeLightNode
) -> None:
    fake.plan_task("start", outcome="CANCEL", message="cancelled by support")
    op = ln.instances.start(pick(fake, "STOPPED"))
    task_id = await op.submitted()

    with pytest.raises(TaskFailedError) as caught:
        await ln.tasks.wait(task_id)
    with pytest.raises(TaskFailedError):
        await op

    assert caught.value.result == "CANCEL"
    assert caught.value.reason == "cancelled by support"


async def test_wait_has_a_deadline(ln: LightNode, fake: FakeLightNode) -> None:
    fake.task_duration = 5
    op = ln.instances.start(pick(fake, "STOPPED"), deadline=30)
    task_id = await op.submitted()

    with pytest.raises(TaskTimeoutError) as caught:
        await ln.tasks.wait(task_id, deadline=0.1)

    assert caught.value.task_id == task_id
    assert not op.done()  # the operation waits on; closing the client ends it
