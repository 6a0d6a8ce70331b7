"""Tasks: the lifecycle, pending states, planned outcomes and their effects."""

from __future__ import annotations

import asyncio

import pytest

from lightnode_aio.testing import FakeLightNode

from .fake_support import GOOD_PASSWORD, SMALL_REGION, SMALL_ZONE, Api

NEW_PASSWORD = "An0ther:Secret"


def _stopped(fake: FakeLightNode) -> str:
    record = fake.add_instance(region=SMALL_REGION, zone=SMALL_ZONE, status="STOPPED")
    return str(record["ecsResourceUUID"])


def _started(fake: FakeLightNode) -> str:
    record = fake.add_instance(region=SMALL_REGION, zone=SMALL_ZONE, status="STARTED")
    return str(record["ecsResourceUUID"])


def _image(fake: FakeLightNode, name: str = "Debian 12 64bit") -> str:
    return str(
        next(
            i["imageResourceUUID"]
            for i in fake.images
            if i["regionCode"] == SMALL_REGION and i["imageName"] == name
        )
    )


async def test_create_lifecycle(api: Api, fake: FakeLightNode) -> None:
    fake.task_duration = 0.2

    ref = await api.create("web-new")
    _, early = await api.detail(ref["ecsResourceUUID"])
    running = await api.task(ref["asyncTaskUUID"])
    finished = await api.wait(ref["asyncTaskUUID"])
    _, late = await api.detail(ref["ecsResourceUUID"])

    assert set(ref) == {"asyncTaskUUID", "ecsResourceUUID"}
    assert ref["ecsResourceUUID"].startswith("ecs-")
    assert early["instance"]["ecsStatus"] == "STOPPED"
    assert early["instance"]["ecsPendingStatus"] == "CREATING"
    assert early["instance"]["publicIpAddress"] == ""
    assert running == {
        "asyncTaskUUID": ref["asyncTaskUUID"],
        "ecsResourceUUID": ref["ecsResourceUUID"],
        "taskStatus": "PROCESSING",
    }
    assert finished["taskStatus"] == "FINISHED"
    assert finished["processResult"] == "SUCCESS"
    assert "errorMessage" not in finished
    assert late["instance"]["ecsStatus"] == "STARTED"
    assert late["instance"]["ecsPendingStatus"] == "NONE"
    assert late["instance"]["publicIpAddress"]
    assert late["instance"]["instanceName"] == "web-new"
    assert fake.effects == [("create", ref["ecsResourceUUID"])]
    assert fake.submissions[("create", ref["ecsResourceUUID"])] == 1
    assert fake.check_password(ref["ecsResourceUUID"], GOOD_PASSWORD)


async def test_created_instance_is_listed_at_once(api: Api) -> None:
    ref = await api.create("listed-1")

    _, body = await api.get(
        "/instance/list", regionCode=SMALL_REGION, zoneCode=SMALL_ZONE
    )

    ids = [i["ecsResourceUUID"] for i in body["instances"]]
    assert ids[-1] == ref["ecsResourceUUID"]


@pytest.mark.parametrize(
    ("path", "kind", "pending", "before", "after"),
    [
        ("/instance/stop", "stop", "STOPPING", "STARTED", "STOPPED"),
        ("/instance/start", "start", "STARTING", "STOPPED", "STARTED"),
        ("/instance/restart", "restart", "RESTARTING", "STARTED", "STARTED"),
        ("/instance/restart", "restart", "RESTARTING", "STOPPED", "STARTED"),
    ],
    ids=["stop", "start", "restart", "restart-stopped"],
)
async def test_power_actions(
    api: Api,
    fake: FakeLightNode,
    path: str,
    kind: str,
    pending: str,
    before: str,
    after: str,
) -> None:
    instance_id = _started(fake) if before == "STARTED" else _stopped(fake)

    status, reply = await api.post(path, {"ecsResourceUUID": instance_id})
    _, during = await api.detail(instance_id)
    await api.wait(reply["asyncTaskUUID"])
    _, done = await api.detail(instance_id)

    assert status == 202
    assert set(reply) == {"asyncTaskUUID", "httpStatus", "rowCount"}
    assert during["instance"]["ecsPendingStatus"] == pending
    assert done["instance"]["ecsStatus"] == after
    assert done["instance"]["ecsPendingStatus"] == "NONE"
    assert fake.effects == [(kind, instance_id)]


