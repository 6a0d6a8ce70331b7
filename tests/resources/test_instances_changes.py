"""``ln.instances`` changes: each mutation end to end against the fake, in
both reply shapes, with its failures and its client-side checks."""

from __future__ import annotations

import pytest

from lightnode_aio import (
    BadRequestError,
    InstanceStatus,
    InvalidArgumentError,
    LightNode,
    NotFoundError,
    TaskFailedError,
)
from lightnode_aio.testing import FakeLightNode
from tests.conftest import OTHER_PASSWORD, PASSWORD
from tests.support import ZONE, image_in, package_in, pick

SHAPES = ["nested", "flat"]


def _create_args(fake: FakeLightNode, name: str = "web-new-1") -> dict[str, str]:
    package = package_in(fake)
    return {
        "name": name,
        "region": "tr-ist-1",
        "zone": "tr-ist-1-a",
        "package": package,
        "image": image_in(fake, "tr-ist-1"),
        "password": PASSWORD,
    }


@pytest.mark.parametrize("shape", SHAPES)
async def test_create_returns_the_new_instance_with_its_ip(
    ln: LightNode, fake: FakeLightNode, shape: str
) -> None:
    fake.reply_shapes["create"] = shape
    fake.ip_delay = 0.1  # the IP comes after the task (REFERENCE §3.1)

    server = await ln.instances.create(**_create_args(fake))

    assert server.name == "web-new-1"
    assert server.status == InstanceStatus.STARTED
    assert server.public_ip
    assert fake.effects == [("create", server.id)]
    assert fake.check_password(server.id, PASSWORD)


async def test_create_can_skip_waiting_for_the_ip(
    ln: LightNode, fake: FakeLightNode
) -> None:
    fake.ip_delay = 30

    server = await ln.instances.create(**_create_args(fake), wait_for_ip=False)

    assert server.public_ip is None
    assert not server.is_busy


async def test_a_failed_create_names_the_instance_left_behind(
    ln: LightNode, fake: FakeLightNode
) -> None:
    fake.plan_task("create", outcome="FAIL", message="no capacity in zone")

    with pytest.raises(TaskFailedError) as caught:
        await ln.instances.create(**_create_args(fake))
    leftover = caught.value.instance_id
    assert leftover in fake.instances
    await ln.instances.delete(leftover or "")

    assert caught.value.kind == "create"
    assert caught.value.result == "FAIL"
    assert caught.value.reason == "no capacity in zone"
    assert caught.value.task_id
    assert leftover not in fake.instances


@pytest.mark.parametrize("shape", SHAPES)
async def test_delete_removes_the_instance(
    ln: LightNode, fake: FakeLightNode, shape: str
) -> None:
    fake.reply_shapes["delete"] = shape
    instance_id = pick(fake, "STARTED")

    result = await ln.instances.delete(instance_id)

    assert result is None
    with pytest.raises(NotFoundError):
        await ln.instances.get(instance_id)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize(
    ("kind", "before", "after"),
    [
        ("stop", "STARTED", InstanceStatus.STOPPED),
        ("start", "STOPPED", InstanceStatus.STARTED),
        ("restart", "STARTED", InstanceStatus.STARTED),
    ],
)
async def test_power_operations_confirm_the_new_state(
    ln: LightNode,
    fake: FakeLightNode,
    shape: str,
    kind: str,
    before: str,
    after: InstanceStatus,
) -> None:
    fake.reply_shapes[kind] = shape
    instance_id = pick(fake, before)

    server = await getattr(ln.instances, kind)(instance_id)

    assert server.id == instance_id
    assert server.status == after
    assert not server.is_busy
    assert fake.effects == [(kind, instance_id)]


async def test_a_forced_stop_says_so(ln: LightNode, fake: FakeLightNode) -> None:
    instance_id = pick(fake, "STARTED")

    await ln.instances.stop(instance_id, force=True)

    [sent] = [r for r in fake.requests if r.path == "/instance/stop"]
    assert sent.json == {"ecsResourceUUID": instance_id, "forceStop": True}


@pytest.mark.parametrize("shape", SHAPES)
async def test_reset_password_sets_it(
    ln: LightNode, fake: FakeLightNode, shape: str
) -> None:
    fake.reply_shapes["reset_password"] = shape
    instance_id = pick(fake, "STARTED")

    server = await ln.instances.reset_password(instance_id, password=OTHER_PASSWORD)

    assert server.id == instance_id
    assert fake.check_password(instance_id, OTHER_PASSWORD)
    [sent] = [r for r in fake.requests if r.path == "/instance/modifyInstancePassword"]
    assert sent.json is not None and sent.json["regionCode"] == server.region


