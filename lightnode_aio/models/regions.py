"""Regions and their zones, from ``GET /region/list`` (REFERENCE §3.14, §5)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from lightnode_aio.models._base import api_field, raw_field

__all__ = ["Region", "Zone"]


@attrs.frozen(kw_only=True)
class Zone:
    """A zone of a region: where an instance actually runs.

    Attributes:
        code: The zone code, e.g. ``ru-moscow-1-a``.
        name: The zone's display name.
    """

    code: str = api_field("zoneCode", default="")
    name: str | None = api_field("zoneName")
    raw: Mapping[str, Any] = raw_field()


@attrs.frozen(kw_only=True)
class Region:
    """A region on sale, with its zones.

    The API lists only regions currently on sale; a sold-out region vanishes
    from the list while its servers keep running (REFERENCE §3.9).

    Attributes:
        code: The region code, e.g. ``ru-moscow-1``.
        name: The region's display name, e.g. ``Moscow``.
        zones: The region's zones.
    """

    code: str = api_field("regionCode", default="")
    name: str | None = api_field("regionName")
    zones: tuple[Zone, ...] = api_field("zones", default=())
    raw: Mapping[str, Any] = raw_field()
