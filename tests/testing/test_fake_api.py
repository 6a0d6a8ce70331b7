"""The fake's Python surface: lifecycle, seed data, builders, logs."""

from __future__ import annotations

import aiohttp
import pytest

import lightnode_aio.testing as testing
from lightnode_aio.testing import FakeLightNode, RecordedRequest

from .fake_support import TOKEN, Api


def test_public_surface_is_sorted_and_complete() -> None:
    assert testing.__all__ == sorted(testing.__all__)
    assert {"FakeLightNode", "Fault", "RecordedRequest"} <= set(testing.__all__)
    for name in testing.__all__:
        assert getattr(testing, name).__module__.startswith("lightnode_aio.testing")


async def test_start_close_and_context_manager() -> None:
    fake = FakeLightNode()
    with pytest.raises(RuntimeError, match="not started"):
        _ = fake.url

    async with fake:
        assert fake.url == f"http://127.0.0.1:{fake.port}"
        assert fake.port > 0
        with pytest.raises(RuntimeError, match="once"):
            await fake.start()
    await fake.close()
    await fake.close()


async def test_close_ends_keep_alive_connections(fake: FakeLightNode) -> None:
    async with aiohttp.ClientSession(
        base_url=fake.url, headers={"x-open-token": fake.token}
    ) as session:
        async with session.get("/region/list") as response:
            assert response.status == 202

        await fake.close()

        with pytest.raises(aiohttp.ClientConnectionError):
            async with session.get("/region/list"):
                pass


def test_token_defaults_to_a_random_fake_token() -> None:
    first, second = FakeLightNode(), FakeLightNode()

    assert first.token.startswith("fake-")
    assert first.token != second.token
    assert first.token not in repr(first)


def test_same_seed_same_world() -> None:
    one, two, other = (
        FakeLightNode(seed=7),
        FakeLightNode(seed=7),
        FakeLightNode(seed=8),
    )

    assert list(one.instances) == list(two.instances)
    assert one.images == two.images
    assert one.ssh_keys == two.ssh_keys
    assert list(one.instances) != list(other.instances)


def test_seeded_world() -> None:
    fake = FakeLightNode()
    by_zone: dict[str, int] = {}
    for record in fake.instances.values():
        by_zone[record["zoneCode"]] = by_zone.get(record["zoneCode"], 0) + 1

    assert by_zone["ru-moscow-1-a"] == 123
    assert by_zone["sau-jeddah-1-a"] == 2
    assert [r.code for r in fake.regions if not r.on_sale] == ["sau-jeddah-1"]
    assert len(fake.ssh_keys) == 3
    assert len(fake.firewalls) == 2 * len(fake.regions)
    assert {r["ecsStatus"] for r in fake.instances.values()} == {"STARTED", "STOPPED"}
    assert all(r["publicIpAddress"] for r in fake.instances.values())
    ips = [r["publicIpAddress"] for r in fake.instances.values()]
    assert len(set(ips)) == len(ips)
    ids = list(fake.instances)
    assert all(len(i) == 16 and i.startswith("ecs-") and i[4:].isalnum() for i in ids)


async def test_empty_world_built_by_hand() -> None:
    async with FakeLightNode(token=TOKEN, seed_data=False) as fake:
        region = fake.add_region("xx-test-1", "Test", [("xx-test-1-a", "Test A")])
        fake.add_package(region="xx-test-1", zone="xx-test-1-a", code="tiny", cpu=1)
        image = fake.add_image(region="xx-test-1", name="Debian 12 64bit")
        fake.add_ssh_key("mine")
        fake.add_firewall(region="xx-test-1", name="open")
        record = fake.add_instance(
            region="xx-test-1", zone="xx-test-1-a", name="box-1", usedFlow=42
        )
        async with aiohttp.ClientSession(
            base_url=fake.url, headers={"x-open-token": TOKEN}
        ) as session:
            api = Api(session, fake)
            _, regions = await api.get("/region/list")
            _, listed = await api.get(
                "/instance/list", regionCode="xx-test-1", zoneCode="xx-test-1-a"
            )

    assert region.zones[0].code == "xx-test-1-a"
    assert regions["regions"] == [region.to_api()]
    assert listed["instances"] == [record]
    assert record["packageCode"] == "tiny"
    assert record["imageResourceUUID"] == image["imageResourceUUID"]
    assert record["usedFlow"] == 42


def test_builders_refuse_unknown_places() -> None:
    fake = FakeLightNode(seed_data=False)

    with pytest.raises(ValueError, match="region"):
        fake.add_instance(region="xx-none-1", zone="xx-none-1-a")
    fake.add_region("xx-test-1", "Test", [("xx-test-1-a", "Test A")])
    with pytest.raises(ValueError, match="zone"):
        fake.add_instance(region="xx-test-1", zone="xx-test-1-b")
    with pytest.raises(ValueError, match="exists"):
        fake.add_region("xx-test-1", "Again", [])


async def test_images_appended_by_hand_are_usable(
    api: Api, fake: FakeLightNode
) -> None:
    image = dict(fake.images[-1], imageResourceUUID="img-hand0000made")
    image["regionCode"] = "tr-ist-1"
    fake.images.append(image)

    status, _ = await api.post(
        "/instance/create", api.create_body(imageResourceUUID="img-hand0000made")
    )

    assert status == 202


async def test_recorded_requests_and_reset_log(api: Api, fake: FakeLightNode) -> None:
    ref = await api.create()
    await api.task(ref["asyncTaskUUID"])

    create, poll = fake.requests
    assert isinstance(create, RecordedRequest)
    assert create.task_id == ref["asyncTaskUUID"]
    assert poll.query == {"asyncTaskUUID": ref["asyncTaskUUID"]}
    assert create.time <= poll.time
    assert fake.poll_counts
    assert fake.submissions

    fake.reset_log()

    assert fake.requests == []
    assert not fake.poll_counts
    assert not fake.submissions
    assert fake.effects == []
    assert ref["asyncTaskUUID"] in fake.tasks


def test_max_request_rate() -> None:
    fake = FakeLightNode(seed_data=False)
    fake.requests.extend(
        RecordedRequest("GET", "/x", {}, None, True, 202, t)
        for t in (0.0, 0.1, 0.2, 0.3, 2.0, 2.05, 5.0)
    )

    assert fake.max_request_rate() == 4.0
    assert fake.max_request_rate(0.1) == pytest.approx(20.0)
    assert FakeLightNode(seed_data=False).max_request_rate() == 0.0
    with pytest.raises(ValueError, match="window"):
        fake.max_request_rate(0)


async def test_max_request_rate_of_real_traffic(api: Api, fake: FakeLightNode) -> None:
    for _ in range(10):
        await api.get("/sshKey/list")

    assert fake.max_request_rate() >= 10.0
