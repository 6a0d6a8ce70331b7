"""The commands that change servers: one server, many, and their guards."""

from __future__ import annotations

import getpass

import pytest

from lightnode_aio.testing import FakeLightNode
from tests.cli.conftest import Run, TerminalInput, mutations
from tests.conftest import OTHER_PASSWORD, PASSWORD

REGION, ZONE = "us-lax-1", "us-lax-1-a"


def servers(fake: FakeLightNode, status: str, zone: str = ZONE) -> list[str]:
    return [
        id_
        for id_, record in fake.instances.items()
        if record["zoneCode"] == zone and record["ecsStatus"] == status
    ]


def a_server(fake: FakeLightNode, status: str = "STARTED") -> str:
    return servers(fake, status)[0]


@pytest.fixture
def password_env(monkeypatch: pytest.MonkeyPatch) -> str:
    """The name of an environment variable holding the test password."""
    monkeypatch.setenv("LN_TEST_PASSWORD", PASSWORD)
    return "LN_TEST_PASSWORD"


async def test_start_one_server(cli: Run, fake: FakeLightNode) -> None:
    server_id = fake.add_instance(region=REGION, zone=ZONE, status="STOPPED")[
        "ecsResourceUUID"
    ]

    done = await cli("instances", "start", server_id, "--json")

    [outcome] = done.json()
    assert done.code == 0
    assert outcome["outcome"] == "succeeded"
    assert outcome["id"] == server_id
    assert outcome["instance"]["status"] == "STARTED"
    assert outcome["task_id"]
    assert ("start", server_id) in fake.effects


async def test_stop_one_server_prints_a_table(cli: Run, fake: FakeLightNode) -> None:
    server_id = a_server(fake)

    done = await cli("instances", "stop", server_id)

    header, row = done.out.splitlines()
    assert done.code == 0
    assert header.split() == [
        "ID", "NAME", "OUTCOME", "STATUS", "PUBLIC", "IP", "TASK", "ERROR"
    ]  # fmt: skip
    assert row.split()[0] == server_id
    assert row.split()[2:4] == ["succeeded", "STOPPED"]
    assert fake.instances[server_id]["ecsStatus"] == "STOPPED"
    assert "stop: 1 succeeded, 0 failed, 0 unknown" in done.err


async def test_stop_with_force(cli: Run, fake: FakeLightNode) -> None:
    server_id = a_server(fake)

    done = await cli("instances", "stop", server_id, "--force")

    [request] = [r for r in fake.requests if r.path == "/instance/stop"]
    assert done.code == 0
    assert request.json["forceStop"] is True


async def test_restart_one_server(cli: Run, fake: FakeLightNode) -> None:
    server_id = a_server(fake)

    done = await cli("instances", "restart", server_id, "--json")

    assert done.code == 0
    assert done.json()[0]["instance"]["status"] == "STARTED"
    assert ("restart", server_id) in fake.effects


async def test_reinstall_reads_the_password_from_the_environment(
    cli: Run, fake: FakeLightNode, password_env: str
) -> None:
    server_id = a_server(fake)
    image = next(
        i["imageResourceUUID"]
        for i in fake.images
        if i["regionCode"] == REGION and i["osDistroVersion"] == "Ubuntu 24.04"
    )

    done = await cli(
        "instances", "reinstall", server_id, "--image", image,
        "--password-env", password_env, "--json",
    )  # fmt: skip

    assert done.code == 0
    assert done.json()[0]["instance"]["image_id"] == image
    assert fake.check_password(server_id, PASSWORD)
    assert PASSWORD not in done.out + done.err


async def test_reset_password_of_one_server(
    cli: Run, fake: FakeLightNode, monkeypatch: pytest.MonkeyPatch
) -> None:
    server_id = a_server(fake)
    monkeypatch.setenv("NEW_ROOT_PASSWORD", OTHER_PASSWORD)

    done = await cli(
        "instances", "reset-password", server_id, "--password-env", "NEW_ROOT_PASSWORD"
    )

    assert done.code == 0
    assert fake.check_password(server_id, OTHER_PASSWORD)


async def test_delete_one_server_with_yes(cli: Run, fake: FakeLightNode) -> None:
    server_id = a_server(fake)

    done = await cli("instances", "delete", server_id, "--yes", "--json")

    assert done.code == 0
    assert done.json()[0]["outcome"] == "succeeded"
    assert done.json()[0]["instance"] is None
    assert server_id not in fake.instances


