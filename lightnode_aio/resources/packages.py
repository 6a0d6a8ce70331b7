"""``ln.packages``: the plans servers are created with (REFERENCE §3.15)."""

from __future__ import annotations

from lightnode_aio._validation import check_code
from lightnode_aio.models import Package
from lightnode_aio.resources._base import Resource

__all__ = ["PackagesResource"]


class PackagesResource(Resource):
    """Plans (``packageCode``) and what they include."""

    async def list(
        self, *, region: str | None = None, zone: str | None = None
    ) -> list[Package]:
        """Lists the plans on sale, optionally in one region or zone.

        Calls ``GET /package/list`` (not paged by the API).

        Args:
            region: Only plans of this region code.
            zone: Only plans of this zone code.

        Raises:
            InvalidArgumentError: A code is empty or malformed.
            APIError: The API refused.
            TransportError: The API could not be reached.
        """
        params: dict[str, str | int] = {}
        if region is not None:
            params["regionCode"] = check_code(region, "region")
        if zone is not None:
            params["zoneCode"] = check_code(zone, "zone")
        path = "/package/list"
        reply = await self._get(path, params)
        return self._decode_rows(reply, ("packages",), Package, path=path)
