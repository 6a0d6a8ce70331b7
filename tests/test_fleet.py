"""``lightnode_aio.fleet``: many operations, bounded, with progress and an
outcome for every server."""

from __future__ import annotations

import pytest

from lightnode_aio import InvalidArgumentError, LightNode, TaskFailedError, fleet
from lightnode_aio.fleet import EventKind, FleetEvent
from lightnode_aio.testing import FakeLightNode
from tests.conftest import PASSWORD
from tests.support import ZONE, add_fleet, image_in, package_in


async def test_run_succeeds_for_every_server_within_the_limit(
    ln: LightNode, fake: FakeLightNode
) -> None:
    ids = add_fleet(fake, 12)
    fake.task_duration = 0.1
    events: list[FleetEvent] = []

    result = await fleet.run(
        [ln.instances.start(i) for i in ids], concurrency=3, on_event=events.append
    )

    assert result.ok
    assert sorted(o.key for o in result.succeeded) == sorted(ids)
    assert all(
        o.result is not None and o.result.status == "STARTED" for o in result.succeeded
    )
    assert max(_overlap(fake, "start")) <= 3
    kinds = [event.kind for event in events]
    assert kinds.count(EventKind.SUBMITTED) == kinds.count(EventKind.SUCCEEDED) == 12
    assert events[-1].finished == events[-1].total == 12
    assert str(result) == "12 succeeded, 0 failed, 0 unknown"


def _overlap(fake: FakeLightNode, kind: str) -> list[int]:
    """How many tasks of a kind ran at once, at each task's start."""
    spans = [(t.started, t.finished) for t in fake.tasks.values() if t.kind == kind]
    return [sum(1 for s, f in spans if s <= start < f) for start, _ in spans]


async def test_partial_failure_is_reported_per_server(
    ln: LightNode, fake: FakeLightNode
) -> None:
    ids = add_fleet(fake, 5)
    fake.plan_task("start", outcome="FAIL", message="host down")

    result = await fleet.map(lambda i: ln.instances.start(i), ids, concurrency=1)

    assert len(result.succeeded) == 4
    [failed] = result.failed
    assert failed.key == ids[0]
    assert isinstance(failed.error, TaskFailedError)
    assert failed.task_id is not None
    assert not result.ok


async def test_an_item_whose_operation_cannot_be_made_fails_alone(
    ln: LightNode, fake: FakeLightNode
) -> None:
    ids = [*add_fleet(fake, 2), "not-an-id"]

    result = await fleet.map(ln.instances.start, ids)

    assert [o.key for o in result.failed] == ["not-an-id"]
    assert isinstance(result.failed[0].error, InvalidArgumentError)
    assert len(result.succeeded) == 2


async def test_stop_submitting_after_n_failures(
    ln: LightNode, fake: FakeLightNode
) -> None:
    ids = add_fleet(fake, 6)
    for _ in range(2):
        fake.plan_task("start", outcome="FAIL")

    result = await fleet.map(ln.instances.start, ids, concurrency=1, max_failures=2)

    assert len(result.failed) == 2
    assert [o.key for o in result.skipped] == ids[2:]
    assert fake.submissions[("start", ids[3])] == 0


async def test_a_timed_out_operation_is_unknown_with_its_task_id(
    ln: LightNode, fake: FakeLightNode
) -> None:
    [instance_id] = add_fleet(fake, 1)
    fake.task_duration = 5

    result = await fleet.run([ln.instances.start(instance_id, deadline=0.2)])

    [unknown] = result.unknown
    assert unknown.task_id is not None
    assert (await ln.tasks.get(unknown.task_id)).status == "PROCESSING"


async def test_cleanup_deletes_what_failed_creates_left(
    ln: LightNode, fake: FakeLightNode
) -> None:
    fake.plan_task("create", outcome="SUCCESS")
    fake.plan_task("create", outcome="FAIL")
    args = {"package": package_in(fake), "image": image_in(fake), "password": PASSWORD}
    names = ["new-1", "new-2"]

    result = await fleet.map(
        lambda name: ln.instances.create(name=name, **ZONE, **args),
        names,
        concurrency=1,
        cleanup="failed",
    )

    [failed] = result.failed
    assert result.cleaned_up == [failed.instance_id]
    assert failed.instance_id not in fake.instances
    assert result.succeeded[0].result is not None
    assert result.succeeded[0].result.id in fake.instances


async def test_cleanup_all_leaves_nothing_of_a_batch_that_went_wrong(
    ln: LightNode, fake: FakeLightNode
) -> None:
    fake.plan_task("create", outcome="SUCCESS")
    fake.plan_task("create", outcome="CANCEL")
    before = set(fake.instances)
    args = {"package": package_in(fake), "image": image_in(fake), "password": PASSWORD}

    result = await fleet.map(
        lambda name: ln.instances.create(name=name, **ZONE, **args),
        ["all-1", "all-2", "all-3"],
        concurrency=1,
        cleanup="all",
    )

    assert len(result.cleaned_up) == 3
    assert set(fake.instances) == before


@pytest.mark.parametrize(
    "options",
    [{"concurrency": 0}, {"max_failures": 0}, {"cleanup": "some"}],
)
async def test_bad_options_are_refused(
    ln: LightNode, options: dict[str, object]
) -> None:
    with pytest.raises(InvalidArgumentError):
        await fleet.map(ln.instances.start, [], **options)  # type: ignore[arg-type]


async def test_a_broken_progress_callback_does_not_stop_the_fleet(
    ln: LightNode, fake: FakeLightNode
) -> None:
    ids = add_fleet(fake, 2)

    def explode(event: FleetEvent) -> None:
        raise RuntimeError("progress bar broke")

    result = await fleet.map(ln.instances.start, ids, on_event=explode)

    assert result.ok