async def test_create_one_server(
    cli: Run, fake: FakeLightNode, password_env: str
) -> None:
    image = next(
        i["imageResourceUUID"] for i in fake.images if i["regionCode"] == REGION
    )
    package = next(p["packageCode"] for p in fake.packages if p["zoneCode"] == ZONE)

    done = await cli(
        "instances", "create", "--name", "cli-web", "--region", REGION,
        "--zone", ZONE, "--package", package, "--image", image,
        "--password-env", password_env, "--json",
    )  # fmt: skip

    [outcome] = done.json()
    assert done.code == 0
    assert outcome["name"] == "cli-web"
    assert outcome["instance"]["status"] == "STARTED"
    assert outcome["instance"]["public_ip"]
    assert fake.instances[outcome["id"]]["instanceName"] == "cli-web"
    assert fake.check_password(outcome["id"], PASSWORD)


async def test_create_many_numbers_their_names(
    cli: Run, fake: FakeLightNode, password_env: str
) -> None:
    image = next(
        i["imageResourceUUID"] for i in fake.images if i["regionCode"] == REGION
    )
    package = next(p["packageCode"] for p in fake.packages if p["zoneCode"] == ZONE)

    done = await cli(
        "instances", "create", "--name", "batch", "--count", "3", "--region",
        REGION, "--zone", ZONE, "--package", package, "--image", image,
        "--password-env", password_env,
    )  # fmt: skip

    names = sorted(
        r["instanceName"]
        for r in fake.instances.values()
        if r["instanceName"].startswith("batch-")
    )
    assert done.code == 0
    assert names == ["batch-1", "batch-2", "batch-3"]
    assert [line.split()[1] for line in done.out.splitlines()[1:]] == names


async def test_bulk_stop_by_filter_with_yes(cli: Run, fake: FakeLightNode) -> None:
    targets = servers(fake, "STARTED")
    assert len(targets) > 1

    done = await cli(
        "instances", "stop", "--region", REGION, "--zone", ZONE,
        "--status", "STARTED", "--yes", "--json",
    )  # fmt: skip

    assert done.code == 0
    assert sorted(o["id"] for o in done.json()) == sorted(targets)
    assert {o["outcome"] for o in done.json()} == {"succeeded"}
    assert servers(fake, "STARTED") == []
    # Not a terminal: a line per event, the submission and the end of each.
    progress = [line for line in done.err.splitlines() if line.startswith("stop: [")]
    assert len(progress) == 2 * len(targets)
    assert sum(line.endswith(" succeeded") for line in progress) == len(targets)


async def test_bulk_stop_without_yes_or_terminal_is_refused(
    cli: Run, fake: FakeLightNode
) -> None:
    done = await cli("instances", "stop", "--region", REGION, "--zone", ZONE)

    assert done.code == 2
    assert done.err.startswith("lightnode: error: refusing to stop ")
    assert "pass --yes" in done.err
    assert len(done.err.splitlines()) == 1
    assert mutations(fake) == []


async def test_any_delete_is_confirmed(cli: Run, fake: FakeLightNode) -> None:
    server_id = a_server(fake)

    done = await cli("instances", "delete", server_id)

    assert done.code == 2
    assert "refusing to delete 1 server" in done.err
    assert mutations(fake) == []
    assert server_id in fake.instances


async def test_one_server_stop_needs_no_confirmation(
    cli: Run, fake: FakeLightNode
) -> None:
    done = await cli("instances", "stop", a_server(fake))

    assert done.code == 0


@pytest.mark.parametrize(("answer", "code"), [("y\n", 0), ("n\n", 2), ("\n", 2)])
async def test_the_terminal_is_asked_to_proceed(
    cli: Run,
    fake: FakeLightNode,
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
    code: int,
) -> None:
    targets = servers(fake, "STARTED")[:2]
    monkeypatch.setattr("sys.stdin", TerminalInput(answer))

    done = await cli("instances", "restart", *targets)

    assert done.code == code
    assert "About to restart 2 servers:" in done.err
    assert "Proceed? [y/N]" in done.err
    assert bool(mutations(fake)) == (code == 0)


async def test_a_missing_password_variable_is_refused(
    cli: Run, fake: FakeLightNode
) -> None:
    done = await cli(
        "instances", "reset-password", a_server(fake), "--password-env", "NOT_SET_X"
    )

    assert done.code == 2
    assert done.err == (
        "lightnode: error: --password-env NOT_SET_X: that environment variable "
        "is not set or empty\n"
    )
    assert fake.requests == []


async def test_no_password_and_no_terminal_is_refused(
    cli: Run, fake: FakeLightNode
) -> None:
    done = await cli("instances", "reset-password", a_server(fake))

    assert done.code == 2
    assert "--password-env" in done.err
    assert fake.requests == []