@pytest.mark.parametrize("shape", SHAPES)
async def test_reinstall_of_a_stopped_server(
    ln: LightNode, fake: FakeLightNode, shape: str
) -> None:
    fake.reply_shapes["reinstall"] = shape
    instance_id = pick(fake, "STOPPED")
    region = fake.instances[instance_id]["regionCode"]
    image = image_in(fake, region)

    server = await ln.instances.reinstall(instance_id, image=image, password=PASSWORD)

    assert server.image_id == image
    assert fake.effects == [("reinstall", instance_id)]
    assert fake.check_password(instance_id, PASSWORD)


async def test_reinstall_of_a_running_server_stops_it_first(
    ln: LightNode, fake: FakeLightNode
) -> None:
    instance_id = pick(fake, "STARTED")
    image = image_in(fake, fake.instances[instance_id]["regionCode"])

    op = ln.instances.reinstall(instance_id, image=image, password=PASSWORD)
    server = await op

    assert fake.effects == [("stop", instance_id), ("reinstall", instance_id)]
    assert server.image_id == image
    assert op.task is not None
    assert fake.tasks[op.task.id].kind == "reinstall"


async def test_reinstall_without_stopping_is_refused_by_the_api(
    ln: LightNode, fake: FakeLightNode
) -> None:
    instance_id = pick(fake, "STARTED")
    image = image_in(fake, fake.instances[instance_id]["regionCode"])

    with pytest.raises(BadRequestError) as caught:
        await ln.instances.reinstall(
            instance_id, image=image, password=PASSWORD, stop_first=False
        )

    assert caught.value.code == "IncorrectInstanceStatus.NotStopped"
    assert fake.effects == []


@pytest.mark.parametrize("outcome", ["FAIL", "CANCEL"])
async def test_a_task_that_fails_raises_task_failed(
    ln: LightNode, fake: FakeLightNode, outcome: str
) -> None:
    instance_id = pick(fake, "STOPPED")
    fake.plan_task("reinstall", outcome=outcome, message="disk error")
    image = image_in(fake, fake.instances[instance_id]["regionCode"])

    op = ln.instances.reinstall(instance_id, image=image, password=PASSWORD)
    with pytest.raises(TaskFailedError) as caught:
        await op

    error = caught.value
    assert (error.task_id, error.instance_id) == (op.task_id, instance_id)
    assert error.result == outcome
    assert "disk error" in str(error)
    assert op.state == "failed"
    assert fake.effects == []


async def test_retry_phases_are_still_running(
    ln: LightNode, fake: FakeLightNode
) -> None:
    instance_id = pick(fake, "STOPPED")
    fake.plan_task("start", duration=0.3, retry_phases=2)

    op = ln.instances.start(instance_id)
    server = await op

    assert server.status == InstanceStatus.STARTED
    assert op.task_id is not None
    assert fake.poll_counts[op.task_id] >= 3  # it saw RETRY and kept going


# --- client-side checks: refused at once, nothing sent -----------------------


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("Sh0rt!", "8 to 30 characters"),
        ("Aa1!" * 8, "8 to 30 characters"),
        ("lowercase1!x", "uppercase"),
        ("UPPERCASE1!X", "lowercase"),
        ("NoDigits!xx", "digit"),
        ("NoSpecial1xx", "specials"),
        ("Back`tick1xx", "only ASCII letters"),
        ("With space1!", "only ASCII letters"),
    ],
)
async def test_a_password_outside_the_rules_is_refused_unseen(
    ln: LightNode, fake: FakeLightNode, password: str, rule: str
) -> None:
    instance_id = pick(fake, "STOPPED")

    with pytest.raises(InvalidArgumentError) as caught:
        ln.instances.reset_password(instance_id, password=password)

    assert rule in str(caught.value)
    assert password not in str(caught.value)
    assert password not in repr(caught.value)
    assert caught.value.argument == "password"
    assert fake.requests == []


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("", "empty"),
        ("-leading", "start with a letter or digit"),
        ("under_score", "only ASCII letters"),
        ("x" * 65, "at most 64"),
    ],
)
async def test_an_invalid_name_is_refused(
    ln: LightNode, fake: FakeLightNode, name: str, rule: str
) -> None:
    with pytest.raises(InvalidArgumentError, match=rule):
        ln.instances.create(**{**_create_args(fake), "name": name})

    assert fake.requests == []


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda ln: ln.instances.start(""), "must not be empty"),
        (lambda ln: ln.instances.stop("img-rh0000743phm"), "image id"),
        (lambda ln: ln.instances.delete(42), "must be a string"),
        (lambda ln: ln.instances.restart("server-1"), "start with 'ecs-'"),
        (
            lambda ln: ln.instances.reinstall(
                "ecs-ab0000xyz123", image="ecs-ab0000xyz124", password=PASSWORD
            ),
            "an instance id, not an image id",
        ),
        (lambda ln: ln.instances.stop("ecs-ab0000xyz123", force="yes"), "force"),
        (lambda ln: ln.instances.start("ecs-ab0000xyz123", deadline=0), "deadline"),
    ],
)
async def test_bad_ids_and_options_are_refused(
    ln: LightNode, fake: FakeLightNode, call: object, message: str
) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        call(ln)  # type: ignore[operator]

    assert fake.requests == []


