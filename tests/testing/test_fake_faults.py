"""Fault injection: every kind of fault, matching, counting, and the contract hook."""

from __future__ import annotations

import asyncio
import json
import sys
import types
from typing import Any

import aiohttp
import pytest

from lightnode_aio.testing import FakeLightNode, Fault

from .fake_support import GOOD_PASSWORD, TOKEN, Api

CONTRACT_MODULE = "lightnode_aio.testing._contract"


async def test_status_fault_with_retry_after(api: Api, fake: FakeLightNode) -> None:
    fake.inject(Fault.status(429, retry_after="2"), path="/region/list")

    async with api.session.get("/region/list") as response:
        body = await response.json()
        retry_after = response.headers.get("Retry-After")
    status, _ = await api.get("/region/list")

    assert response.status == 429
    assert retry_after == "2"
    assert body == {
        "code": "TooManyRequests",
        "message": "Too Many Requests",
        "success": False,
        "httpStatus": 429,
    }
    assert status == 202
    assert [r.status for r in fake.requests] == [429, 202]


async def test_status_fault_with_a_custom_body(api: Api, fake: FakeLightNode) -> None:
    fake.inject(Fault.status(503, body={"oops": True}))

    status, body = await api.get("/region/list")

    assert status == 503
    assert body == {"oops": True}


async def test_status_fault_does_not_apply_the_request(
    api: Api, fake: FakeLightNode
) -> None:
    before = len(fake.instances)
    fake.inject(Fault.status(500), path="/instance/create", method="POST")

    status, body = await api.post("/instance/create", api.create_body())

    assert status == 500
    assert body["code"] == "InternalServerError"
    assert len(fake.instances) == before
    assert not fake.submissions


async def test_html_fault(api: Api, fake: FakeLightNode) -> None:
    fake.inject(Fault.html())

    async with api.session.get("/region/list") as response:
        text = await response.text()

    assert response.status == 502
    assert response.content_type == "text/html"
    assert text.lstrip().lower().startswith("<!doctype html>")
    assert "502 Bad Gateway" in text


async def test_truncated_fault_applies_and_cuts_the_body(
    api: Api, fake: FakeLightNode
) -> None:
    fake.inject(Fault.truncated(), path="/instance/create")

    async with api.session.post("/instance/create", json=api.create_body()) as response:
        raw = await response.read()

    assert response.status == 202
    assert response.content_type == "application/json"
    with pytest.raises(ValueError, match=r"."):
        json.loads(raw)
    assert raw.startswith(b'{"asyncTaskInfo"')
    assert sum(fake.submissions.values()) == 1
    assert fake.requests[-1].task_id is not None


async def test_not_json_fault(api: Api, fake: FakeLightNode) -> None:
    before = len(fake.instances)
    fake.inject(Fault.not_json())

    async with api.session.post("/instance/create", json=api.create_body()) as response:
        raw = await response.read()

    assert response.status == 202
    assert response.content_type == "application/json"
    with pytest.raises(ValueError, match=r"."):
        json.loads(raw)
    assert len(fake.instances) == before


async def test_latency_fault_delays_then_answers(api: Api, fake: FakeLightNode) -> None:
    fake.inject(Fault.latency(0.2))
    loop = asyncio.get_running_loop()

    started = loop.time()
    status, _ = await api.get("/region/list")
    elapsed = loop.time() - started

    assert status == 202
    assert elapsed >= 0.2


async def test_drop_before_does_not_apply(api: Api, fake: FakeLightNode) -> None:
    before = len(fake.instances)
    fake.inject(Fault.drop_before(), path="/instance/create")

    with pytest.raises(aiohttp.ServerDisconnectedError):
        async with api.session.post("/instance/create", json=api.create_body()):
            pass

    assert len(fake.instances) == before
    assert not fake.submissions
    assert fake.requests[-1].status is None
    assert fake.requests[-1].task_id is None


async def test_drop_after_applies(api: Api, fake: FakeLightNode) -> None:
    before = len(fake.instances)
    fake.inject(Fault.drop_after(), path="/instance/create")

    with pytest.raises(aiohttp.ServerDisconnectedError):
        async with api.session.post("/instance/create", json=api.create_body("lost-1")):
            pass

    assert len(fake.instances) == before + 1
    record = fake.requests[-1]
    assert record.status is None
    assert record.task_id in fake.tasks
    created = fake.tasks[record.task_id].instance_id
    assert fake.instances[created]["instanceName"] == "lost-1"


async def test_dropped_get_is_recorded_per_attempt(
    api: Api, fake: FakeLightNode
) -> None:
    # aiohttp resends an idempotent request once when the connection drops,
    # so two drops are needed for the client to see the failure.
    fake.inject(Fault.drop_before(), method="GET", times=2)

    with pytest.raises(aiohttp.ServerDisconnectedError):
        async with api.session.get("/region/list"):
            pass
    await api.get("/region/list")

    assert [r.status for r in fake.requests] == [None, None, 202]


async def test_every_third_request_forever(api: Api, fake: FakeLightNode) -> None:
    fake.inject(Fault.status(503), path="/sshKey/list", every=3, times=None)

    statuses = [(await api.get("/sshKey/list"))[0] for _ in range(9)]

    assert statuses == [202, 202, 503] * 3


