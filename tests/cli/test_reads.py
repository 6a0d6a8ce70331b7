"""The read commands: tables for people, JSON for scripts, and filters."""

from __future__ import annotations

from lightnode_aio.testing import FakeLightNode
from tests.cli.conftest import Run


def on_sale_instances(fake: FakeLightNode) -> dict[str, dict[str, object]]:
    codes = {region.code for region in fake.regions if region.on_sale}
    return {
        id_: record
        for id_, record in fake.instances.items()
        if record["regionCode"] in codes
    }


async def test_regions_prints_a_table_of_regions_and_zones(cli: Run) -> None:
    done = await cli("regions")

    assert done.code == 0
    header, *rows = done.out.splitlines()
    assert header.split() == ["CODE", "NAME", "ZONES"]
    lax = next(row for row in rows if row.startswith("us-lax-1 "))
    assert "us-lax-1-a, us-lax-1-b" in lax
    assert not any(row.startswith("sau-jeddah-1") for row in rows)


async def test_regions_as_json(cli: Run, fake: FakeLightNode) -> None:
    done = await cli("regions", "--json")

    regions = done.json()
    assert done.code == 0
    assert [r["code"] for r in regions] == [r.code for r in fake.regions if r.on_sale]
    assert regions[0]["zones"][0].keys() == {"code", "name"}
    assert "raw" not in regions[0]


async def test_packages_filtered_by_zone(cli: Run) -> None:
    table = await cli("packages", "--region", "us-lax-1", "--zone", "us-lax-1-b")
    listed = await cli(
        "packages", "--region", "us-lax-1", "--zone", "us-lax-1-b", "--json"
    )

    plans = listed.json()
    assert table.code == listed.code == 0
    assert table.out.split()[:9] == [
        "CODE", "REGION", "ZONE", "CPU", "MEMORY", "DISK", "MBPS", "TRAFFIC", "CHARGED"
    ]  # fmt: skip
    assert plans and {p["zone"] for p in plans} == {"us-lax-1-b"}
    assert {p["charge_mode"] for p in plans} == {"PayByTraffic", "PayByBandwidth"}
    assert len(table.out.splitlines()) == len(plans) + 1


async def test_images_filtered_by_region_and_type(cli: Run) -> None:
    done = await cli("images", "--region", "ru-moscow-1", "--type", "Self", "--json")

    images = done.json()
    assert done.code == 0
    assert sorted(i["name"] for i in images) == [
        "golden-db-2025-05",
        "golden-web-2025-06",
    ]
    assert {i["type"] for i in images} == {"Self"}


async def test_ssh_keys_table_and_json(cli: Run) -> None:
    table = await cli("ssh-keys")
    listed = await cli("ssh-keys", "--json")

    assert table.code == listed.code == 0
    assert [k["name"] for k in listed.json()] == ["laptop", "ci-deploy", "ops-team"]
    assert listed.json()[0]["created_at"].startswith("20")  # an ISO 8601 string
    assert table.out.split()[:4] == ["ID", "NAME", "FINGERPRINT", "CREATED"]
    assert "ci-deploy" in table.out


async def test_security_groups_of_a_region(cli: Run) -> None:
    done = await cli("security-groups", "--region", "tr-ist-1", "--json")

    groups = done.json()
    assert done.code == 0
    assert sorted(g["name"] for g in groups) == [
        "default-tr-ist-1",
        "web-open-tr-ist-1",
    ]
    assert {g["status"] for g in groups} == {"AVAILABLE"}


async def test_instances_list_covers_every_region_on_sale(
    cli: Run, fake: FakeLightNode
) -> None:
    done = await cli("instances", "list", "--json")

    servers = done.json()
    assert done.code == 0
    assert {s["id"] for s in servers} == set(on_sale_instances(fake))
    assert len(servers) == len(on_sale_instances(fake)) > 100  # past many pages


async def test_instances_list_table_has_the_usual_columns(cli: Run) -> None:
    done = await cli("instances", "list", "--region", "tr-ist-1")

    header, *rows = done.out.splitlines()
    assert done.code == 0
    assert header.split() == [
        "ID", "NAME", "REGION", "ZONE", "STATUS", "PENDING", "PUBLIC", "IP", "CPU",
        "MEMORY", "CREATED",
    ]  # fmt: skip
    assert len(rows) == 3
    assert all(row.startswith("ecs-") and " tr-ist-1-a " in row for row in rows)


async def test_instances_list_filters(cli: Run, fake: FakeLightNode) -> None:
    expected = {
        id_
        for id_, record in on_sale_instances(fake).items()
        if record["regionCode"] == "us-lax-1" and record["ecsStatus"] == "STARTED"
    }

    by_zone = await cli("instances", "list", "--zone", "us-lax-1-b", "--json")
    by_status = await cli(
        "instances", "list", "--region", "us-lax-1", "--status", "started", "--json"
    )
    by_name = await cli("instances", "list", "--name", "db-*", "--json")

    assert {s["zone"] for s in by_zone.json()} == {"us-lax-1-b"}
    assert {s["id"] for s in by_status.json()} == expected
    assert by_name.json() and all(s["name"].startswith("db-") for s in by_name.json())


async def test_a_sold_out_region_needs_its_zone(cli: Run) -> None:
    region_only = await cli("instances", "list", "--region", "sau-jeddah-1")
    with_zone = await cli(
        "instances", "list", "--region", "sau-jeddah-1", "--zone", "sau-jeddah-1-a"
    )

    assert region_only.code == 2
    assert "give both --region and --zone" in region_only.err
    assert with_zone.code == 0
    assert len(with_zone.out.splitlines()) == 1 + 2


async def test_instances_show_prints_every_field(cli: Run, fake: FakeLightNode) -> None:
    server_id, record = next(iter(on_sale_instances(fake).items()))

    table = await cli("instances", "show", server_id)
    shown = await cli("instances", "show", server_id, "--json")

    assert table.code == shown.code == 0
    assert shown.json()["id"] == server_id
    assert shown.json()["public_ip"] == record["publicIpAddress"]
    assert shown.json()["created_at"] == record["createTime"].replace(" ", "T")
    assert f"public ip             {record['publicIpAddress']}" in table.out
    assert "raw" not in shown.json()


async def test_tasks_wait_prints_the_finished_task(
    cli: Run, fake: FakeLightNode
) -> None:
    server_id = next(
        id_ for id_, r in on_sale_instances(fake).items() if r["ecsStatus"] == "STARTED"
    )
    stopped = await cli("instances", "stop", server_id, "--json")
    task_id = stopped.json()[0]["task_id"]

    table = await cli("tasks", "wait", task_id)
    waited = await cli("tasks", "wait", task_id, "--json")

    assert table.code == waited.code == 0
    assert waited.json() == {
        "id": task_id,
        "instance_id": server_id,
        "status": "FINISHED",
        "result": "SUCCESS",
        "message": None,
    }
    assert "result       SUCCESS" in table.out
