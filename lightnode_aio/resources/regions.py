"""``ln.regions``: where servers can be bought (REFERENCE §3.14)."""

from __future__ import annotations

from lightnode_aio.models import Region
from lightnode_aio.resources._base import Resource

__all__ = ["RegionsResource"]


class RegionsResource(Resource):
    """The regions on sale and their zones."""

    async def list(self) -> list[Region]:
        """Lists the regions on sale, each with its zones.

        Calls ``GET /region/list``. A region that sold out is not listed,
        though its servers still run; ``instances.list_all`` has a way to
        reach them.

        Raises:
            APIError: The API refused (``AuthenticationError`` for a bad token).
            TransportError: The API could not be reached.
        """
        path = "/region/list"
        reply = await self._get(path)
        return self._decode_rows(reply, ("regions",), Region, path=path)
