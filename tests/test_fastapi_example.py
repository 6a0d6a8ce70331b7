"""examples/fastapi_app.py, driven in process against the fake.

The app runs on the test's own event loop: its lifespan is entered by hand
and httpx talks to it through ``ASGITransport``, while the client the
lifespan opens talks real HTTP to the fake. Covered: every route, a change
answered with 202 and followed on ``/tasks`` to its end, each SDK error as
its HTTP answer, and the client's lifetime bound to the app's.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from lightnode_aio import InvalidArgumentError, LightNode, RetryPolicy
from lightnode_aio.testing import FakeLightNode, Fault
from tests.conftest import (
    FAST_POLLING,
    FAST_RETRIES,
    HIGH_LIMITS,
    PASSWORD,
    TOKEN,
    make_client,
)
from tests.support import image_in, pick

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "fastapi_app.py"

ZONE = ("tr-ist-1", "tr-ist-1-a")


def _load_example(name: str = "fastapi_app_example") -> ModuleType:
    # examples/ is not a package, so the module is loaded from its path.
    spec = importlib.util.spec_from_file_location(name, EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


example = _load_example()


def _no_retries(fake: FakeLightNode) -> LightNode:
    return make_client(fake, retry=RetryPolicy(max_tries=1))


async def _wait_finished(http: httpx.AsyncClient, task_id: str) -> dict[str, Any]:
    async with asyncio.timeout(5):
        while True:
            answer = await http.get(f"/tasks/{task_id}")
            assert answer.status_code == 200
            state: dict[str, Any] = answer.json()
            if state["finished"]:
                return state
            await asyncio.sleep(0.02)


def _create_app(client_factory: Callable[[], LightNode] | None = None) -> FastAPI:
    if client_factory is None:
        app: FastAPI = example.create_app()
    else:
        app = example.create_app(client_factory=client_factory)
    return app


@asynccontextmanager
async def _running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Runs the app's lifespan and yields an HTTP client of the app."""
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://app") as client,
    ):
        yield client


@pytest.fixture
def app(fake: FakeLightNode) -> FastAPI:
    """The example app, its client aimed at the fake."""
    return _create_app(lambda: make_client(fake))


@pytest.fixture
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the app, with the app's lifespan running."""
    async with _running(app) as client:
        yield client


# --- reads -----------------------------------------------------------------


async def test_servers_of_one_zone(
    http: httpx.AsyncClient, fake: FakeLightNode
) -> None:
    region, zone = ZONE

    answer = await http.get("/servers", params={"region": region, "zone": zone})

    assert answer.status_code == 200
    servers = answer.json()
    expected = {i for i, r in fake.instances.items() if r["zoneCode"] == zone}
    assert {server["id"] for server in servers} == expected
    assert all(server["region"] == region for server in servers)


async def test_servers_of_every_zone(
    http: httpx.AsyncClient, fake: FakeLightNode
) -> None:
    on_sale = {region.code for region in fake.regions if region.on_sale}

    answer = await http.get("/servers")

    assert answer.status_code == 200
    expected = {i for i, r in fake.instances.items() if r["regionCode"] in on_sale}
    assert {server["id"] for server in answer.json()} == expected


async def test_servers_need_both_region_and_zone_or_neither(
    http: httpx.AsyncClient,
) -> None:
    answer = await http.get("/servers", params={"region": ZONE[0]})

    assert answer.status_code == 422
    assert answer.json()["error"] == "InvalidArgumentError"
    assert "zone is missing" in answer.json()["message"]


async def test_one_server(http: httpx.AsyncClient, fake: FakeLightNode) -> None:
    instance_id = pick(fake, "STARTED")
    record = fake.instances[instance_id]

    answer = await http.get(f"/servers/{instance_id}")

    assert answer.status_code == 200
    server = answer.json()
    assert server["id"] == instance_id
    assert server["name"] == record["instanceName"]
    assert server["status"] == "STARTED"
    assert server["pending_status"] == "NONE"
    assert server["public_ip"] == record["publicIpAddress"]


# --- changes ---------------------------------------------------------------


