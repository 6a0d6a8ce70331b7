"""The account the fake starts with: realistic, and the same for a given seed.

`populate` fills an empty `World` with what a real LightNode account might
hold: five regions on sale and one sold out (REFERENCE §3.9), packages in
both charge modes for every zone, System, Application and private images in
every region (more than one page of ten), three SSH keys, two firewalls per
region, and instances in every zone. The zone ``ru-moscow-1-a`` holds 123
instances, more than two pages of the largest page size (50), so paging bugs
show up against the seeded data alone.

Every random choice goes through the world's seeded generator, so two fakes
built with the same seed hold the same ids, addresses and names.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

from ._state import World

__all__ = ["MOSCOW_ZONE", "SOLD_OUT_REGION", "populate"]

#: The zone seeded with more than two full pages of instances.
MOSCOW_ZONE: Final = "ru-moscow-1-a"
#: The region seeded as sold out: not in /region/list, instances still listed.
SOLD_OUT_REGION: Final = "sau-jeddah-1"

# (code, name, [(zone code, zone name)], on sale, instance count per zone)
_REGIONS: Final = (
    ("ru-moscow-1", "Moscow", (("ru-moscow-1-a", "Moscow Zone A"),), True, (123,)),
    ("tr-ist-1", "Istanbul", (("tr-ist-1-a", "Istanbul Zone A"),), True, (3,)),
    ("cn-taiwan-2", "Taipei", (("cn-taiwan-2-a", "Taipei Zone A"),), True, (2,)),
    (
        "us-lax-1",
        "Los Angeles",
        (("us-lax-1-a", "Los Angeles Zone A"), ("us-lax-1-b", "Los Angeles Zone B")),
        True,
        (4, 1),
    ),
    ("de-fra-1", "Frankfurt", (("de-fra-1-a", "Frankfurt Zone A"),), True, (2,)),
    ("sau-jeddah-1", "Jeddah", (("sau-jeddah-1-a", "Jeddah Zone A"),), False, (2,)),
)

# (cpu, memory GB, system disk GB)
_PLANS: Final = ((1, 1, 25), (2, 2, 50), (2, 4, 80), (4, 8, 160))

# (name, type, os, distro)
_IMAGES: Final = (
    ("Debian 12 64bit", "System", "linux", "Debian 12"),
    ("Debian 11 64bit", "System", "linux", "Debian 11"),
    ("Ubuntu 22.04 64bit", "System", "linux", "Ubuntu 22.04"),
    ("Ubuntu 24.04 64bit", "System", "linux", "Ubuntu 24.04"),
    ("CentOS 7.9 64bit", "System", "linux", "CentOS 7"),
    ("Rocky Linux 9 64bit", "System", "linux", "Rocky 9"),
    ("AlmaLinux 9 64bit", "System", "linux", "AlmaLinux 9"),
    ("Windows Server 2019 Datacenter", "System", "windows", "Windows Server 2019"),
    ("Windows Server 2022 Datacenter", "System", "windows", "Windows Server 2022"),
    ("Docker CE on Ubuntu 22.04", "Application", "linux", "Ubuntu 22.04"),
    ("WordPress on Debian 12", "Application", "linux", "Debian 12"),
    ("LAMP on Rocky Linux 9", "Application", "linux", "Rocky 9"),
)

# Private ("Self") images: every region gets the first, Moscow both.
_PRIVATE_IMAGES: Final = (
    ("golden-web-2025-06", "Ubuntu 22.04"),
    ("golden-db-2025-05", "Debian 12"),
)

_NAME_STEMS: Final = ("web", "api", "db", "cache", "worker", "edge")

_EPOCH: Final = datetime(2025, 1, 6, 2, 0, 0, tzinfo=UTC)


def populate(world: World) -> None:
    """Fill an empty world with the seeded account."""
    rng = world.rng
    for code, name, zones, on_sale, _ in _REGIONS:
        world.add_region(code, name, zones, on_sale=on_sale)
        _add_images(world, code)
        for label in ("default", "web-open"):
            world.add_firewall(
                region=code, name=f"{label}-{code}", created=_when(world)
            )
    for code, _, zones, on_sale, _ in _REGIONS:
        if on_sale:
            _add_packages(world, code, [z for z, _ in zones])

    for key_name in ("laptop", "ci-deploy", "ops-team"):
        world.add_ssh_key(key_name, created=_when(world))

    for code, _, zones, _, counts in _REGIONS:
        for (zone, _), count in zip(zones, counts, strict=True):
            for n in range(count):
                status = "STARTED" if rng.random() < 0.75 else "STOPPED"
                world.add_instance(
                    region=code,
                    zone=zone,
                    name=_instance_name(zone, n),
                    status=status,
                    created=_when(world),
                    usedFlow=rng.randrange(0, 900),
                )


def _add_images(world: World, region: str) -> None:
    for name, kind, os_version, distro in _IMAGES:
        world.add_image(
            region=region,
            name=name,
            image_type=kind,
            os_version=os_version,
            distro=distro,
        )
    count = 2 if region == "ru-moscow-1" else 1
    for name, distro in _PRIVATE_IMAGES[:count]:
        world.add_image(region=region, name=name, image_type="Self", distro=distro)


def _add_packages(world: World, region: str, zones: list[str]) -> None:
    # Frankfurt's plans carry an empty zoneCode, valid in every zone of the
    # region (REFERENCE §3.15 notes that zoneCode may be empty).
    targets = [""] if region == "de-fra-1" else zones
    for zone in targets:
        for cpu, memory, disk in _PLANS:
            world.add_package(
                region=region,
                zone=zone,
                cpu=cpu,
                memory=memory,
                system_disk=disk,
                bandwidth=100 * cpu,
                free_flow=0,
                charge_mode="PayByTraffic",
            )
            world.add_package(
                region=region,
                zone=zone,
                cpu=cpu,
                memory=memory,
                system_disk=disk,
                bandwidth=5 * cpu,
                free_flow=1000 * cpu,
                charge_mode="PayByBandwidth",
            )


def _instance_name(zone: str, n: int) -> str:
    if zone == MOSCOW_ZONE:
        return f"{_NAME_STEMS[n % len(_NAME_STEMS)]}-{n + 1:03d}"
    place = zone.split("-")[0]
    return f"{_NAME_STEMS[n % len(_NAME_STEMS)]}-{place}-{n + 1}"


def _when(world: World) -> datetime:
    # A moment in 2025, drawn from the seed, for createTime fields.
    return _EPOCH + timedelta(seconds=world.rng.randrange(0, 300 * 24 * 3600))
