"""``ln.security_groups``: firewalls, all pages, by region."""

from __future__ import annotations

from lightnode_aio import LightNode
from lightnode_aio.testing import FakeLightNode


async def test_list_returns_every_group(ln: LightNode, fake: FakeLightNode) -> None:
    groups = await ln.security_groups.list()

    assert len(groups) == len(fake.firewalls)
    assert all(group.id.startswith("fw-") and group.is_available for group in groups)


async def test_list_filters_by_region(ln: LightNode) -> None:
    groups = await ln.security_groups.list(region="de-fra-1")

    assert len(groups) == 2
    assert {group.region for group in groups} == {"de-fra-1"}