async def test_force_stop_is_accepted_and_must_be_boolean(
    api: Api, fake: FakeLightNode
) -> None:
    instance_id = _started(fake)

    bad, body = await api.post(
        "/instance/stop", {"ecsResourceUUID": instance_id, "forceStop": "yes"}
    )
    good, _ = await api.post(
        "/instance/stop", {"ecsResourceUUID": instance_id, "forceStop": True}
    )

    assert bad == 400
    assert body["code"] == "InvalidParameter.Body"
    assert good == 202


async def test_start_of_started_and_stop_of_stopped_are_refused(
    api: Api, fake: FakeLightNode
) -> None:
    started, stopped = _started(fake), _stopped(fake)

    s1, b1 = await api.post("/instance/start", {"ecsResourceUUID": started})
    s2, b2 = await api.post("/instance/stop", {"ecsResourceUUID": stopped})

    assert (s1, b1["code"]) == (400, "IncorrectInstanceStatus")
    assert (s2, b2["code"]) == (400, "IncorrectInstanceStatus")
    assert not fake.submissions


async def test_busy_instance_refuses_new_actions(api: Api, fake: FakeLightNode) -> None:
    fake.task_duration = 1.0
    instance_id = _started(fake)
    await api.post("/instance/stop", {"ecsResourceUUID": instance_id})

    status, body = await api.post("/instance/release", {"ecsResourceUUID": instance_id})

    assert status == 400
    assert body["code"] == "IncorrectInstanceStatus.Busy"
    assert fake.submissions[("delete", instance_id)] == 0


async def test_reinstall_is_refused_on_a_running_server(
    api: Api, fake: FakeLightNode
) -> None:
    instance_id = _started(fake)

    status, body = await api.post(
        "/instance/reinstallSystem",
        {
            "ecsResourceUUID": instance_id,
            "imageResourceUUID": _image(fake),
            "password": NEW_PASSWORD,
        },
    )

    assert status == 400
    assert body["code"] == "IncorrectInstanceStatus.NotStopped"
    assert NEW_PASSWORD not in body["message"]


async def test_reinstall_of_a_stopped_server(api: Api, fake: FakeLightNode) -> None:
    instance_id = _stopped(fake)
    image = _image(fake, "Windows Server 2022 Datacenter")
    key = fake.ssh_keys[0]["sshKeyUUID"]

    status, reply = await api.post(
        "/instance/reinstallSystem",
        {
            "ecsResourceUUID": instance_id,
            "imageResourceUUID": image,
            "password": NEW_PASSWORD,
            "sshKeyResourceUUID": key,
            "regionCode": SMALL_REGION,
            "zoneCode": SMALL_ZONE,
        },
    )
    _, during = await api.detail(instance_id)
    await api.wait(reply["asyncTaskUUID"])
    _, done = await api.detail(instance_id)

    assert status == 202
    assert "asyncTaskUUID" in reply
    assert during["instance"]["ecsPendingStatus"] == "REINSTALLING"
    assert done["instance"]["imageResourceUUID"] == image
    assert done["instance"]["ecsStatus"] == "STARTED"
    assert done["instance"]["sysAccount"] == "Administrator"
    assert fake.check_password(instance_id, NEW_PASSWORD)


async def test_reset_password(api: Api, fake: FakeLightNode) -> None:
    instance_id = _started(fake)

    status, reply = await api.post(
        "/instance/modifyInstancePassword",
        {"ecsResourceUUID": instance_id, "password": NEW_PASSWORD},
    )
    _, during = await api.detail(instance_id)
    await api.wait(reply["asyncTaskUUID"])

    assert status == 202
    assert during["instance"]["ecsPendingStatus"] == "RESETTING_PASSWORD"
    assert fake.check_password(instance_id, NEW_PASSWORD)
    assert not fake.check_password(instance_id, GOOD_PASSWORD)


async def test_delete_removes_the_instance(api: Api, fake: FakeLightNode) -> None:
    instance_id = _started(fake)

    status, reply = await api.post(
        "/instance/release", {"ecsResourceUUID": instance_id}
    )
    _, during = await api.detail(instance_id)
    info = await api.wait(reply["asyncTaskInfo"]["asyncTaskUUID"])
    gone, _ = await api.detail(instance_id)
    _, listed = await api.get(
        "/instance/list", regionCode=SMALL_REGION, zoneCode=SMALL_ZONE
    )

    assert status == 202
    assert reply["asyncTaskInfo"]["ecsResourceUUID"] == instance_id
    assert during["instance"]["ecsPendingStatus"] == "RELEASING"
    assert info["processResult"] == "SUCCESS"
    assert gone == 404
    assert instance_id not in [i["ecsResourceUUID"] for i in listed["instances"]]
    assert instance_id not in fake.instances


