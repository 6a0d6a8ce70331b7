"""The SDK's data: frozen attrs classes with Python names, and no I/O.

The converter (``lightnode_aio._converter``) builds them from the API's
camelCase records; every model keeps the record as sent in ``raw``.
"""

from lightnode_aio.models.images import Image, ImageType
from lightnode_aio.models.instances import Instance, InstanceStatus, PendingStatus
from lightnode_aio.models.packages import ChargeMode, Package
from lightnode_aio.models.regions import Region, Zone
from lightnode_aio.models.security_groups import SecurityGroup
from lightnode_aio.models.ssh_keys import SSHKey
from lightnode_aio.models.tasks import Task, TaskResult, TaskStatus

__all__ = [
    "ChargeMode",
    "Image",
    "ImageType",
    "Instance",
    "InstanceStatus",
    "Package",
    "PendingStatus",
    "Region",
    "SSHKey",
    "SecurityGroup",
    "Task",
    "TaskResult",
    "TaskStatus",
    "Zone",
]
