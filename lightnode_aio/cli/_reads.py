"""The commands that only read: catalogues, instances, and waiting on a task.

Each command is a function of the :class:`Runtime`; it prints a table, or
JSON with ``--json``, and returns the exit code.
"""

from __future__ import annotations

import asyncio
import fnmatch
from collections.abc import Sequence
from typing import Any, Final, TypeVar

import attrs

from lightnode_aio._client import LightNode
from lightnode_aio._exceptions import TaskFailedError, TaskTimeoutError
from lightnode_aio.cli._render import (
    IMAGE_COLUMNS,
    INSTANCE_COLUMNS,
    PACKAGE_COLUMNS,
    REGION_COLUMNS,
    SECURITY_GROUP_COLUMNS,
    SSH_KEY_COLUMNS,
    Column,
    dump_json,
    model_details,
    table,
)
from lightnode_aio.cli._runtime import ExitCode, Runtime, UsageError
from lightnode_aio.models import Instance, Task

__all__ = [
    "Filters",
    "find_instances",
    "images",
    "instances_list",
    "instances_show",
    "packages",
    "regions",
    "security_groups",
    "ssh_keys",
    "tasks_wait",
]

T = TypeVar("T")

#: Zones listed at the same time when a filter spans several.
_ZONE_CONCURRENCY: Final = 4


def regions(rt: Runtime) -> int:
    """``lightnode regions``: the regions on sale and their zones."""
    found = rt.run(rt.client.regions.list())
    return _show_list(rt, REGION_COLUMNS, found)


def packages(rt: Runtime) -> int:
    """``lightnode packages``: the plans, optionally of a region or zone."""
    args = rt.args
    found = rt.run(rt.client.packages.list(region=args.region, zone=args.zone))
    return _show_list(rt, PACKAGE_COLUMNS, found)


def images(rt: Runtime) -> int:
    """``lightnode images``: the images, optionally of a region or type."""
    args = rt.args
    found = rt.run(rt.client.images.list(region=args.region, image_type=args.type))
    return _show_list(rt, IMAGE_COLUMNS, found)


def ssh_keys(rt: Runtime) -> int:
    """``lightnode ssh-keys``: the account's SSH keys."""
    return _show_list(rt, SSH_KEY_COLUMNS, rt.run(rt.client.ssh_keys.list()))


def security_groups(rt: Runtime) -> int:
    """``lightnode security-groups``: security groups, optionally of a region."""
    found = rt.run(rt.client.security_groups.list(region=rt.args.region))
    return _show_list(rt, SECURITY_GROUP_COLUMNS, found)


def instances_list(rt: Runtime) -> int:
    """``lightnode instances list``: servers in every region, or filtered."""
    found = rt.run(find_instances(rt.client, Filters.from_args(rt.args)))
    return _show_list(rt, INSTANCE_COLUMNS, found)


def instances_show(rt: Runtime) -> int:
    """``lightnode instances show ID``: every field of one server."""
    server = rt.run(rt.client.instances.get(rt.args.id))
    _show_one(rt, server)
    return ExitCode.OK


def tasks_wait(rt: Runtime) -> int:
    """``lightnode tasks wait ID``: waits for a task and prints its end.

    Returns:
        0 when the task succeeded; 1 when it failed or the deadline passed
        (the task is then printed as it stands).
    """
    client, task_id = rt.client, rt.args.id
    try:
        task = rt.run(client.tasks.wait(task_id, deadline=rt.args.deadline))
    except (TaskFailedError, TaskTimeoutError) as error:
        _show_one(rt, rt.run(client.tasks.get(task_id)))
        rt.console.error(str(error))
        return ExitCode.PARTIAL
    _show_one(rt, task)
    return ExitCode.OK


@attrs.frozen(kw_only=True)
class Filters:
    """Which servers a command is about.

    Attributes:
        region: A region code, or None for all.
        zone: A zone code, or None for all.
        status: A power state (``STARTED``, ``STOPPED``, ...), any case.
        name: A shell-style pattern the name must match (``web-*``).
    """

    region: str | None = None
    zone: str | None = None
    status: str | None = None
    name: str | None = None

    @classmethod
    def from_args(cls, args: Any) -> Filters:
        """The filter options of a parsed command line."""
        return cls(
            region=args.region, zone=args.zone, status=args.status, name=args.name
        )

    @property
    def given(self) -> bool:
        """Whether any filter was given."""
        return any((self.region, self.zone, self.status, self.name))

    def matches(self, server: Instance) -> bool:
        """Whether a server passes the status and name filters."""
        if self.status and str(server.status or "").upper() != self.status.upper():
            return False
        return not self.name or fnmatch.fnmatchcase(server.name or "", self.name)


async def find_instances(client: LightNode, filters: Filters) -> list[Instance]:
    """Lists the servers that pass the filters, reading only the zones needed.

    Raises:
        UsageError: The region or zone is not on sale (a sold-out region's
            servers are reachable by giving both its region and zone).
    """
    zones = await _zones(client, filters)
    if zones is None:
        servers = await client.instances.list_all()
    else:
        gate = asyncio.Semaphore(_ZONE_CONCURRENCY)

        async def one_zone(region: str, zone: str) -> list[Instance]:
            async with gate:
                return await client.instances.list(region=region, zone=zone)

        listings = await asyncio.gather(*(one_zone(*pair) for pair in zones))
        servers = [server for listing in listings for server in listing]
    return [server for server in servers if filters.matches(server)]


async def _zones(client: LightNode, filters: Filters) -> list[tuple[str, str]] | None:
    """The (region, zone) pairs to list, or None for every zone."""
    if filters.region and filters.zone:
        return [(filters.region, filters.zone)]
    if not (filters.region or filters.zone):
        return None
    pairs = [
        (region.code, zone.code)
        for region in await client.regions.list()
        for zone in region.zones
        if filters.region in (None, region.code) and filters.zone in (None, zone.code)
    ]
    if not pairs:
        what = (
            f"region {filters.region!r}" if filters.region else f"zone {filters.zone!r}"
        )
        raise UsageError(
            f"no {what} among the regions on sale; for a sold-out region give "
            "both --region and --zone"
        )
    return pairs


def _show_list(rt: Runtime, columns: Sequence[Column[T]], rows: list[T]) -> int:
    if rt.args.json:
        rt.console.print(dump_json(rows))
    else:
        rt.console.print(table(columns, rows))
    return ExitCode.OK


def _show_one(rt: Runtime, model: Instance | Task) -> None:
    rt.console.print(dump_json(model) if rt.args.json else model_details(model))
