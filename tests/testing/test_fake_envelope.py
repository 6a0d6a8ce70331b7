"""The reply envelope, authentication and the read endpoints of the fake."""

from __future__ import annotations

import aiohttp
import pytest

from lightnode_aio.testing import FakeLightNode

from .fake_support import SMALL_REGION, SMALL_ZONE, Api

UNAUTHORIZED = "The current request is not authenticated and access is not allowed"


async def test_success_is_202_with_http_status_and_row_count(api: Api) -> None:
    status, body = await api.get("/region/list")

    assert status == 202
    assert body["httpStatus"] == 202
    assert body["rowCount"] == len(body["regions"]) == 5
    assert "code" not in body


async def test_success_status_can_be_switched_to_200(
    api: Api, fake: FakeLightNode
) -> None:
    fake.success_status = 200

    status, body = await api.get("/sshKey/list")

    assert status == 200
    assert body["httpStatus"] == 200


async def test_action_replies_carry_row_count_zero(api: Api) -> None:
    ref = await api.create()

    status, body = await api.get(
        "/asynctask/getResult", asyncTaskUUID=ref["asyncTaskUUID"]
    )

    assert status == 202
    assert body["rowCount"] == 0
    assert body["httpStatus"] == 202


@pytest.mark.parametrize(
    "headers",
    [{}, {"x-open-token": "wrong"}, {"x-open-token": ""}],
    ids=["missing", "wrong", "empty"],
)
async def test_bad_token_is_401(fake: FakeLightNode, headers: dict[str, str]) -> None:
    async with (
        aiohttp.ClientSession(base_url=fake.url, headers=headers) as session,
        session.get("/region/list") as response,
    ):
        body = await response.json()

    assert response.status == 401
    assert body == {
        "code": "Unauthorized",
        "message": UNAUTHORIZED,
        "success": False,
        "httpStatus": 401,
    }
    assert fake.requests[-1].headers_seen_token is False
    assert fake.requests[-1].status == 401


async def test_bad_token_does_not_apply_a_mutation(
    fake: FakeLightNode, api: Api
) -> None:
    before = len(fake.instances)

    async with (
        aiohttp.ClientSession(base_url=fake.url) as session,
        session.post("/instance/create", json=api.create_body()) as response,
    ):
        assert response.status == 401

    assert len(fake.instances) == before
    assert not fake.submissions


async def test_unknown_path_is_404_and_wrong_method_405(api: Api) -> None:
    status, body = await api.get("/instance/lists")
    assert status == 404
    assert body["code"] == "InvalidAction.NotFound"

    status, body = await api.post("/instance/list", {})
    assert status == 405
    assert body["code"] == "InvalidAction.MethodNotAllowed"


async def test_paths_are_case_sensitive(api: Api) -> None:
    status, _ = await api.get("/asynctask/getresult", asyncTaskUUID="x")

    assert status == 404


async def test_region_list_hides_the_sold_out_region(
    api: Api, fake: FakeLightNode
) -> None:
    _, body = await api.get("/region/list")

    codes = [r["regionCode"] for r in body["regions"]]
    assert "sau-jeddah-1" not in codes
    assert {r.code for r in fake.regions} - set(codes) == {"sau-jeddah-1"}
    lax = next(r for r in body["regions"] if r["regionCode"] == "us-lax-1")
    assert [z["zoneCode"] for z in lax["zones"]] == ["us-lax-1-a", "us-lax-1-b"]
    assert set(lax["zones"][0]) == {"zoneCode", "zoneName"}


async def test_sold_out_zone_still_lists_its_instances(api: Api) -> None:
    status, body = await api.get(
        "/instance/list", regionCode="sau-jeddah-1", zoneCode="sau-jeddah-1-a"
    )

    assert status == 202
    assert body["rowCount"] == 2
    assert all(i["regionCode"] == "sau-jeddah-1" for i in body["instances"])


async def test_region_taken_off_sale_leaves_the_list(
    api: Api, fake: FakeLightNode
) -> None:
    next(r for r in fake.regions if r.code == "de-fra-1").on_sale = False

    _, body = await api.get("/region/list")

    assert "de-fra-1" not in [r["regionCode"] for r in body["regions"]]


async def test_package_list_filters_by_zone(api: Api) -> None:
    status, body = await api.get(
        "/package/list", regionCode=SMALL_REGION, zoneCode=SMALL_ZONE
    )

    assert status == 202
    assert body["rowCount"] == len(body["packages"]) == 8
    modes = {p["publicIpChargeMode"] for p in body["packages"]}
    assert modes == {"PayByTraffic", "PayByBandwidth"}
    assert {(p["cpu"], p["memory"]) for p in body["packages"]} == {
        (1, 1),
        (2, 2),
        (2, 4),
        (4, 8),
    }


async def test_package_list_includes_region_wide_packages(api: Api) -> None:
    _, body = await api.get("/package/list", zoneCode="de-fra-1-a")

    assert body["rowCount"] == 8
    assert {p["zoneCode"] for p in body["packages"]} == {""}


