"""The client's policies: small frozen values with their defaults beside them.

Each policy is passed whole to ``LightNode(...)``; build a changed copy of a
default with ``attrs.evolve`` or by naming only the fields you change, e.g.
``Limits(requests_per_second=5)``.

Where a default comes from what the API is known to do, the comment says so;
REFERENCE means the project's API reference, whose sections are cited.
"""

from __future__ import annotations

from typing import Final, Literal

import attrs

__all__ = [
    "DEFAULT_BASE_URL",
    "Deadlines",
    "Limits",
    "OperationKind",
    "PollPolicy",
    "RetryPolicy",
    "Timeouts",
]

DEFAULT_BASE_URL: Final = "https://openapi.lightnode.com"

OperationKind = Literal[
    "create", "delete", "start", "stop", "restart", "reset_password", "reinstall"
]

_positive = attrs.validators.gt(0.0)
_positive_count = attrs.validators.gt(0)


@attrs.frozen(kw_only=True)
class Timeouts:
    """How long one HTTP request may take, in seconds.

    These bound a single attempt. Retries and task polling are bounded
    separately, by the retry policy and each operation's deadline.

    Attributes:
        connect: Establishing the connection, TLS included.
        total: The whole attempt, from sending to the last byte read.
    """

    connect: float = attrs.field(default=10.0, validator=_positive)
    total: float = attrs.field(default=30.0, validator=_positive)


@attrs.frozen(kw_only=True)
class Limits:
    """How hard one client may press on the API.

    Both limits are shared by every call and by the task poller. No rate
    limit is documented (REFERENCE §1.11); one public client found that more
    than about 12 parallel list calls draw throttling, so the defaults stay
    below that. A 429 halves the rate for the whole client, which then
    recovers gradually.

    Attributes:
        max_in_flight: Requests waiting for an answer at one time.
        requests_per_second: Requests started per second, on average.
        min_requests_per_second: The floor a run of 429s can push the rate to.
    """

    max_in_flight: int = attrs.field(default=10, validator=_positive_count)
    requests_per_second: float = attrs.field(default=10.0, validator=_positive)
    min_requests_per_second: float = attrs.field(default=0.5, validator=_positive)


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """When and how a failed request is tried again.

    The full table of which requests are retried on which failures is in the
    docstring of :class:`lightnode_aio.LightNode`.

    Attributes:
        max_tries: Attempts in all, the first included; 1 turns retries off.
        base_delay: The first wait; each further wait may be twice as long.
        max_delay: The cap on one computed wait (before jitter).
        max_retry_after: The cap on a wait the server asks for with
            ``Retry-After``; a longer ask is cut to this.
        settle_delay: After a change's reply is lost, how long to wait
            before asking the server whether the change took effect. A slow
            request may still be at work on the server after we gave up on
            its reply; asking too early would see nothing and send the change
            a second time.
    """

    max_tries: int = attrs.field(default=5, validator=_positive_count)
    base_delay: float = attrs.field(default=0.5, validator=_positive)
    max_delay: float = attrs.field(default=20.0, validator=_positive)
    max_retry_after: float = attrs.field(default=60.0, validator=_positive)
    settle_delay: float = attrs.field(default=5.0, validator=attrs.validators.ge(0.0))


@attrs.frozen(kw_only=True)
class PollPolicy:
    """How the shared poller paces its questions about one task.

    The first question comes soon, so a quick task is seen quickly; the
    interval then grows by ``factor`` up to ``max_interval``. Public clients
    poll every 3 to 15 seconds (REFERENCE §6); a create or reinstall takes
    minutes, so the cap keeps a long task to a few questions a minute.

    Attributes:
        first_interval: The wait before the first question about a task.
        factor: How much each following interval grows.
        max_interval: The longest wait between two questions.
    """

    first_interval: float = attrs.field(default=1.0, validator=_positive)
    factor: float = attrs.field(default=1.6, validator=attrs.validators.ge(1.0))
    max_interval: float = attrs.field(default=15.0, validator=_positive)


@attrs.frozen(kw_only=True)
class Deadlines:
    """How long each kind of operation may take in all, in seconds.

    A deadline covers sending the request, waiting for the task and reading
    the instance back. The defaults are the budgets public clients settled on
    (REFERENCE §6): creates 30 minutes, reinstalls an hour, power and
    password operations and deletes 15 minutes. ``wait`` bounds
    ``tasks.wait`` on a bare task id.

    Attributes:
        create: ``instances.create``, including waiting for the public IP.
        delete: ``instances.delete``.
        start: ``instances.start``.
        stop: ``instances.stop``.
        restart: ``instances.restart``.
        reset_password: ``instances.reset_password``.
        reinstall: ``instances.reinstall``, including the stop before it.
        wait: ``tasks.wait``.
    """

    create: float = attrs.field(default=1800.0, validator=_positive)
    delete: float = attrs.field(default=900.0, validator=_positive)
    start: float = attrs.field(default=900.0, validator=_positive)
    stop: float = attrs.field(default=900.0, validator=_positive)
    restart: float = attrs.field(default=900.0, validator=_positive)
    reset_password: float = attrs.field(default=900.0, validator=_positive)
    reinstall: float = attrs.field(default=3600.0, validator=_positive)
    wait: float = attrs.field(default=3600.0, validator=_positive)

    def for_kind(self, kind: OperationKind) -> float:
        """Returns the deadline of one kind of operation."""
        deadline: float = getattr(self, kind)
        return deadline
