"""lightnode_aio: the asyncio-native Python SDK for the LightNode cloud API.

Start with :class:`LightNode`::

    async with LightNode() as ln:          # token from LIGHTNODE_TOKEN
        for server in await ln.instances.list_all():
            print(server.name, server.status, server.public_ip)

Changes return an :class:`Operation`, awaited to its end::

    server = await ln.instances.reinstall(server.id, image=..., password=...)
"""

from lightnode_aio._client import LightNode
from lightnode_aio._config import (
    DEFAULT_BASE_URL,
    Deadlines,
    Limits,
    PollPolicy,
    RetryPolicy,
    Timeouts,
)
from lightnode_aio._exceptions import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    InvalidArgumentError,
    LightNodeError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TaskError,
    TaskFailedError,
    TaskTimeoutError,
    TransportError,
    UnexpectedResponseError,
)
from lightnode_aio._http import VERSION as __version__
from lightnode_aio._operation import Operation, OperationState
from lightnode_aio.models import (
    ChargeMode,
    Image,
    ImageType,
    Instance,
    InstanceStatus,
    Package,
    PendingStatus,
    Region,
    SecurityGroup,
    SSHKey,
    Task,
    TaskResult,
    TaskStatus,
    Zone,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "ChargeMode",
    "ClientClosedError",
    "Deadlines",
    "Image",
    "ImageType",
    "Instance",
    "InstanceStatus",
    "InvalidArgumentError",
    "LightNode",
    "LightNodeError",
    "Limits",
    "NotFoundError",
    "Operation",
    "OperationState",
    "Package",
    "PendingStatus",
    "PermissionDeniedError",
    "PollPolicy",
    "RateLimitError",
    "Region",
    "RetryPolicy",
    "SSHKey",
    "SecurityGroup",
    "ServerError",
    "Task",
    "TaskError",
    "TaskFailedError",
    "TaskResult",
    "TaskStatus",
    "TaskTimeoutError",
    "Timeouts",
    "TransportError",
    "UnexpectedResponseError",
    "Zone",
    "__version__",
]
