"""``ln.packages``: plans, filtered by region and zone."""

from __future__ import annotations

import pytest

from lightnode_aio import ChargeMode, InvalidArgumentError, LightNode
from lightnode_aio.testing import FakeLightNode


async def test_list_all_plans(ln: LightNode, fake: FakeLightNode) -> None:
    plans = await ln.packages.list()

    assert len(plans) == len(fake.packages)
    assert {plan.charge_mode for plan in plans} == {
        ChargeMode.PAY_BY_TRAFFIC,
        ChargeMode.PAY_BY_BANDWIDTH,
    }


async def test_list_filters_by_region_and_zone(ln: LightNode) -> None:
    plans = await ln.packages.list(region="us-lax-1", zone="us-lax-1-b")

    assert plans
    assert {(plan.region, plan.zone) for plan in plans} == {("us-lax-1", "us-lax-1-b")}
    assert all(plan.cpu and plan.memory and plan.system_disk_size for plan in plans)


async def test_a_region_wide_plan_has_no_zone(ln: LightNode) -> None:
    plans = await ln.packages.list(region="de-fra-1")

    assert plans
    assert {plan.zone for plan in plans} == {None}


@pytest.mark.parametrize(("region", "zone"), [("", None), ("ru moscow", None)])
async def test_malformed_filters_are_refused_before_sending(
    ln: LightNode, fake: FakeLightNode, region: str, zone: str | None
) -> None:
    with pytest.raises(InvalidArgumentError, match="region"):
        await ln.packages.list(region=region, zone=zone)

    assert fake.requests == []
