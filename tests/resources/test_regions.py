"""``ln.regions``: regions on sale with their zones."""

from __future__ import annotations

from lightnode_aio import LightNode, Region, Zone
from lightnode_aio.testing import FakeLightNode, Fault


async def test_list_returns_regions_on_sale_with_zones(ln: LightNode) -> None:
    regions = await ln.regions.list()

    by_code = {region.code: region for region in regions}
    assert "sau-jeddah-1" not in by_code  # sold out (REFERENCE §3.9)
    assert by_code["ru-moscow-1"].name == "Moscow"
    assert [zone.code for zone in by_code["us-lax-1"].zones] == [
        "us-lax-1-a",
        "us-lax-1-b",
    ]
    assert all(isinstance(zone, Zone) for region in regions for zone in region.zones)


async def test_unknown_fields_stay_reachable(
    fake: FakeLightNode, ln: LightNode
) -> None:
    body = {
        "regions": [
            {
                "regionCode": "xx-new-1",
                "regionName": "New",
                "continent": "Atlantis",
                "zones": [{"zoneCode": "xx-new-1-a", "soldOut": False}],
            }
        ]
    }
    fake.inject(Fault.status(202, body=body), path="/region/list")

    [region] = await ln.regions.list()

    assert region == Region(
        code="xx-new-1", name="New", zones=(Zone(code="xx-new-1-a"),)
    )
    assert region.raw["continent"] == "Atlantis"
    assert region.zones[0].raw["soldOut"] is False
    assert "continent" not in repr(region)