@pytest.mark.parametrize("outcome", ["FAIL", "CANCEL"])
async def test_planned_failure_changes_nothing(
    api: Api, fake: FakeLightNode, outcome: str
) -> None:
    instance_id = _started(fake)
    fake.plan_task("stop", outcome=outcome, message="host is on fire")

    _, reply = await api.post("/instance/stop", {"ecsResourceUUID": instance_id})
    info = await api.wait(reply["asyncTaskUUID"])
    _, after = await api.detail(instance_id)

    assert info["taskStatus"] == "FINISHED"
    assert info["processResult"] == outcome
    assert info["errorMessage"] == "host is on fire"
    assert after["instance"]["ecsStatus"] == "STARTED"
    assert after["instance"]["ecsPendingStatus"] == "NONE"
    assert fake.effects == []
    assert fake.tasks[reply["asyncTaskUUID"]].outcome == outcome


async def test_failed_task_has_a_default_message(api: Api, fake: FakeLightNode) -> None:
    fake.plan_task(outcome="FAIL")

    ref = await api.create()
    info = await api.wait(ref["asyncTaskUUID"])

    assert info["processResult"] == "FAIL"
    assert info["errorMessage"]


async def test_failed_create_leaves_a_deletable_instance(
    api: Api, fake: FakeLightNode
) -> None:
    fake.plan_task("create", outcome="FAIL")

    ref = await api.create("doomed-1")
    await api.wait(ref["asyncTaskUUID"])
    _, left = await api.detail(ref["ecsResourceUUID"])
    _, reply = await api.post(
        "/instance/release", {"ecsResourceUUID": ref["ecsResourceUUID"]}
    )
    deleted = await api.wait(reply["asyncTaskInfo"]["asyncTaskUUID"])
    gone, _ = await api.detail(ref["ecsResourceUUID"])

    assert left["instance"]["ecsStatus"] == "STOPPED"
    assert left["instance"]["ecsPendingStatus"] == "NONE"
    assert left["instance"]["publicIpAddress"] == ""
    assert deleted["processResult"] == "SUCCESS"
    assert gone == 404
    assert fake.effects == [("delete", ref["ecsResourceUUID"])]


async def test_retry_phases_report_retry_while_processing(
    api: Api, fake: FakeLightNode
) -> None:
    fake.plan_task("create", retry_phases=2, duration=0.6)

    ref = await api.create()
    seen = []
    while True:
        info = await api.task(ref["asyncTaskUUID"])
        seen.append((info["taskStatus"], info.get("processResult")))
        if info["taskStatus"] == "FINISHED":
            break
        await asyncio.sleep(0.02)

    assert seen[0] == ("PROCESSING", "RETRY")
    assert ("PROCESSING", None) in seen
    assert seen[-1] == ("FINISHED", "SUCCESS")
    # RETRY comes first, then plain PROCESSING, never RETRY again.
    first_plain = seen.index(("PROCESSING", None))
    assert ("PROCESSING", "RETRY") not in seen[first_plain:]


async def test_plans_queue_per_kind_in_order(api: Api, fake: FakeLightNode) -> None:
    fake.plan_task("create", outcome="FAIL")
    fake.plan_task("create", outcome="CANCEL")

    results = []
    for n in range(3):
        ref = await api.create(f"queued-{n}")
        results.append((await api.wait(ref["asyncTaskUUID"]))["processResult"])

    assert results == ["FAIL", "CANCEL", "SUCCESS"]


async def test_plan_without_kind_applies_to_the_next_task_of_any_kind(
    api: Api, fake: FakeLightNode
) -> None:
    fake.plan_task(None, outcome="CANCEL")
    fake.plan_task("create", outcome="FAIL")
    instance_id = _started(fake)

    _, stop = await api.post("/instance/stop", {"ecsResourceUUID": instance_id})
    ref = await api.create()

    assert (await api.wait(stop["asyncTaskUUID"]))["processResult"] == "CANCEL"
    assert (await api.wait(ref["asyncTaskUUID"]))["processResult"] == "FAIL"


def test_plan_task_validates(fake: FakeLightNode) -> None:
    with pytest.raises(ValueError, match="kind"):
        fake.plan_task("explode")
    with pytest.raises(ValueError, match="outcome"):
        fake.plan_task("create", outcome="RETRY")
    with pytest.raises(ValueError, match="negative"):
        fake.plan_task("create", duration=-1)


