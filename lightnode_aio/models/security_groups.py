"""Security groups (the API's "firewalls") from ``GET /firewall/list``
(REFERENCE §3.10)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

import attrs

from lightnode_aio.models._base import api_field, raw_field

__all__ = ["SecurityGroup"]


@attrs.frozen(kw_only=True)
class SecurityGroup:
    """A security group. Its rules are not exposed by the API.

    Attributes:
        id: The group id (``fw-...``), passed as ``security_group`` to create.
        name: The group's name.
        status: ``AVAILABLE`` when usable; other values are kept as sent.
        region: The region the group belongs to.
        created_at: When the group was made (no time zone, as sent).
    """

    id: str = api_field("firewallUUID", default="")
    name: str | None = api_field("firewallName")
    status: str | None = api_field("firewallStatus")
    region: str | None = api_field("regionCode")
    created_at: datetime.datetime | None = api_field("createTime")
    raw: Mapping[str, Any] = raw_field()

    @property
    def is_available(self) -> bool:
        """Whether the group can be attached (status ``AVAILABLE``)."""
        return self.status == "AVAILABLE"
