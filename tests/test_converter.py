"""The converter: API records into models, tolerant of what the API may add,
and precise about what it cannot read."""

from __future__ import annotations

import datetime

import pytest

from lightnode_aio import Instance, InstanceStatus, Task, TaskResult, TaskStatus
from lightnode_aio._converter import ShapeError, structure, structure_list


def test_times_without_a_zone_stay_naive_and_exact() -> None:
    server = structure(
        {"ecsResourceUUID": "ecs-1", "createTime": "2026-03-12 10:15:17"}, Instance
    )

    assert server.created_at == datetime.datetime(2026, 3, 12, 10, 15, 17)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-12T10:15:17+08:00", "2026-03-12T10:15:17+08:00"),
        (1773310517, "2026-03-12T10:15:17+00:00"),
        (1773310517000, "2026-03-12T10:15:17+00:00"),
        ("", None),
        (None, None),
    ],
)
def test_other_time_forms_are_read(value: object, expected: str | None) -> None:
    server = structure({"ecsResourceUUID": "ecs-1", "createTime": value}, Instance)

    shown = server.created_at.isoformat() if server.created_at else None
    assert shown == expected


def test_empty_strings_and_nulls_mean_not_set() -> None:
    server = structure(
        {
            "ecsResourceUUID": "ecs-1",
            "publicIpAddress": "",
            "secondaryPublicIpInfoList": None,
            "cpu": None,
        },
        Instance,
    )

    assert server.public_ip is None
    assert server.secondary_public_ips == ()
    assert server.cpu is None


def test_numbers_sent_as_text_are_read() -> None:
    server = structure(
        {"ecsResourceUUID": "ecs-1", "cpu": "2", "memory": "1.5"}, Instance
    )

    assert (server.cpu, server.memory) == (2, 1.5)


def test_known_and_unknown_status_values() -> None:
    known = structure({"ecsResourceUUID": "ecs-1", "ecsStatus": "STOPPED"}, Instance)
    unknown = structure({"ecsResourceUUID": "ecs-1", "ecsStatus": "RESCUE"}, Instance)

    assert known.status is InstanceStatus.STOPPED
    assert unknown.status == "RESCUE"
    assert not isinstance(unknown.status, InstanceStatus)


def test_task_message_is_read_under_its_likely_names() -> None:
    task = structure(
        {"taskStatus": "FINISHED", "processResult": "FAIL", "errMsg": "quota"}, Task
    )

    assert (task.status, task.result, task.message) == (
        TaskStatus.FINISHED,
        TaskResult.FAIL,
        "quota",
    )
    assert task.failed and not task.succeeded


def test_every_misfit_is_named_with_its_path_and_value() -> None:
    records = [
        {"ecsResourceUUID": "ecs-1"},
        {"ecsResourceUUID": "ecs-2", "cpu": "two", "createTime": "yesterday"},
    ]

    with pytest.raises(ShapeError) as caught:
        structure_list(records, Instance, where="$.instances")

    assert caught.value.problems == [
        "expected a number, got 'two' @ $.instances[1].cpu",
        "invalid date-time 'yesterday' @ $.instances[1].createTime",
    ]


@pytest.mark.parametrize("record", [[], "text", 5, None])
def test_a_record_that_is_not_an_object_is_a_shape_error(record: object) -> None:
    with pytest.raises(ShapeError, match=r"expected an object, got .* @ \$"):
        structure(record, Instance)


def test_a_list_that_is_not_a_list_is_a_shape_error() -> None:
    with pytest.raises(ShapeError, match=r"expected a list, got .* @ \$.instances"):
        structure_list({"a": 1}, Instance, where="$.instances")


def test_raw_keeps_the_record_but_stays_out_of_equality() -> None:
    first = structure({"ecsResourceUUID": "ecs-1", "extra": 1}, Instance)
    second = structure({"ecsResourceUUID": "ecs-1", "extra": 2}, Instance)

    assert first == second
    assert first.raw["extra"] == 1
    assert hash(first) == hash(second)


@pytest.mark.parametrize(
    "model",
    [
        structure(
            {"ecsResourceUUID": "ecs-1", "createTime": "2026-03-12 10:15:17"}, Instance
        ),
        Instance(id="ecs-made-by-hand"),
        structure({"taskStatus": "FINISHED", "processResult": "SUCCESS"}, Task),
    ],
    ids=["structured", "by hand", "task"],
)
def test_models_pickle_whole(model: object) -> None:
    import pickle

    copy = pickle.loads(pickle.dumps(model))  # e.g. fleet results across processes

    assert copy == model
    assert dict(copy.raw) == dict(model.raw)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("status", "pending", "running", "stopped", "busy"),
    [
        ("STARTED", "NONE", True, False, False),
        ("STOPPED", "NONE", False, True, False),
        ("STARTED", "STOPPING", False, False, True),
        ("STOPPED", None, False, True, False),  # no pending status: idle
        ("RESCUE", "NONE", False, False, False),
    ],
)
def test_instance_state_properties(
    status: str, pending: str | None, running: bool, stopped: bool, busy: bool
) -> None:
    server = structure(
        {"ecsResourceUUID": "ecs-1", "ecsStatus": status, "ecsPendingStatus": pending},
        Instance,
    )

    assert (server.is_running, server.is_stopped, server.is_busy) == (
        running,
        stopped,
        busy,
    )
