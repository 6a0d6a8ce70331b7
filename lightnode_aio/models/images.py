"""Operating-system images from ``GET /image/list`` (REFERENCE §3.11)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

import attrs

from lightnode_aio.models._base import api_field, raw_field

__all__ = ["Image", "ImageType"]


class ImageType(enum.StrEnum):
    """The API's image categories. Other values stay plain strings."""

    SYSTEM = "System"
    APPLICATION = "Application"
    PRIVATE = "Self"


@attrs.frozen(kw_only=True)
class Image:
    """An image an instance can be created or reinstalled with.

    Attributes:
        id: The image id (``img-...``).
        name: The display name; ``os_distro`` is the more reliable OS string.
        type: ``System``, ``Application`` or ``Self`` (a private image).
        os_family: The OS family, e.g. ``linux``.
        os_version: The OS version text, e.g. ``Debian 12``.
        os_distro: The distribution and version, e.g. ``Debian 12``.
        login_user: The account the image logs in with (``root``, ...).
        region: The region the image is in.
    """

    id: str = api_field("imageResourceUUID", default="")
    name: str | None = api_field("imageName")
    type: ImageType | str | None = api_field("imageType")
    os_family: str | None = api_field("osVersion")
    os_version: str | None = api_field("osVersionDetail")
    os_distro: str | None = api_field("osDistroVersion")
    login_user: str | None = api_field("imageAccount")
    region: str | None = api_field("regionCode")
    raw: Mapping[str, Any] = raw_field()