async def test_create_needs_a_way_to_log_in(ln: LightNode, fake: FakeLightNode) -> None:
    args = _create_args(fake)
    del args["password"]

    with pytest.raises(InvalidArgumentError, match="password or an ssh_key"):
        ln.instances.create(**args)


# --- what the client remembers of listed servers -----------------------------


async def _listed(ln: LightNode, fake: FakeLightNode, status: str) -> str:
    """Adds an idle server of ``status`` to the zone, lists the zone with the
    client (which then remembers it), and returns the server's id."""
    added = fake.add_instance(**ZONE, name=f"listed-{status.lower()}", status=status)
    await ln.instances.list(**ZONE)
    return str(added["ecsResourceUUID"])


def _seen_as(ln: LightNode, instance_id: str, status: str) -> None:
    """Makes the client's memory of a server stale: it last saw ``status``."""
    seen = ln.instances._seen
    seen[instance_id] = seen[instance_id]._replace(status=status)


def _paths_before(fake: FakeLightNode, path: str) -> list[str]:
    """The paths requested before the first request to ``path``."""
    paths = [r.path for r in fake.requests]
    return paths[: paths.index(path)]


async def test_a_listed_server_is_reinstalled_without_a_read_first(
    ln: LightNode, fake: FakeLightNode
) -> None:
    server_id = await _listed(ln, fake, "STOPPED")
    fake.reset_log()

    await ln.instances.reinstall(server_id, image=image_in(fake), password=PASSWORD)

    assert _paths_before(fake, "/instance/reinstallSystem") == []
    [sent] = [r for r in fake.requests if r.path == "/instance/reinstallSystem"]
    assert sent.json["regionCode"] == "tr-ist-1"


async def test_a_listed_server_started_since_is_stopped_when_the_api_refuses(
    ln: LightNode, fake: FakeLightNode
) -> None:
    server_id = await _listed(ln, fake, "STOPPED")
    await ln.instances.start(server_id)  # since the listing
    _seen_as(ln, server_id, "STOPPED")
    image = image_in(fake)

    reinstalled = await ln.instances.reinstall(
        server_id, image=image, password=PASSWORD
    )

    assert reinstalled.image_id == image
    assert fake.effects[-2:] == [("stop", server_id), ("reinstall", server_id)]


async def test_a_listed_server_stopped_since_is_reinstalled_as_it_is(
    ln: LightNode, fake: FakeLightNode
) -> None:
    server_id = await _listed(ln, fake, "STARTED")
    await ln.instances.stop(server_id)  # since the listing
    _seen_as(ln, server_id, "STARTED")

    await ln.instances.reinstall(server_id, image=image_in(fake), password=PASSWORD)

    assert fake.effects[-2:] == [("stop", server_id), ("reinstall", server_id)]
    assert fake.submissions[("stop", server_id)] == 1  # the SDK's stop was refused


async def test_a_listed_servers_password_is_reset_without_a_read_first(
    ln: LightNode, fake: FakeLightNode
) -> None:
    server_id = await _listed(ln, fake, "STARTED")
    fake.reset_log()

    await ln.instances.reset_password(server_id, password=OTHER_PASSWORD)

    assert _paths_before(fake, "/instance/modifyInstancePassword") == []
    assert fake.check_password(server_id, OTHER_PASSWORD)
