"""Instances (the API's ECS servers), from ``/instance/list`` rows and
``/instance/detail`` (REFERENCE §4)."""

from __future__ import annotations

import datetime
import enum
from collections.abc import Mapping
from typing import Any

import attrs

from lightnode_aio.models._base import api_field, raw_field

__all__ = ["Instance", "InstanceStatus", "PendingStatus"]


class InstanceStatus(enum.StrEnum):
    """Power states of an instance (``ecsStatus``).

    Only ``STARTED`` is documented and ``STOPPED`` observed (REFERENCE §4);
    any other value the API sends stays a plain string, so compare with
    ``==`` and never assume this list is complete.
    """

    STARTED = "STARTED"
    STOPPED = "STOPPED"


class PendingStatus(enum.StrEnum):
    """The operation in flight on an instance (``ecsPendingStatus``).

    ``NONE`` means idle; anything else, listed here or not, means busy.
    """

    NONE = "NONE"
    CREATING = "CREATING"
    RELEASING = "RELEASING"
    STARTING = "STARTING"
    STOPPING = "STOPPING"
    RESTARTING = "RESTARTING"
    RESETTING_PASSWORD = "RESETTING_PASSWORD"  # noqa: S105 (a state name)
    REINSTALLING = "REINSTALLING"


@attrs.frozen(kw_only=True)
class Instance:
    """A cloud server.

    Units are those public clients rely on; the API does not state them
    (REFERENCE §4). Times carry no time zone, because the API sends none.

    Attributes:
        id: The instance id (``ecs-...``).
        name: The instance name.
        status: The power state: ``STARTED``, ``STOPPED`` or another string.
        pending_status: The operation in flight, ``NONE`` when idle.
        public_ip: The primary public IPv4, or None until one is assigned.
        secondary_public_ips: Further public IPs.
        private_ip: The internal IP.
        region: The region code.
        region_name: The region's display name.
        zone: The zone code.
        zone_name: The zone's display name.
        cpu: vCPUs.
        memory: Memory in GB.
        bandwidth: Bandwidth in Mbps.
        system_disk_size: System disk in GB.
        data_disk_size: Data disk in GB.
        image_id: The image the system runs (``img-...``).
        os_name: The OS name.
        os_version: The OS version text.
        free_flow: Included monthly traffic in GB.
        used_flow: Traffic used this month (GB, by inference).
        created_at: When the instance was created.
        expires_at: When the instance expires.
        login_user: The default login user (``root`` or ``Administrator``).
        package: The plan code, when the API reports it.
    """

    id: str = api_field("ecsResourceUUID", default="")
    name: str | None = api_field("instanceName")
    status: InstanceStatus | str | None = api_field("ecsStatus")
    pending_status: PendingStatus | str | None = api_field("ecsPendingStatus")
    public_ip: str | None = api_field("publicIpAddress")
    secondary_public_ips: tuple[str, ...] = api_field(
        "secondaryPublicIpInfoList", default=()
    )
    private_ip: str | None = api_field("internalIpAddress")
    region: str | None = api_field("regionCode")
    region_name: str | None = api_field("regionName")
    zone: str | None = api_field("zoneCode")
    zone_name: str | None = api_field("zoneName")
    cpu: int | None = api_field("cpu")
    memory: float | None = api_field("memory")
    bandwidth: float | None = api_field("bandwidth")
    system_disk_size: int | None = api_field("systemDiskSize")
    data_disk_size: int | None = api_field("dataDiskSize")
    image_id: str | None = api_field("imageResourceUUID")
    os_name: str | None = api_field("osName")
    os_version: str | None = api_field("osVersionDetail")
    free_flow: float | None = api_field("freeFlow")
    used_flow: float | None = api_field("usedFlow")
    created_at: datetime.datetime | None = api_field("createTime")
    expires_at: datetime.datetime | None = api_field("expireTime")
    login_user: str | None = api_field("sysAccount")
    package: str | None = api_field("packageCode")
    raw: Mapping[str, Any] = raw_field()

    @property
    def is_busy(self) -> bool:
        """Whether an operation is in flight (pending status is not ``NONE``).

        A missing pending status counts as idle, as public clients read it.
        """
        return self.pending_status not in (None, PendingStatus.NONE)

    @property
    def is_running(self) -> bool:
        """Whether the instance is started and no operation is in flight."""
        return self.status == InstanceStatus.STARTED and not self.is_busy

    @property
    def is_stopped(self) -> bool:
        """Whether the instance is stopped and no operation is in flight."""
        return self.status == InstanceStatus.STOPPED and not self.is_busy
