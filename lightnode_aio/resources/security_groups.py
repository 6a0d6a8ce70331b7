"""``ln.security_groups``: security groups, the API's "firewalls"
(REFERENCE §3.10)."""

from __future__ import annotations

from lightnode_aio._validation import check_code
from lightnode_aio.models import SecurityGroup
from lightnode_aio.resources._base import Resource

__all__ = ["SecurityGroupsResource"]


class SecurityGroupsResource(Resource):
    """Security groups that servers can be created in."""

    async def list(self, *, region: str | None = None) -> list[SecurityGroup]:
        """Lists every security group, all pages, optionally of one region.

        Calls ``GET /firewall/list``.

        Args:
            region: Only groups of this region code.

        Raises:
            InvalidArgumentError: The region is empty or malformed.
            APIError: The API refused.
            TransportError: The API could not be reached.
        """
        params: dict[str, str | int] = {}
        if region is not None:
            params["regionCode"] = check_code(region, "region")
        return [
            group
            async for group in self._paginate(
                "/firewall/list", params, ("firewalls",), SecurityGroup
            )
        ]
