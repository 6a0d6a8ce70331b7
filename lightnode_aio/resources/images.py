"""``ln.images``: the images servers run (REFERENCE §3.11)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from lightnode_aio._validation import check_code
from lightnode_aio.models import Image, ImageType
from lightnode_aio.resources._base import Resource

__all__ = ["ImagesResource"]


class ImagesResource(Resource):
    """Public, application and private images."""

    async def list(
        self, *, region: str | None = None, image_type: ImageType | str | None = None
    ) -> list[Image]:
        """Lists every image, all pages, optionally of one region or type.

        Calls ``GET /image/list`` page by page.

        Args:
            region: Only images of this region code.
            image_type: ``ImageType.SYSTEM``, ``APPLICATION`` or ``PRIVATE``
                (or the API's string for a type the SDK does not know).

        Raises:
            InvalidArgumentError: A filter is empty or malformed.
            APIError: The API refused.
            TransportError: The API could not be reached.
        """
        return [
            image async for image in self.iter(region=region, image_type=image_type)
        ]

    async def iter(
        self, *, region: str | None = None, image_type: ImageType | str | None = None
    ) -> AsyncIterator[Image]:
        """Yields every image, fetching one page at a time.

        Same arguments and errors as :meth:`list`; the arguments are checked
        when iteration starts.
        """
        params: dict[str, str | int] = {}
        if region is not None:
            params["regionCode"] = check_code(region, "region")
        if image_type is not None:
            params["imageType"] = check_code(str(image_type), "image_type")
        async for image in self._paginate("/image/list", params, ("images",), Image):
            yield image