async def test_every_third_request_once_by_default(
    api: Api, fake: FakeLightNode
) -> None:
    fake.inject(Fault.status(503), every=3)

    statuses = [(await api.get("/sshKey/list"))[0] for _ in range(7)]

    assert statuses == [202, 202, 503, 202, 202, 202, 202]


async def test_times_counts_faults(api: Api, fake: FakeLightNode) -> None:
    fake.inject(Fault.status(500), times=2)

    statuses = [(await api.get("/sshKey/list"))[0] for _ in range(3)]

    assert statuses == [500, 500, 202]


async def test_faults_match_path_and_method(api: Api, fake: FakeLightNode) -> None:
    fake.inject(Fault.status(500), path="/instance/list", method="post", times=None)
    fake.inject(Fault.status(503), path="/image/list", times=None)

    list_get, _ = await api.get(
        "/instance/list", regionCode="tr-ist-1", zoneCode="tr-ist-1-a"
    )
    list_post, _ = await api.post("/instance/list", {})
    images, _ = await api.get("/image/list")
    regions, _ = await api.get("/region/list")

    assert (list_get, list_post, images, regions) == (202, 500, 503, 202)


async def test_faults_come_before_authentication(fake: FakeLightNode) -> None:
    fake.inject(Fault.status(503))

    async with (
        aiohttp.ClientSession(base_url=fake.url) as session,
        session.get("/region/list") as first,
        session.get("/region/list") as second,
    ):
        pass

    assert (first.status, second.status) == (503, 401)


async def test_clear_faults(api: Api, fake: FakeLightNode) -> None:
    fake.inject(Fault.status(500), times=None)
    fake.clear_faults()

    status, _ = await api.get("/region/list")

    assert status == 202


def test_fault_constructors_validate() -> None:
    with pytest.raises(ValueError, match="status"):
        Fault.status(42)
    with pytest.raises(ValueError, match="negative"):
        Fault.latency(-1)
    assert Fault.html().http_status == 502
    assert Fault.drop_after().kind == "drop_after"


def test_inject_validates(fake: FakeLightNode) -> None:
    with pytest.raises(ValueError, match="times"):
        fake.inject(Fault.truncated(), times=0)
    with pytest.raises(ValueError, match="every"):
        fake.inject(Fault.truncated(), every=0)


async def test_close_while_a_slow_request_is_in_flight() -> None:
    fake = FakeLightNode(token=TOKEN)
    await fake.start()
    fake.inject(Fault.latency(30))
    async with aiohttp.ClientSession(
        base_url=fake.url, headers={"x-open-token": TOKEN}
    ) as session:
        pending = asyncio.create_task(session.get("/region/list"))
        await asyncio.sleep(0.05)

        await fake.close()

        with pytest.raises(aiohttp.ClientError):
            await pending


# -- the contract hook -------------------------------------------------------


def _install_checker(monkeypatch: pytest.MonkeyPatch, calls: list[Any]) -> None:
    def check_exchange(*args: Any) -> list[str]:
        calls.append(args)
        body = args[3]
        secret = body["packageConfig"]["password"] if body else None
        return [f"saw {args[0]} {args[1]}"] + (
            [f"bad value {secret}"] if secret else []
        )

    module = types.ModuleType(CONTRACT_MODULE)
    module.check_exchange = check_exchange  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, CONTRACT_MODULE, module)


async def test_contract_check_collects_violations(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[Any] = []
    _install_checker(monkeypatch, calls)

    async with (
        FakeLightNode(token=TOKEN, check_contract=True) as fake,
        aiohttp.ClientSession(
            base_url=fake.url, headers={"x-open-token": TOKEN}
        ) as session,
    ):
        api = Api(session, fake)
        await api.get("/sshKey/list", page=1)
        fake.inject(Fault.status(503))
        await api.get("/sshKey/list")
        await api.post("/instance/create", api.create_body())

    assert [c[:2] for c in calls] == [
        ("GET", "/sshKey/list"),
        ("POST", "/instance/create"),
    ]
    _, _, query, body, status, content_type, reply = calls[0]
    assert query == {"page": "1"}
    assert body is None
    assert (status, content_type) == (202, "application/json")
    assert reply["rowCount"] == 3
    assert fake.contract_violations[:2] == [
        "saw GET /sshKey/list",
        "saw POST /instance/create",
    ]
    assert fake.contract_violations[2] == "bad value ***"
    assert GOOD_PASSWORD not in repr(fake.contract_violations)


async def test_contract_check_is_skipped_without_the_checker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A None entry makes the import fail, as a missing module would.
    monkeypatch.setitem(sys.modules, CONTRACT_MODULE, None)

    async with (
        FakeLightNode(token=TOKEN, check_contract=True) as fake,
        aiohttp.ClientSession(
            base_url=fake.url, headers={"x-open-token": TOKEN}
        ) as session,
    ):
        status, _ = await Api(session, fake).get("/region/list")

    assert status == 202
    assert fake.contract_violations == []
