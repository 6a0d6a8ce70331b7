"""The steps every change of an instance shares: sending it exactly once,
and reading the instance back until it shows the change.

Sending exactly once. The API has no idempotency key (REFERENCE §9), so a
change whose reply was lost (a timeout, a dropped connection, a 5xx from the
CDN, a 2xx we could not read) may or may not have happened. Sending it again
blindly could create a second server or wipe a disk twice. Instead
:func:`submit_once` asks the server: each change brings a ``took_effect``
check that reads the instance (or, for a create, looks for it by name). If
the change took effect, the operation follows the instance to the end
without a task id; if it provably did not, the change is sent again, after
a backoff; if the server cannot tell, the error is raised. Each step is
logged at INFO with its reason.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from lightnode_aio._exceptions import (
    APIError,
    LightNodeError,
    NotFoundError,
    ServerError,
    TransportError,
    UnexpectedResponseError,
)
from lightnode_aio.models import Instance, InstanceStatus, PendingStatus

if TYPE_CHECKING:
    from lightnode_aio._operation import Operation
    from lightnode_aio.resources.instances import InstancesResource

__all__ = ["find_created", "outcome_unknown", "read_back", "submit_once", "wait_gone"]

logger = logging.getLogger(__name__)

#: Statuses after which a change may or may not have been applied.
_UNKNOWN_STATUSES = frozenset({408, 425, 500, 502, 503, 504, *range(520, 531)})

#: The API's times carry no zone (REFERENCE §4); a create is matched to an
#: instance created within this much of the request, either side, so any
#: zone offset on Earth fits.
_CLOCK_SLACK = datetime.timedelta(hours=14, minutes=5)


def outcome_unknown(error: LightNodeError) -> bool:
    """Whether a failed change may still have been applied by the server."""
    if isinstance(error, TransportError):
        return error.may_have_reached_server
    if isinstance(error, UnexpectedResponseError):
        return True  # a 2xx arrived: the server acted, but we cannot read how
    if isinstance(error, ServerError):
        return True
    return isinstance(error, APIError) and error.status in _UNKNOWN_STATUSES


async def submit_once(
    op: Operation[Any],
    path: str,
    body: Mapping[str, Any],
    *,
    took_effect: Callable[[], Awaitable[bool]],
    secrets: tuple[str, ...] = (),
) -> str | None:
    """Sends a change so that it acts once, whatever happens to the replies.

    Args:
        op: The operation the change belongs to.
        path: The API path.
        body: The JSON body.
        took_effect: Reads the server and says whether this change was
            applied (True) or provably not (False).
        secrets: Values in the body never to show in an error.

    Returns:
        The task id, or None when the reply was lost but the server shows
        the change under way; the caller then follows the instance.

    Raises:
        LightNodeError: The change failed for certain, or its outcome could
            not be settled within the retry policy's tries.
    """
    policy = op._client.retry
    for attempt in range(1, policy.max_tries + 1):
        try:
            return await op.submit(path, body, secrets=secrets)
        except LightNodeError as error:
            if not outcome_unknown(error) or attempt == policy.max_tries:
                raise
            logger.info(
                "%s of %s: outcome unknown (%s); asking the server in %.2f s "
                "whether it took effect",
                op.kind,
                op.instance_id or "a new instance",
                error,
                policy.settle_delay,
            )
            await asyncio.sleep(policy.settle_delay)
            if await took_effect():
                logger.info(
                    "%s of %s took effect; following it instead of sending again",
                    op.kind,
                    op.instance_id,
                )
                op.accept_without_task()
                return None
            wait = min(policy.max_delay, policy.base_delay * 2 ** (attempt - 1))
            logger.info(
                "%s of %s did not take effect; sending it again in %.2f s",
                op.kind,
                op.instance_id or "a new instance",
                wait,
            )
            await asyncio.sleep(wait)
    raise AssertionError("unreachable: the last attempt returns or raises")


async def read_back(
    resource: InstancesResource,
    instance_id: str,
    *,
    status: InstanceStatus | None = None,
    need_ip: bool = False,
) -> Instance:
    """Reads the instance until it shows what the finished change promised.

    The task can finish a moment before the instance's own record says so,
    and a new instance's public IP can come later still (REFERENCE §3.1,
    §6), so this reads again, at the poller's pace, until the instance is
    idle, in ``status`` if given, and with a public IP if ``need_ip``. The
    operation's deadline bounds it.
    """
    waits = _waits(resource)
    while True:
        server = await resource._detail(instance_id, lane="ongoing")
        if (
            not server.is_busy
            and (status is None or server.status == status)
            and (not need_ip or server.public_ip)
        ):
            return server
        await asyncio.sleep(next(waits))


async def wait_gone(resource: InstancesResource, instance_id: str) -> None:
    """Reads the instance until the API no longer knows it (a delete)."""
    waits = _waits(resource)
    while True:
        try:
            await resource._detail(instance_id, lane="ongoing")
        except NotFoundError:
            return
        await asyncio.sleep(next(waits))


async def find_created(
    resource: InstancesResource,
    *,
    name: str,
    region: str,
    zone: str,
    sent_at: datetime.datetime,
) -> str | None:
    """Finds the instance a create made, by its name in its zone.

    Only instances created around ``sent_at`` count, so an older server of
    the same name is never taken for the new one.

    Returns:
        The instance id, or None when there is no such instance.

    Raises:
        UnexpectedResponseError: Several recent instances have the name; the
            message lists them, since any of them may be the new one.
    """
    matches = [
        server.id
        async for server in resource.iter(region=region, zone=zone)
        if server.name == name and _created_near(server, sent_at)
    ]
    if len(matches) > 1:
        raise UnexpectedResponseError(
            f"cannot tell which instance the create of {name!r} made: "
            f"{len(matches)} recent instances in {zone} have that name "
            f"({', '.join(matches)}); none was adopted and no create was resent",
            status=200,
            method="POST",
            path="/instance/create",
            candidates=matches,
        )
    return matches[0] if matches else None


def _created_near(server: Instance, sent_at: datetime.datetime) -> bool:
    if server.pending_status == PendingStatus.CREATING or server.created_at is None:
        return True
    created = server.created_at
    if created.tzinfo is not None:
        created = created.astimezone(datetime.UTC).replace(tzinfo=None)
    return abs(created - sent_at) <= _CLOCK_SLACK


def _waits(resource: InstancesResource) -> Any:
    """Growing waits between two reads, from the client's poll policy."""
    policy = resource._client.polling
    interval = policy.first_interval / 4
    while True:
        yield interval
        interval = min(interval * policy.factor, policy.max_interval)