async def test_reinstall_answers_202_at_once_then_its_task_finishes(
    http: httpx.AsyncClient, fake: FakeLightNode
) -> None:
    fake.task_duration = 0.5  # long enough to see the answer come first
    instance_id = pick(fake, "STOPPED")
    image = image_in(fake, fake.instances[instance_id]["regionCode"])

    answer = await http.post(
        f"/servers/{instance_id}/reinstall",
        json={"image": image, "password": PASSWORD},
    )

    assert answer.status_code == 202
    accepted = answer.json()
    assert accepted["instance_id"] == instance_id
    task_id = accepted["task_id"]
    assert fake.tasks[task_id].finished is None  # answered before the end
    assert answer.headers["Location"] == f"http://app/tasks/{task_id}"
    assert PASSWORD not in answer.text

    state = await _wait_finished(http, task_id)

    assert state["succeeded"] is True
    assert state["result"] == "SUCCESS"
    assert fake.tasks[task_id].kind == "reinstall"
    assert fake.check_password(instance_id, PASSWORD)


@pytest.mark.parametrize(
    ("action", "before", "after"),
    [
        ("stop", "STARTED", "STOPPED"),
        ("start", "STOPPED", "STARTED"),
        ("restart", "STARTED", "STARTED"),
    ],
)
async def test_power_change_answers_202_and_takes_effect(
    http: httpx.AsyncClient, fake: FakeLightNode, action: str, before: str, after: str
) -> None:
    instance_id = pick(fake, before)

    answer = await http.post(f"/servers/{instance_id}/{action}")

    assert answer.status_code == 202
    task_id = answer.json()["task_id"]
    state = await _wait_finished(http, task_id)
    assert state["succeeded"] is True
    assert fake.tasks[task_id].kind == action
    server = (await http.get(f"/servers/{instance_id}")).json()
    assert server["status"] == after


async def test_a_change_whose_reply_was_lost_is_still_202(
    http: httpx.AsyncClient, fake: FakeLightNode
) -> None:
    # The stop acts, then its reply is lost; the SDK finds it under way by
    # reading the server, so the change was accepted, with no task id.
    instance_id = pick(fake, "STARTED")
    fake.inject(Fault.drop_after(), path="/instance/stop")

    answer = await http.post(f"/servers/{instance_id}/stop")

    assert answer.status_code == 202
    assert answer.json() == {"task_id": None, "instance_id": instance_id}
    assert "Location" not in answer.headers
    assert fake.submissions[("stop", instance_id)] == 1


async def test_a_forced_stop_is_sent_as_one(
    http: httpx.AsyncClient, fake: FakeLightNode
) -> None:
    instance_id = pick(fake, "STARTED")

    answer = await http.post(f"/servers/{instance_id}/stop", params={"force": "true"})

    assert answer.status_code == 202
    sent = [r for r in fake.requests if r.path == "/instance/stop"]
    assert [r.json.get("forceStop") for r in sent] == [True]


async def test_closing_the_app_ends_a_change_still_running(
    app: FastAPI, fake: FakeLightNode, caplog: pytest.LogCaptureFixture
) -> None:
    fake.task_duration = 30  # far longer than the test
    instance_id = pick(fake, "STARTED")

    async with _running(app) as http:
        client: LightNode = app.state.lightnode
        answer = await http.post(f"/servers/{instance_id}/stop")
    await asyncio.sleep(0)

    assert answer.status_code == 202
    assert client.closed
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


# --- tasks -----------------------------------------------------------------


async def test_a_task_unknown_to_the_api_is_404(http: httpx.AsyncClient) -> None:
    answer = await http.get("/tasks/00000000-0000-4000-8000-000000000000")

    assert answer.status_code == 404
    assert answer.json()["error"] == "NotFoundError"


# --- errors ----------------------------------------------------------------


async def test_a_missing_server_is_404(http: httpx.AsyncClient) -> None:
    answer = await http.get("/servers/ecs-doesnotexist0000")

    assert answer.status_code == 404
    assert answer.json()["error"] == "NotFoundError"
    assert "ecs-doesnotexist0000" in answer.json()["message"]


async def test_a_malformed_server_id_is_422(http: httpx.AsyncClient) -> None:
    answer = await http.get("/servers/img-not-a-server")

    assert answer.status_code == 422
    assert answer.json()["error"] == "InvalidArgumentError"


