"""Paging quirks: pageSize 10 by default and 50 at most, both codes required."""

from __future__ import annotations

import pytest

from lightnode_aio.testing import FakeLightNode

from .fake_support import Api

MOSCOW = {"regionCode": "ru-moscow-1", "zoneCode": "ru-moscow-1-a"}


async def test_instance_list_returns_ten_rows_by_default(api: Api) -> None:
    status, body = await api.get("/instance/list", **MOSCOW)

    assert status == 202
    assert body["success"] is True
    assert body["httpStatus"] == 202
    assert body["rowCount"] == 123
    assert len(body["instances"]) == 10


async def test_instance_list_pages_of_fifty_cover_the_zone(api: Api) -> None:
    pages = [
        (await api.get("/instance/list", **MOSCOW, page=page, pageSize=50))[1]
        for page in (1, 2, 3, 4)
    ]

    assert [len(p["instances"]) for p in pages] == [50, 50, 23, 0]
    ids = [i["ecsResourceUUID"] for p in pages for i in p["instances"]]
    assert len(set(ids)) == 123
    assert {p["rowCount"] for p in pages} == {123}


async def test_instance_list_order_is_stable(api: Api) -> None:
    _, first = await api.get("/instance/list", **MOSCOW, pageSize=50)
    _, again = await api.get("/instance/list", **MOSCOW, pageSize=50)

    assert first["instances"] == again["instances"]


async def test_new_instances_are_listed_last(api: Api, fake: FakeLightNode) -> None:
    added = fake.add_instance(region="ru-moscow-1", zone="ru-moscow-1-a", name="newest")

    _, body = await api.get("/instance/list", **MOSCOW, page=3, pageSize=50)

    assert body["rowCount"] == 124
    assert body["instances"][-1]["ecsResourceUUID"] == added["ecsResourceUUID"]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"pageSize": 51}, "InvalidParameter.PageSize"),
        ({"pageSize": 100}, "InvalidParameter.PageSize"),
        ({"pageSize": 0}, "InvalidParameter.PageSize"),
        ({"pageSize": "ten"}, "InvalidParameter.PageSize"),
        ({"pageSize": "2.5"}, "InvalidParameter.PageSize"),
        ({"page": 0}, "InvalidParameter.Page"),
        ({"page": -1}, "InvalidParameter.Page"),
        ({"page": "first"}, "InvalidParameter.Page"),
    ],
    ids=["51", "100", "0", "word", "fraction", "page-0", "page-negative", "page-word"],
)
@pytest.mark.parametrize(
    "path", ["/instance/list", "/image/list", "/firewall/list", "/sshKey/list"]
)
async def test_bad_paging_is_400(
    api: Api, path: str, params: dict[str, object], code: str
) -> None:
    status, body = await api.get(path, **MOSCOW, **params)

    assert status == 400
    assert body["code"] == code
    assert body["success"] is False


async def test_page_size_fifty_is_accepted(api: Api) -> None:
    status, body = await api.get("/image/list", pageSize=50)

    assert status == 202
    assert len(body["images"]) == 50


async def test_instance_list_without_region_is_an_error_inside_a_202(api: Api) -> None:
    status, body = await api.get("/instance/list", zoneCode="ru-moscow-1-a")

    assert status == 202
    assert body == {
        "code": "InvalidRegionCode.NotNull",
        "message": body["message"],
        "success": False,
        "httpStatus": 202,
    }


async def test_instance_list_without_zone_is_an_error_inside_a_202(api: Api) -> None:
    status, body = await api.get("/instance/list", regionCode="ru-moscow-1")

    assert status == 202
    assert body["code"] == "InvalidZoneCode.NotNull"
    assert body["success"] is False
    assert "instances" not in body


async def test_empty_codes_count_as_missing(api: Api) -> None:
    status, body = await api.get("/instance/list", regionCode="", zoneCode="")

    assert status == 202
    assert body["code"] == "InvalidRegionCode.NotNull"


async def test_instance_list_refuses_a_zone_of_another_region(api: Api) -> None:
    status, body = await api.get(
        "/instance/list", regionCode="ru-moscow-1", zoneCode="tr-ist-1-a"
    )

    assert status == 400
    assert body["code"] == "InvalidZoneCode.NotFound"


async def test_instance_list_refuses_an_unknown_region(api: Api) -> None:
    status, body = await api.get(
        "/instance/list", regionCode="xx-nowhere-1", zoneCode="xx-nowhere-1-a"
    )

    assert status == 400
    assert body["code"] == "InvalidRegionCode.NotFound"


async def test_every_zone_has_instances(api: Api, fake: FakeLightNode) -> None:
    counts = {}
    for region in fake.regions:
        for zone in region.zones:
            _, body = await api.get(
                "/instance/list", regionCode=region.code, zoneCode=zone.code
            )
            counts[zone.code] = body["rowCount"]

    assert counts.pop("ru-moscow-1-a") == 123
    assert all(1 <= n <= 4 for n in counts.values()), counts
