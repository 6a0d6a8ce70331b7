"""``ln.images``: every page of images, filtered by region and type."""

from __future__ import annotations

import pytest

from lightnode_aio import BadRequestError, ImageType, LightNode
from lightnode_aio.testing import FakeLightNode


async def test_list_returns_every_page(ln: LightNode, fake: FakeLightNode) -> None:
    images = await ln.images.list()

    assert len(images) == len(fake.images) > 50
    assert len({image.id for image in images}) == len(images)
    pages = [r.query for r in fake.requests if r.path == "/image/list"]
    assert all(query["pageSize"] == "50" for query in pages)
    assert [query["page"] for query in pages] == ["1", "2"]


async def test_list_filters_by_region_and_type(ln: LightNode) -> None:
    images = await ln.images.list(region="ru-moscow-1", image_type=ImageType.PRIVATE)

    assert len(images) == 2
    assert {image.type for image in images} == {ImageType.PRIVATE}
    assert all(image.region == "ru-moscow-1" for image in images)


async def test_iter_yields_images_of_each_type(ln: LightNode) -> None:
    types = set()
    async for image in ln.images.iter(region="tr-ist-1"):
        types.add(image.type)
        assert image.id.startswith("img-")

    assert types == {ImageType.SYSTEM, ImageType.APPLICATION, ImageType.PRIVATE}


async def test_an_unknown_type_string_is_left_to_the_api(
    ln: LightNode, fake: FakeLightNode
) -> None:
    # The SDK does not know every image type the API may add; it sends the
    # string as given, and the API decides.
    with pytest.raises(BadRequestError, match="imageType"):
        await ln.images.list(region="tr-ist-1", image_type="Marketplace")

    assert fake.requests[-1].query["imageType"] == "Marketplace"
