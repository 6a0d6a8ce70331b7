"""Plans (packages) from ``GET /package/list`` (REFERENCE §3.15)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

import attrs

from lightnode_aio.models._base import api_field, raw_field

__all__ = ["ChargeMode", "Package"]


class ChargeMode(enum.StrEnum):
    """How a plan's public traffic is billed. The API may send other values;
    those stay plain strings."""

    PAY_BY_TRAFFIC = "PayByTraffic"
    PAY_BY_BANDWIDTH = "PayByBandwidth"


@attrs.frozen(kw_only=True)
class Package:
    """A plan that an instance can be created with.

    Units are not stated by the API; the ones below are what public clients
    rely on (REFERENCE §3.15).

    Attributes:
        code: The ``packageCode`` to pass to ``instances.create``.
        region: The region code the plan is sold in.
        zone: The zone code, or None when the plan is sold region-wide.
        cpu: vCPUs.
        memory: Memory in GB.
        system_disk_size: System disk in GB.
        data_disk_size: Data disk in GB (often 0 or absent).
        bandwidth: Bandwidth in Mbps.
        free_flow: Included monthly traffic in GB.
        charge_mode: ``PayByTraffic`` or ``PayByBandwidth``.
    """

    code: str = api_field("packageCode", default="")
    region: str | None = api_field("regionCode")
    zone: str | None = api_field("zoneCode")
    cpu: int | None = api_field("cpu")
    memory: float | None = api_field("memory")
    system_disk_size: int | None = api_field("systemDiskSize")
    data_disk_size: int | None = api_field("dataDiskSize")
    bandwidth: float | None = api_field("bandwidth")
    free_flow: float | None = api_field("freeFlow")
    charge_mode: ChargeMode | str | None = api_field("publicIpChargeMode")
    raw: Mapping[str, Any] = raw_field()
