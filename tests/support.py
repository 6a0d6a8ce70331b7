"""Small helpers the tests share for finding and making things in the fake.

They only read and shape the fake's world; nothing here talks to the API.
"""

from __future__ import annotations

from typing import Final

from lightnode_aio.testing import FakeLightNode

#: The zone most tests work in: small, seeded, on sale.
ZONE: Final = {"region": "tr-ist-1", "zone": "tr-ist-1-a"}


def pick(fake: FakeLightNode, status: str) -> str:
    """The id of an idle instance whose power state is ``status``."""
    return next(
        instance_id
        for instance_id, record in fake.instances.items()
        if record["ecsStatus"] == status and record["ecsPendingStatus"] == "NONE"
    )


def image_in(fake: FakeLightNode, region: str = ZONE["region"]) -> str:
    """The id of a System image of a region."""
    return next(
        str(image["imageResourceUUID"])
        for image in fake.images
        if image["regionCode"] == region and image["imageType"] == "System"
    )


def package_in(fake: FakeLightNode, zone: str = ZONE["zone"]) -> str:
    """The code of a plan sold in a zone."""
    return next(
        str(plan["packageCode"]) for plan in fake.packages if plan["zoneCode"] == zone
    )


def add_fleet(
    fake: FakeLightNode, count: int, *, status: str = "STOPPED", prefix: str = "f"
) -> list[str]:
    """Adds ``count`` instances to ``ZONE`` and returns their ids."""
    return [
        fake.add_instance(**ZONE, name=f"{prefix}-{n:03}", status=status)[
            "ecsResourceUUID"
        ]
        for n in range(count)
    ]