async def test_task_durations_override_per_kind(api: Api, fake: FakeLightNode) -> None:
    fake.task_durations["create"] = 0.0
    fake.task_duration = 10.0

    ref = await api.create()
    info = await api.task(ref["asyncTaskUUID"])

    assert info["taskStatus"] == "FINISHED"
    assert fake.tasks[ref["asyncTaskUUID"]].duration == 0.0


async def test_planned_duration_wins(api: Api, fake: FakeLightNode) -> None:
    fake.task_durations["create"] = 10.0
    fake.plan_task("create", duration=0.0)

    ref = await api.create()

    assert (await api.task(ref["asyncTaskUUID"]))["taskStatus"] == "FINISHED"


async def test_public_ip_arrives_ip_delay_after_success(
    api: Api, fake: FakeLightNode
) -> None:
    fake.ip_delay = 0.3

    ref = await api.create()
    await api.wait(ref["asyncTaskUUID"])
    _, right_after = await api.detail(ref["ecsResourceUUID"])
    await asyncio.sleep(0.35)
    _, later = await api.detail(ref["ecsResourceUUID"])

    assert right_after["instance"]["ecsStatus"] == "STARTED"
    assert right_after["instance"]["publicIpAddress"] == ""
    assert later["instance"]["publicIpAddress"]


async def test_poll_counts(api: Api, fake: FakeLightNode) -> None:
    ref = await api.create()
    task_id = ref["asyncTaskUUID"]

    for _ in range(4):
        await api.task(task_id)

    assert fake.poll_counts[task_id] == 4
    assert fake.tasks[task_id].polls == 4


async def test_effect_is_applied_once_however_often_polled(
    api: Api, fake: FakeLightNode
) -> None:
    fake.task_duration = 0.0
    instance_id = _started(fake)

    _, reply = await api.post("/instance/stop", {"ecsResourceUUID": instance_id})
    for _ in range(5):
        await api.task(reply["asyncTaskUUID"])
        await api.detail(instance_id)

    assert fake.effects == [("stop", instance_id)]
    task = fake.tasks[reply["asyncTaskUUID"]]
    assert task.finished == pytest.approx(task.started)


async def test_state_advances_without_requests(api: Api, fake: FakeLightNode) -> None:
    ref = await api.create()

    await asyncio.sleep(0.1)

    record = fake.instances[ref["ecsResourceUUID"]]
    assert record["ecsStatus"] == "STARTED"
    assert fake.tasks[ref["asyncTaskUUID"]].finished is not None


@pytest.mark.parametrize(
    ("kind", "path", "shape"),
    [
        ("reinstall", "/instance/reinstallSystem", "nested"),
        ("stop", "/instance/stop", "nested"),
        ("delete", "/instance/release", "flat"),
    ],
)
async def test_reply_shapes_can_be_switched(
    api: Api, fake: FakeLightNode, kind: str, path: str, shape: str
) -> None:
    fake.reply_shapes[kind] = shape
    instance_id = _stopped(fake) if kind == "reinstall" else _started(fake)
    body = {"ecsResourceUUID": instance_id}
    if kind == "reinstall":
        body |= {"imageResourceUUID": _image(fake), "password": NEW_PASSWORD}

    status, reply = await api.post(path, body)

    assert status == 202
    if shape == "nested":
        assert "asyncTaskUUID" not in reply
        assert reply["asyncTaskInfo"]["ecsResourceUUID"] == instance_id
    else:
        assert "asyncTaskInfo" not in reply
        assert reply["asyncTaskUUID"] in fake.tasks


async def test_create_reply_can_be_flat(api: Api, fake: FakeLightNode) -> None:
    fake.reply_shapes["create"] = "flat"

    status, reply = await api.post("/instance/create", api.create_body())

    assert status == 202
    assert set(reply) == {"asyncTaskUUID", "httpStatus", "rowCount"}


async def test_many_concurrent_creates(api: Api, fake: FakeLightNode) -> None:
    refs = await asyncio.gather(*(api.create(f"bulk-{n}") for n in range(200)))
    infos = await asyncio.gather(*(api.wait(r["asyncTaskUUID"]) for r in refs))

    assert {i["processResult"] for i in infos} == {"SUCCESS"}
    assert len({r["ecsResourceUUID"] for r in refs}) == 200
    assert len(fake.effects) == 200