async def test_package_list_unfiltered_and_unknown_region(api: Api) -> None:
    _, everything = await api.get("/package/list")
    status, body = await api.get("/package/list", regionCode="xx-nowhere-1")

    assert everything["rowCount"] == 6 * 8
    assert status == 400
    assert body["code"] == "InvalidRegionCode.NotFound"


async def test_image_list_pages_at_ten_by_default(api: Api) -> None:
    _, first = await api.get("/image/list", regionCode=SMALL_REGION)
    _, second = await api.get("/image/list", regionCode=SMALL_REGION, page=2)

    assert first["rowCount"] > 10
    assert len(first["images"]) == 10
    assert len(second["images"]) == first["rowCount"] - 10
    image = first["images"][0]
    assert image["imageResourceUUID"].startswith("img-")
    assert set(image) == {
        "imageResourceUUID",
        "imageName",
        "imageType",
        "osVersion",
        "osVersionDetail",
        "osDistroVersion",
        "imageAccount",
        "regionCode",
    }


@pytest.mark.parametrize("image_type", ["System", "Application", "Self"])
async def test_image_list_filters_by_type(api: Api, image_type: str) -> None:
    _, body = await api.get(
        "/image/list", regionCode=SMALL_REGION, imageType=image_type, pageSize=50
    )

    assert body["rowCount"] >= 1
    assert {i["imageType"] for i in body["images"]} == {image_type}


async def test_image_list_refuses_an_unknown_type(api: Api) -> None:
    status, body = await api.get("/image/list", imageType="Public")

    assert status == 400
    assert body["code"] == "InvalidParameter.ImageType"


async def test_windows_images_log_in_as_administrator(api: Api) -> None:
    _, body = await api.get("/image/list", regionCode=SMALL_REGION, pageSize=50)

    accounts = {i["osVersion"]: i["imageAccount"] for i in body["images"]}
    assert accounts == {"linux": "root", "windows": "Administrator"}


async def test_ssh_keys_and_firewalls(api: Api) -> None:
    _, keys = await api.get("/sshKey/list")
    _, firewalls = await api.get("/firewall/list", regionCode=SMALL_REGION)

    assert keys["rowCount"] == 3
    assert all(k["sshKeyUUID"].startswith("key-") for k in keys["sshKeys"])
    assert firewalls["rowCount"] == 2
    assert all(f["firewallUUID"].startswith("fw-") for f in firewalls["firewalls"])
    assert {f["firewallStatus"] for f in firewalls["firewalls"]} == {"AVAILABLE"}


async def test_instance_detail_has_every_field(api: Api, fake: FakeLightNode) -> None:
    instance_id = next(iter(fake.instances))

    status, body = await api.detail(instance_id)

    assert status == 202
    assert body["rowCount"] == 0
    instance = body["instance"]
    assert instance["ecsResourceUUID"] == instance_id
    assert set(instance) >= {
        "ecsResourceUUID",
        "instanceName",
        "ecsStatus",
        "ecsPendingStatus",
        "publicIpAddress",
        "secondaryPublicIpInfoList",
        "internalIpAddress",
        "regionCode",
        "regionName",
        "zoneCode",
        "zoneName",
        "cpu",
        "memory",
        "bandwidth",
        "systemDiskSize",
        "dataDiskSize",
        "imageResourceUUID",
        "osName",
        "osVersionDetail",
        "freeFlow",
        "usedFlow",
        "createTime",
        "expireTime",
        "sysAccount",
        "packageCode",
    }
    assert instance["ecsPendingStatus"] == "NONE"
    assert instance["publicIpAddress"]


async def test_unknown_instance_is_404(api: Api) -> None:
    status, body = await api.detail("ecs-nope0000nope")

    assert status == 404
    assert body["code"] == "InvalidInstance.NotFound"
    assert body["success"] is False
    assert body["httpStatus"] == 404


async def test_unknown_instance_can_be_reported_in_a_2xx_body(
    api: Api, fake: FakeLightNode
) -> None:
    fake.not_found_in_body = True

    status, body = await api.detail("ecs-nope0000nope")
    action_status, action = await api.post(
        "/instance/start", {"ecsResourceUUID": "ecs-nope0000nope"}
    )

    assert status == action_status == 202
    assert body["code"] == action["code"] == "InvalidInstance.NotFound"
    assert body["httpStatus"] == 202


async def test_unknown_task_is_404(api: Api) -> None:
    status, body = await api.get("/asynctask/getResult", asyncTaskUUID="zz0000zzzzzz")

    assert status == 404
    assert body["code"] == "InvalidAsyncTask.NotFound"


async def test_missing_query_parameter_is_400(api: Api) -> None:
    status, body = await api.get("/instance/detail")

    assert status == 400
    assert body["code"] == "MissingParameter.ecsResourceUUID"
