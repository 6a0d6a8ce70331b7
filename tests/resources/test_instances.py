"""``ln.instances`` reads: every page, every zone, one instance."""

from __future__ import annotations

import datetime

import pytest

from lightnode_aio import (
    Instance,
    InstanceStatus,
    InvalidArgumentError,
    LightNode,
    NotFoundError,
    PendingStatus,
    PermissionDeniedError,
    UnexpectedResponseError,
)
from lightnode_aio.testing import FakeLightNode, Fault

MOSCOW = {"region": "ru-moscow-1", "zone": "ru-moscow-1-a"}


def _ids_in_zone(fake: FakeLightNode, zone: str) -> set[str]:
    return {i for i, record in fake.instances.items() if record["zoneCode"] == zone}


async def test_list_returns_every_server_of_a_big_zone(
    ln: LightNode, fake: FakeLightNode
) -> None:
    servers = await ln.instances.list(**MOSCOW)

    assert len(servers) == 123
    assert {server.id for server in servers} == _ids_in_zone(fake, "ru-moscow-1-a")
    pages = [r.query for r in fake.requests if r.path == "/instance/list"]
    assert [(q["page"], q["pageSize"]) for q in pages] == [
        ("1", "50"),
        ("2", "50"),
        ("3", "50"),
    ]


async def test_models_have_python_names_and_types(ln: LightNode) -> None:
    servers = await ln.instances.list(region="tr-ist-1", zone="tr-ist-1-a")

    server = servers[0]
    assert isinstance(server, Instance)
    assert server.id.startswith("ecs-")
    assert server.status in (InstanceStatus.STARTED, InstanceStatus.STOPPED)
    assert server.pending_status == PendingStatus.NONE
    assert isinstance(server.created_at, datetime.datetime)
    assert server.public_ip and server.cpu and server.memory
    assert (server.region, server.zone) == ("tr-ist-1", "tr-ist-1-a")


async def test_iter_fetches_page_by_page(ln: LightNode, fake: FakeLightNode) -> None:
    seen = []
    async for server in ln.instances.iter(**MOSCOW):
        seen.append(server.id)
        if len(seen) == 50:
            break

    assert len(seen) == 50
    assert len([r for r in fake.requests if r.path == "/instance/list"]) == 1


async def test_list_all_covers_every_zone_and_sold_out_ones_on_request(
    ln: LightNode, fake: FakeLightNode
) -> None:
    everything = await ln.instances.list_all()
    with_sold_out = await ln.instances.list_all(
        extra_zones=[("sau-jeddah-1", "sau-jeddah-1-a")]
    )

    on_sale = {
        i for i, r in fake.instances.items() if r["regionCode"] != "sau-jeddah-1"
    }
    assert {server.id for server in everything} == on_sale
    assert {server.id for server in with_sold_out} == set(fake.instances)
    assert len(with_sold_out) == len(fake.instances)


async def test_list_all_reports_the_first_failure(
    ln: LightNode, fake: FakeLightNode
) -> None:
    fake.inject(Fault.status(403), path="/instance/list", times=None)

    with pytest.raises(PermissionDeniedError) as caught:
        await ln.instances.list_all(concurrency=2)

    assert caught.value.path == "/instance/list"


async def test_list_needs_valid_codes(ln: LightNode, fake: FakeLightNode) -> None:
    with pytest.raises(InvalidArgumentError, match="zone"):
        await ln.instances.list(region="ru-moscow-1", zone="")

    assert fake.requests == []


async def test_unknown_fields_and_status_values_are_kept(
    ln: LightNode, fake: FakeLightNode
) -> None:
    record = fake.add_instance(region="tr-ist-1", zone="tr-ist-1-a", name="odd-1")
    record["ecsStatus"] = "HIBERNATING"
    record["ecsPendingStatus"] = "MIGRATING"
    record["gpuModel"] = "none"

    server = await ln.instances.get(record["ecsResourceUUID"])

    assert server.status == "HIBERNATING"
    assert server.pending_status == "MIGRATING"
    assert server.is_busy
    assert server.raw["gpuModel"] == "none"


async def test_get_returns_one_instance(ln: LightNode, fake: FakeLightNode) -> None:
    instance_id, record = next(iter(fake.instances.items()))

    server = await ln.instances.get(instance_id)

    assert server.id == instance_id
    assert server.name == record["instanceName"]
    assert server.login_user in ("root", "Administrator")


@pytest.mark.parametrize("in_body", [False, True])
async def test_get_of_a_missing_instance_raises_not_found(
    ln: LightNode, fake: FakeLightNode, in_body: bool
) -> None:
    fake.not_found_in_body = in_body

    with pytest.raises(NotFoundError) as caught:
        await ln.instances.get("ecs-000000000000")

    assert caught.value.code == "InvalidInstance.NotFound"


async def test_get_refuses_an_id_of_another_kind(ln: LightNode) -> None:
    with pytest.raises(InvalidArgumentError, match="an image id, not an instance id"):
        await ln.instances.get("img-rh0000743phm")


async def test_a_bad_value_names_its_field_and_value(
    ln: LightNode, fake: FakeLightNode
) -> None:
    record = fake.add_instance(region="tr-ist-1", zone="tr-ist-1-a", name="bad-1")
    record["createTime"] = "31/02/2026 25:61"

    with pytest.raises(UnexpectedResponseError) as caught:
        await ln.instances.get(record["ecsResourceUUID"])

    assert "$.instance.createTime" in str(caught.value)
    assert "31/02/2026 25:61" in str(caught.value)


async def test_a_bare_instance_record_is_accepted(
    ln: LightNode, fake: FakeLightNode
) -> None:
    # One public client accepts the record without the "instance" wrapper.
    body = {"ecsResourceUUID": "ecs-bare00000001", "instanceName": "bare"}
    fake.inject(Fault.status(202, body=body), path="/instance/detail")

    server = await ln.instances.get("ecs-bare00000001")

    assert server.name == "bare"