async def test_a_password_breaking_the_rules_is_refused_unshown(
    cli: Run, fake: FakeLightNode, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WEAK_PASSWORD", "weakpass1")

    done = await cli(
        "instances", "reset-password", a_server(fake), "--password-env", "WEAK_PASSWORD"
    )

    assert done.code == 2
    assert "uppercase" in done.err
    assert "weakpass1" not in done.err
    assert fake.requests == []


@pytest.mark.parametrize(
    ("answers", "code"), [((PASSWORD, PASSWORD), 0), ((PASSWORD, OTHER_PASSWORD), 2)]
)
async def test_the_password_is_asked_twice_on_a_terminal(
    cli: Run,
    fake: FakeLightNode,
    monkeypatch: pytest.MonkeyPatch,
    answers: tuple[str, str],
    code: int,
) -> None:
    server_id = a_server(fake)
    replies = iter(answers)
    prompts: list[str] = []

    def ask(prompt: str, stream: object = None) -> str:
        prompts.append(prompt)
        return next(replies)

    monkeypatch.setattr("sys.stdin", TerminalInput(""))
    monkeypatch.setattr(getpass, "getpass", ask)

    done = await cli("instances", "reset-password", server_id)

    assert done.code == code
    assert prompts == ["New password: ", "Repeat the password: "]
    assert fake.check_password(server_id, PASSWORD) == (code == 0)


async def test_some_failures_exit_with_1(cli: Run, fake: FakeLightNode) -> None:
    first, second = servers(fake, "STARTED")[:2]
    fake.plan_task("stop", outcome="FAIL", message="hypervisor busy")

    done = await cli("instances", "stop", first, second, "--yes", "--json")

    outcomes = {o["id"]: o for o in done.json()}
    assert done.code == 1
    assert sorted(o["outcome"] for o in outcomes.values()) == ["failed", "succeeded"]
    failed = next(o for o in outcomes.values() if o["outcome"] == "failed")
    assert "hypervisor busy" in failed["error"]
    assert failed["task_id"]
    assert "stop: 1 succeeded, 1 failed, 0 unknown" in done.err


async def test_an_operation_past_its_deadline_is_unknown(
    cli: Run, fake: FakeLightNode
) -> None:
    server_id = a_server(fake)
    fake.plan_task("stop", duration=30)

    done = await cli("instances", "stop", server_id, "--deadline", "0.3", "--json")
    [outcome] = done.json()
    waited = await cli("tasks", "wait", outcome["task_id"], "--deadline", "0.2")

    assert done.code == 1
    assert outcome["outcome"] == "unknown"
    assert f"lightnode tasks wait {outcome['task_id']}" in done.err
    assert waited.code == 1
    assert "status       PROCESSING" in waited.out
    assert "did not finish" in waited.err


async def test_tasks_wait_on_a_failed_task_exits_with_1(
    cli: Run, fake: FakeLightNode
) -> None:
    fake.plan_task("stop", outcome="FAIL")
    stopped = await cli("instances", "stop", a_server(fake), "--json")

    waited = await cli("tasks", "wait", stopped.json()[0]["task_id"], "--json")

    assert stopped.code == 1
    assert waited.code == 1
    assert waited.json()["result"] == "FAIL"
    assert waited.err.startswith("lightnode: error: task ")


async def test_everything_refused_before_any_work_exits_with_3(
    cli: Run, fake: FakeLightNode
) -> None:
    stopped = fake.add_instance(region=REGION, zone=ZONE, status="STOPPED")
    server_id = stopped["ecsResourceUUID"]

    done = await cli("instances", "stop", server_id)

    assert done.code == 3
    assert done.err.splitlines()[-1].startswith("lightnode: error: POST /instance/stop")
    assert "already STOPPED" in done.err


async def test_ids_and_filters_together_are_refused(
    cli: Run, fake: FakeLightNode
) -> None:
    done = await cli("instances", "stop", a_server(fake), "--region", REGION)

    assert done.code == 2
    assert "either instance ids or filters" in done.err
    assert fake.requests == []


async def test_a_change_needs_its_servers_named(cli: Run, fake: FakeLightNode) -> None:
    done = await cli("instances", "start")

    assert done.code == 2
    assert "name the servers" in done.err
    assert fake.requests == []


async def test_a_filter_that_matches_nothing_does_nothing(
    cli: Run, fake: FakeLightNode
) -> None:
    done = await cli("instances", "delete", "--name", "no-such-*", "--json")

    assert done.code == 0
    assert done.json() == []
    assert "nothing to do" in done.err
    assert mutations(fake) == []


async def test_an_id_of_another_kind_is_bad_input(
    cli: Run, fake: FakeLightNode
) -> None:
    done = await cli("instances", "start", "img-0000abcd")

    assert done.code == 2
    assert "looks like an image id" in done.err
    assert fake.requests == []