async def test_a_bad_password_is_422_and_never_echoed(
    http: httpx.AsyncClient, fake: FakeLightNode
) -> None:
    instance_id = pick(fake, "STOPPED")
    image = image_in(fake, fake.instances[instance_id]["regionCode"])
    weak = "weakpass"

    answer = await http.post(
        f"/servers/{instance_id}/reinstall", json={"image": image, "password": weak}
    )

    assert answer.status_code == 422
    assert answer.json()["error"] == "InvalidArgumentError"
    assert weak not in answer.text
    assert not [r for r in fake.requests if r.method == "POST"]


async def test_an_invalid_body_is_422_and_never_echoes_the_password(
    http: httpx.AsyncClient, fake: FakeLightNode
) -> None:
    instance_id = pick(fake, "STOPPED")

    answer = await http.post(
        f"/servers/{instance_id}/reinstall", json={"password": PASSWORD}
    )

    assert answer.status_code == 422
    assert answer.json() == {
        "error": "RequestValidationError",
        "message": "body.image: Field required",
    }
    assert PASSWORD not in answer.text


async def test_a_refusal_by_the_api_is_400(
    http: httpx.AsyncClient, fake: FakeLightNode
) -> None:
    instance_id = pick(fake, "STARTED")

    answer = await http.post(f"/servers/{instance_id}/start")

    assert answer.status_code == 400
    assert answer.json()["error"] == "BadRequestError"


async def test_a_wrong_token_is_502_not_the_callers_fault(
    fake: FakeLightNode,
) -> None:
    wrong = "fake-wrong-token"
    app = _create_app(
        lambda: LightNode(
            wrong,
            base_url=fake.url,
            polling=FAST_POLLING,
            retry=FAST_RETRIES,
            limits=HIGH_LIMITS,
        )
    )

    async with _running(app) as http:
        answer = await http.get("/servers", params={"region": ZONE[0], "zone": ZONE[1]})

    assert answer.status_code == 502
    assert answer.json()["error"] == "AuthenticationError"
    assert wrong not in answer.text


@pytest.mark.parametrize(
    ("fault", "status", "error"),
    [
        (Fault.status(429, retry_after="7"), 503, "RateLimitError"),
        (Fault.status(500), 502, "ServerError"),
        (Fault.html(503), 502, "ServerError"),
        (Fault.drop_before(), 503, "TransportError"),
    ],
    ids=["429", "500", "cdn-page", "dropped"],
)
async def test_trouble_with_the_api_is_5xx(
    fake: FakeLightNode, fault: Fault, status: int, error: str
) -> None:
    app = _create_app(lambda: _no_retries(fake))
    instance_id = pick(fake, "STARTED")
    fake.inject(fault, path="/instance/detail", times=None)

    async with _running(app) as http:
        answer = await http.get(f"/servers/{instance_id}")

    assert answer.status_code == status
    assert answer.json()["error"] == error
    if error == "RateLimitError":
        assert answer.headers["Retry-After"] == "7"


# --- the lifespan ----------------------------------------------------------


async def test_the_client_lives_as_long_as_the_app(
    app: FastAPI, fake: FakeLightNode
) -> None:
    async with app.router.lifespan_context(app):
        client: LightNode = app.state.lightnode
        assert not client.closed
        assert client.base_url == fake.url

    assert client.closed


async def test_the_default_client_reads_the_environment(
    fake: FakeLightNode, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIGHTNODE_TOKEN", TOKEN)
    monkeypatch.setenv("LIGHTNODE_BASE_URL", fake.url)
    app = _create_app()

    async with _running(app) as http:
        answer = await http.get("/servers", params={"region": ZONE[0], "zone": ZONE[1]})

    assert answer.status_code == 200
    assert answer.json()


async def test_the_module_imports_without_a_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LIGHTNODE_TOKEN", raising=False)

    module = _load_example("fastapi_app_without_token")

    assert isinstance(module.app, FastAPI)
    with pytest.raises(InvalidArgumentError, match="LIGHTNODE_TOKEN"):
        async with module.app.router.lifespan_context(module.app):
            pass
