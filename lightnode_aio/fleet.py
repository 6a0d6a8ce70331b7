"""Many operations at once: bounded concurrency, progress, per-server outcomes.

``asyncio.gather`` over operations already works (the client's limits and
shared poller keep it polite). This module adds what a fleet script needs on
top: at most ``concurrency`` operations running at a time, an event per step
for a progress bar, an outcome for every server in three plain lists
(succeeded, failed, unknown) instead of one exception aborting the rest, an
option to stop submitting after too many failures, and for creates an option
to delete what a batch that went wrong left behind::

    from lightnode_aio import fleet

    result = await fleet.map(
        lambda server: ln.instances.reinstall(server.id, image=image, password=pw),
        servers,
        concurrency=20,
        on_event=print,
    )
    for outcome in result.unknown:        # resume these later
        print(outcome.key, outcome.task_id)

An outcome is *unknown* when the SDK cannot tell whether the change happened:
the deadline passed while the task ran, the reply was lost after sending, or
the client closed. Its ``task_id`` (when the API accepted it) resumes it with
``client.tasks.wait``.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Callable, Hashable, Iterable, Iterator, Sized
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

import attrs

from lightnode_aio._exceptions import (
    ClientClosedError,
    LightNodeError,
    TaskError,
    TaskFailedError,
    TaskTimeoutError,
    TransportError,
)
from lightnode_aio._operation import Operation

if TYPE_CHECKING:
    from lightnode_aio._client import LightNode

__all__ = [
    "EventKind",
    "FleetEvent",
    "FleetResult",
    "Outcome",
    "map",
    "run",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)

Cleanup = Literal["none", "failed", "all"]


class EventKind(enum.StrEnum):
    """What happened to one item of a fleet."""

    SUBMITTED = "submitted"
    """The API accepted its request (it has a task id)."""
    SUCCEEDED = "succeeded"
    """Its operation finished with success."""
    FAILED = "failed"
    """Its operation failed for certain (the change did not happen)."""
    UNKNOWN = "unknown"
    """Its outcome cannot be known now (see the module docstring)."""
    SKIPPED = "skipped"
    """It was never sent, because too many others had failed."""
    CLEANED_UP = "cleaned up"
    """A server the batch created was deleted again (``cleanup``)."""


@attrs.frozen(kw_only=True)
class Outcome(Generic[T]):
    """How one item of a fleet ended.

    Attributes:
        key: The item: the instance id of an operation, or the item given
            to :func:`map` for the operation made from it.
        operation: The operation, or None when it was never made.
        result: What the operation returned, when it succeeded.
        error: Why it failed or is unknown, otherwise None.
        task_id: The API's task id, when the request was accepted.
        instance_id: The instance the operation worked on, when known.
    """

    key: Any
    operation: Operation[T] | None = attrs.field(default=None, repr=False)
    result: T | None = None
    error: BaseException | None = None
    task_id: str | None = None
    instance_id: str | None = None


@attrs.frozen(kw_only=True)
class FleetEvent:
    """One step of a fleet, for progress reporting.

    Attributes:
        kind: What happened.
        key: Which item it happened to.
        error: The error, for ``failed`` and ``unknown``.
        finished: Items that have ended so far (any way but ``submitted``).
        total: Items in all, when known (None for an iterator of unknown
            length).
    """

    kind: EventKind
    key: Any
    error: BaseException | None = None
    finished: int = 0
    total: int | None = None

    def __str__(self) -> str:
        count = f"{self.finished}/{self.total}" if self.total else str(self.finished)
        error = f": {self.error}" if self.error else ""
        return f"[{count}] {self.key} {self.kind.value}{error}"


@attrs.define(kw_only=True)
class FleetResult(Generic[T]):
    """Every item's outcome, sorted into lists.

    Attributes:
        succeeded: Items whose operation succeeded.
        failed: Items whose operation failed for certain, with the error.
        unknown: Items whose outcome cannot be known now; each keeps the
            task id to resume, when the API gave one.
        skipped: Items never sent (``max_failures`` was reached).
        cleaned_up: Instance ids deleted again by ``cleanup``.
        cleanup_errors: Instances whose deletion failed, with the error.
    """

    succeeded: list[Outcome[T]] = attrs.Factory(list)
    failed: list[Outcome[T]] = attrs.Factory(list)
    unknown: list[Outcome[T]] = attrs.Factory(list)
    skipped: list[Outcome[T]] = attrs.Factory(list)
    cleaned_up: list[str] = attrs.Factory(list)
    cleanup_errors: list[Outcome[None]] = attrs.Factory(list)

    @property
    def ok(self) -> bool:
        """Whether every item succeeded (and nothing was skipped)."""
        return not (self.failed or self.unknown or self.skipped)

    def __str__(self) -> str:
        parts = [
            f"{len(self.succeeded)} succeeded",
            f"{len(self.failed)} failed",
            f"{len(self.unknown)} unknown",
        ]
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped")
        if self.cleaned_up:
            parts.append(f"{len(self.cleaned_up)} cleaned up")
        return ", ".join(parts)


async def run(
    operations: Iterable[Operation[T]],
    *,
    concurrency: int = 10,
    on_event: Callable[[FleetEvent], object] | None = None,
    max_failures: int | None = None,
    cleanup: Cleanup = "none",
) -> FleetResult[T]:
    """Runs operations, at most ``concurrency`` at a time, to the end.

    Operations are lazy, so a list of them sends nothing until this starts
    each one. One failure never stops the others; see ``max_failures``.

    Args:
        operations: The operations, e.g. ``[ln.instances.stop(i) for i in
            ids]``. Each is keyed by its instance id in the outcomes (a
            create by its position until the API names the instance).
        concurrency: Operations running at once.
        on_event: Called with a :class:`FleetEvent` at each step; for a
            progress bar. It must not block.
        max_failures: Stop starting new operations once this many have
            failed or ended unknown; the rest are ``skipped``.
        cleanup: For creates: ``"failed"`` deletes the half-made instance a
            failed create leaves behind; ``"all"`` also deletes every
            instance the batch did create, when any create failed or ended
            unknown, so the batch leaves nothing.

    Returns:
        Every operation's outcome.

    Raises:
        InvalidArgumentError: ``concurrency`` or ``max_failures`` is not a
            positive number, or ``cleanup`` is not one of the three values.
    """
    items = (
        (op.instance_id if op.instance_id else index, lambda op=op: op)
        for index, op in enumerate(operations)
    )
    total = len(operations) if isinstance(operations, Sized) else None
    fleet: _Fleet[T] = _Fleet(concurrency, on_event, max_failures, cleanup, total)
    return await fleet.run(items)


async def map(
    function: Callable[[K], Operation[T]],
    items: Iterable[K],
    *,
    concurrency: int = 10,
    on_event: Callable[[FleetEvent], object] | None = None,
    max_failures: int | None = None,
    cleanup: Cleanup = "none",
) -> FleetResult[T]:
    """Applies ``function`` to each item and runs the operations it returns.

    The operation of an item is made only when its turn comes, so a long
    list of servers costs one operation per running slot.

    Args:
        function: Makes the operation of one item, e.g. ``lambda server:
            ln.instances.stop(server.id)``.
        items: The items; each is the ``key`` of its outcome.
        concurrency: See :func:`run`.
        on_event: See :func:`run`.
        max_failures: See :func:`run`.
        cleanup: See :func:`run`.

    Returns:
        Every item's outcome. An item whose ``function`` raised (for
        example an ``InvalidArgumentError``) is ``failed`` with that error.
    """
    total = len(items) if isinstance(items, Sized) else None
    pairs = ((item, lambda item=item: function(item)) for item in items)
    fleet: _Fleet[T] = _Fleet(concurrency, on_event, max_failures, cleanup, total)
    return await fleet.run(pairs)


class _Fleet(Generic[T]):
    """One run: the workers, the counters, and the sorting of outcomes."""

    def __init__(
        self,
        concurrency: int,
        on_event: Callable[[FleetEvent], object] | None,
        max_failures: int | None,
        cleanup: Cleanup,
        total: int | None,
    ) -> None:
        _check_options(concurrency, max_failures, cleanup)
        self._concurrency = concurrency
        self._on_event = on_event
        self._max_failures = max_failures
        self._cleanup = cleanup
        self._total = total
        self._finished = 0
        self._bad = 0
        self._result: FleetResult[T] = FleetResult()
        self._created: list[str] = []

    async def run(
        self, items: Iterator[tuple[Any, Callable[[], Operation[T]]]]
    ) -> FleetResult[T]:
        async with asyncio.TaskGroup() as group:
            for _ in range(self._concurrency):
                group.create_task(self._work(items))
        await self._clean_up()
        return self._result

    async def _work(
        self, items: Iterator[tuple[Any, Callable[[], Operation[T]]]]
    ) -> None:
        # Workers share one iterator: each takes the next item when free, so
        # items are made and started in order, ``concurrency`` at a time.
        for key, make in items:
            if self._max_failures is not None and self._bad >= self._max_failures:
                self._sort(Outcome(key=key), EventKind.SKIPPED)
                continue
            await self._one(key, make)

    async def _one(self, key: Any, make: Callable[[], Operation[T]]) -> None:
        try:
            operation = make()
        except LightNodeError as error:
            self._sort(Outcome(key=key, error=error), EventKind.FAILED)
            return
        operation.start()
        try:
            await operation.submitted()
        except LightNodeError:
            pass  # awaiting the operation below tells how it ended
        else:
            self._emit(EventKind.SUBMITTED, key)
        try:
            result = await operation
        except (LightNodeError, TimeoutError) as error:
            kind = _classify(error)
            self._sort(_outcome(key, operation, None, error), kind)
            return
        if operation.kind == "create" and operation.instance_id:
            self._created.append(operation.instance_id)
        self._sort(_outcome(key, operation, result, None), EventKind.SUCCEEDED)

    def _sort(self, outcome: Outcome[T], kind: EventKind) -> None:
        destination = {
            EventKind.SUCCEEDED: self._result.succeeded,
            EventKind.FAILED: self._result.failed,
            EventKind.UNKNOWN: self._result.unknown,
            EventKind.SKIPPED: self._result.skipped,
        }[kind]
        destination.append(outcome)
        if kind in (EventKind.FAILED, EventKind.UNKNOWN):
            self._bad += 1
        self._finished += 1
        self._emit(kind, outcome.key, outcome.error)

    def _emit(
        self, kind: EventKind, key: Any, error: BaseException | None = None
    ) -> None:
        if self._on_event is None:
            return
        event = FleetEvent(
            kind=kind, key=key, error=error, finished=self._finished, total=self._total
        )
        try:
            self._on_event(event)
        except Exception:
            # A broken progress bar must not break the fleet.
            logger.exception("the fleet's on_event callback raised")

    async def _clean_up(self) -> None:
        if self._cleanup == "none":
            return
        leftovers = [
            outcome
            for outcome in (*self._result.failed, *self._result.unknown)
            if outcome.operation is not None
            and outcome.operation.kind == "create"
            and outcome.instance_id
        ]
        doomed = [outcome.instance_id for outcome in leftovers if outcome.instance_id]
        if self._cleanup == "all" and leftovers:
            doomed += self._created
        if not doomed:
            return
        client = _client_of(leftovers[0].operation) if leftovers else None
        if client is None:
            return
        for instance_id in doomed:
            try:
                await client.instances.delete(instance_id)
            except LightNodeError as error:
                self._result.cleanup_errors.append(
                    Outcome(key=instance_id, error=error, instance_id=instance_id)
                )
                continue
            self._result.cleaned_up.append(instance_id)
            self._emit(EventKind.CLEANED_UP, instance_id)


def _client_of(operation: Operation[Any] | None) -> LightNode | None:
    return operation._client if operation is not None else None


def _classify(error: BaseException) -> EventKind:
    """Failed for certain, or unknown: could the change still have happened?"""
    if isinstance(error, TaskFailedError):
        return EventKind.FAILED
    if isinstance(error, TaskTimeoutError | ClientClosedError | TimeoutError):
        return EventKind.UNKNOWN
    if isinstance(error, TransportError):
        return EventKind.UNKNOWN if error.may_have_reached_server else EventKind.FAILED
    if isinstance(error, TaskError):
        return EventKind.FAILED
    return EventKind.FAILED


def _outcome(
    key: Any,
    operation: Operation[T],
    result: T | None,
    error: BaseException | None,
) -> Outcome[T]:
    task_id = operation.task_id or getattr(error, "task_id", None)
    instance_id = operation.instance_id or getattr(error, "instance_id", None)
    return Outcome(
        key=key,
        operation=operation,
        result=result,
        error=error,
        task_id=task_id,
        instance_id=instance_id,
    )


def _check_options(concurrency: int, max_failures: int | None, cleanup: str) -> None:
    from lightnode_aio._exceptions import InvalidArgumentError

    if not isinstance(concurrency, int) or concurrency < 1:
        raise InvalidArgumentError(
            f"concurrency must be a positive integer, not {concurrency!r}",
            argument="concurrency",
        )
    if max_failures is not None and (
        not isinstance(max_failures, int) or max_failures < 1
    ):
        raise InvalidArgumentError(
            f"max_failures must be a positive integer or None, not {max_failures!r}",
            argument="max_failures",
        )
    if cleanup not in ("none", "failed", "all"):
        raise InvalidArgumentError(
            f"cleanup must be 'none', 'failed' or 'all', not {cleanup!r}",
            argument="cleanup",
        )
