"""The client: configuration, the session it owns, its lifecycle, and the
resource groups and task poller every call shares."""

from __future__ import annotations

import ipaddress
import os
import urllib.parse
from types import TracebackType
from typing import Any, Final

import aiohttp

from lightnode_aio._config import (
    DEFAULT_BASE_URL,
    Deadlines,
    Limits,
    PollPolicy,
    RetryPolicy,
    Timeouts,
)
from lightnode_aio._exceptions import ClientClosedError, InvalidArgumentError
from lightnode_aio._http import Transport
from lightnode_aio._operation import Operation, TaskPoller
from lightnode_aio.resources import (
    ImagesResource,
    InstancesResource,
    PackagesResource,
    RegionsResource,
    SecurityGroupsResource,
    SSHKeysResource,
    TasksResource,
)

__all__ = ["LightNode"]

TOKEN_VARIABLE: Final = "LIGHTNODE_TOKEN"  # noqa: S105 (a variable name)
BASE_URL_VARIABLE: Final = "LIGHTNODE_BASE_URL"


class LightNode:
    """An asyncio client of the LightNode cloud API.

    Open one per application (or per event loop) and share it: every
    resource group, operation and the task poller use its one aiohttp
    session and its limits. Close it with ``await client.close()`` or use it
    as ``async with LightNode() as client``.

    Retries. Each request is one or more attempts; the table says which
    failures lead to another attempt, for a request that only reads and for
    one that changes something (a "mutation": create, delete, power,
    password, reinstall).

    ===================================  ========  ===========================
    failure                              read      mutation
    ===================================  ========  ===========================
    connection refused, nothing sent     retried   retried
    429 Too Many Requests                retried   retried (it was turned away)
    timeout, connection lost after send  retried   settled by asking (1)
    500, 502, 503, 504, 408, 425         retried   settled by asking (1)
    CDN error page (520-530, HTML)       retried   settled by asking (1)
    2xx with a body that is not JSON     retried   settled by asking (1)
    400, 401, 403, 404, business error   raised    raised
    TLS certificate not trusted          raised    raised
    ===================================  ========  ===========================

    (1) The first attempt may have acted, and the API has no idempotency
    key (REFERENCE §9), so a mutation is never simply sent again. After
    ``RetryPolicy.settle_delay`` the operation reads the server: a create
    looks for its instance by name in its zone, the other changes read the
    instance's state and pending operation. A change that took effect is
    followed to its end; one that provably did not is sent again; several
    candidate instances for one create raise an error listing them.

    Attempts are at most ``RetryPolicy.max_tries`` (5), spaced by jittered
    exponential waits from 0.5 s doubling to a 20 s cap, or by the server's
    ``Retry-After`` (seconds or an HTTP date, capped at 60 s). An operation's
    deadline bounds all of its retries. Each retry is logged at INFO with
    its reason.

    Limits. At most ``Limits.max_in_flight`` (10) requests wait for an answer
    at once and at most ``Limits.requests_per_second`` (10) start per
    second, shared by all calls and the poller. A 429 halves the rate for
    the whole client; successes win it back gradually.

    Args:
        token: The API token; when None, read from ``LIGHTNODE_TOKEN``.
        base_url: The API's address; when None, ``LIGHTNODE_BASE_URL`` or
            the real API. ``http://`` is allowed only for loopback hosts
            (a local fake server), so the token never crosses a network
            unencrypted.
        session: An aiohttp session to use instead of the client's own. It
            is used as it is (its TLS and proxy settings included) and never
            closed by the client.
        timeouts: Per-request timeouts, or a number of seconds for the
            whole of each request.
        limits: Concurrency and rate limits.
        retry: The retry policy.
        polling: How often tasks are polled.
        deadlines: Default deadlines of operations, per kind.

    Raises:
        InvalidArgumentError: No token (neither argument nor variable), or a
            base URL that is malformed or plain ``http://`` to another host.
    """

    def __init__(
        self,
        token: str | None = None,
        *,
        base_url: str | None = None,
        session: aiohttp.ClientSession | None = None,
        timeouts: Timeouts | float = Timeouts(),
        limits: Limits = Limits(),
        retry: RetryPolicy = RetryPolicy(),
        polling: PollPolicy = PollPolicy(),
        deadlines: Deadlines = Deadlines(),
    ) -> None:
        resolved_token = _resolve_token(token)
        self.base_url = _check_base_url(
            base_url or os.environ.get(BASE_URL_VARIABLE) or DEFAULT_BASE_URL
        )
        if not isinstance(timeouts, Timeouts):
            timeouts = Timeouts(total=float(timeouts))
        self.timeouts = timeouts
        self.limits = limits
        self.retry = retry
        self.polling = polling
        self.deadlines = deadlines

        self._transport = Transport(
            token=resolved_token,
            base_url=self.base_url,
            session=session,
            timeouts=timeouts,
            limits=limits,
            retry=retry,
        )
        self._poller = TaskPoller(
            self._transport, polling, workers=max(1, limits.max_in_flight // 2)
        )
        self._operations: set[Operation[Any]] = set()

        self.regions = RegionsResource(self)
        self.packages = PackagesResource(self)
        self.images = ImagesResource(self)
        self.ssh_keys = SSHKeysResource(self)
        self.security_groups = SecurityGroupsResource(self)
        self.instances = InstancesResource(self)
        self.tasks = TasksResource(self)

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<LightNode {self.base_url} {state}>"

    async def __aenter__(self) -> LightNode:
        self._ensure_open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._transport.closed

    async def close(self) -> None:
        """Ends every running operation and wait, then closes the session
        (if the client made it).

        Each running operation and pending ``tasks.wait`` fails with
        ``ClientClosedError``, which names the task to resume elsewhere; no
        asyncio task of the client is left behind. Calling it again does
        nothing.
        """
        if self.closed:
            return
        self._transport.refuse_new()
        await self._poller.close()
        for operation in list(self._operations):
            await operation._abort(
                ClientClosedError(
                    f"the client closed while {operation!r} ran"
                    + (
                        f"; resume with tasks.wait({operation.task_id!r})"
                        if operation.task_id
                        else ""
                    )
                )
            )
        await self._transport.close()

    def _ensure_open(self) -> None:
        if self.closed:
            raise ClientClosedError("this LightNode client is closed")


def _resolve_token(token: str | None) -> str:
    if token is None:
        token = os.environ.get(TOKEN_VARIABLE)
    if not token:
        raise InvalidArgumentError(
            "no API token: pass token=... to LightNode() or set the "
            f"{TOKEN_VARIABLE} environment variable",
            argument="token",
        )
    if not isinstance(token, str) or token != token.strip() or "\n" in token:
        # The value is never shown: it is a secret even when malformed.
        raise InvalidArgumentError(
            "the API token must be a string without spaces or line breaks",
            argument="token",
        )
    return token


def _check_base_url(url: str) -> str:
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme not in ("https", "http") or not parsed.hostname:
        raise InvalidArgumentError(
            f"base_url {url!r} is not an http(s) URL with a host",
            argument="base_url",
        )
    if parsed.scheme == "http" and not _is_loopback(parsed.hostname):
        raise InvalidArgumentError(
            f"base_url {url!r} uses plain http to a host that is not this "
            "machine; the token would cross the network unencrypted: use https",
            argument="base_url",
        )
    if parsed.query or parsed.fragment:
        raise InvalidArgumentError(
            f"base_url {url!r} must not have a query or fragment",
            argument="base_url",
        )
    return url.rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
