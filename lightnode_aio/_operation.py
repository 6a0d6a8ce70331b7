"""Operations (awaitable futures over the API's tasks) and the shared poller.

Every change the API makes is asynchronous (REFERENCE §1.6): the request
answers at once with a task id, and the work finishes later. An
:class:`Operation` hides that. It is returned at once by a mutating method
and sends nothing until it is awaited or started; then it submits the
request, waits for the task through the client's one :class:`TaskPoller`, and
reads the result back, all within one deadline.

The poller keeps one watch per task id, however many operations or
``tasks.wait`` calls await it, and asks the API about each watched task once
per round. Rounds are per task: the first question comes after a short
interval so quick tasks are seen quickly, and the interval then grows to a
cap (``PollPolicy``). Its questions go through the same transport as every
call, so they share the client's limits: a fixed number of poll workers
(half the in-flight limit) ask, in the transport's "ongoing" lane, which
takes turns with new work, so neither can crowd out the other.
"""

from __future__ import annotations

import asyncio
import enum
import heapq
import itertools
import logging
import warnings
from collections.abc import Callable, Coroutine, Generator, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from lightnode_aio._config import OperationKind, PollPolicy
from lightnode_aio._converter import ShapeError, structure
from lightnode_aio._exceptions import (
    AuthenticationError,
    ClientClosedError,
    LightNodeError,
    NotFoundError,
    PermissionDeniedError,
    TaskError,
    TaskFailedError,
    TaskTimeoutError,
    UnexpectedResponseError,
)
from lightnode_aio.models import Task

if TYPE_CHECKING:
    from lightnode_aio._client import LightNode
    from lightnode_aio._http import Transport

__all__ = ["Operation", "OperationState", "TaskPoller", "read_task", "task_failed"]

logger = logging.getLogger(__name__)

T = TypeVar("T")


class OperationState(enum.StrEnum):
    """Where an operation is, as its ``state`` shows."""

    NOT_SENT = "not sent"
    """Created, not started: nothing was sent."""
    SUBMITTING = "submitting"
    """Started; the request that starts the task is on its way."""
    ACCEPTED = "accepted"
    """The API accepted the request and gave a task id."""
    RUNNING = "running"
    """Waiting for the task to finish."""
    SUCCEEDED = "succeeded"
    """The task succeeded and the result was read back."""
    FAILED = "failed"
    """The operation raised: the task failed, the deadline passed, or a
    request failed."""
    CANCELLED = "cancelled"
    """The code awaiting it was cancelled. Our waiting stopped; the server's
    task, if it was accepted, may still run."""


class Operation(Generic[T]):
    """One change on the API, as an awaitable future.

    ``await op`` (once or many times, from one or many coroutines) starts it
    if needed and returns its result: the ``Instance`` as read back after the
    task succeeded, or None for a delete. ``op.start()`` starts it without
    waiting; ``await op.submitted()`` returns the task id as soon as the API
    accepted the request, for persisting and resuming with
    ``client.tasks.wait(task_id)``.

    Cancelling code that awaits the operation cancels the operation: our
    polling stops and no asyncio task stays behind. The server's task is not
    cancelled, since the API has no way to do that.

    An operation that is created and dropped without being started warns
    with a ``RuntimeWarning``, as an un-awaited coroutine does: nothing was
    sent.

    Attributes:
        kind: What it does: ``create``, ``delete``, ``start``, ``stop``,
            ``restart``, ``reset_password`` or ``reinstall``.
        state: Where it is (:class:`OperationState`).
        task_id: The API's task id, once accepted.
        instance_id: The instance it works on, once known (a create learns
            it when accepted).
        task: The task's final record, once it finished.
        deadline: Seconds it may take in all, from its start.
    """

    def __init__(
        self,
        *,
        kind: OperationKind,
        instance_id: str | None,
        deadline: float,
        steps: Callable[[Operation[T]], Coroutine[Any, Any, T]],
        client: LightNode,
    ) -> None:
        self.kind: OperationKind = kind
        self.instance_id = instance_id
        self.deadline = deadline
        self.state = OperationState.NOT_SENT
        self.task_id: str | None = None
        self.task: Task | None = None
        self._steps = steps
        self._client = client
        self._poller = client._poller
        self._transport = client._transport
        self._runner: asyncio.Task[T] | None = None
        self._accepted: asyncio.Future[str] | None = None
        self._running = client._operations
        self._abort_error: LightNodeError | None = None

    def __repr__(self) -> str:
        parts = [f"<Operation {self.kind}"]
        if self.instance_id:
            parts.append(f" {self.instance_id}")
        parts.append(f" state={self.state.value!r}")
        if self.task_id:
            parts.append(f" task={self.task_id}")
        return "".join(parts) + ">"

    def __del__(self) -> None:
        if getattr(self, "_runner", True) is None:
            warnings.warn(
                f"{self!r} was never awaited or started, so nothing was sent",
                RuntimeWarning,
                stacklevel=2,
            )

    def __await__(self) -> Generator[Any, None, T]:
        return self._ensure_started().__await__()

    def start(self) -> Operation[T]:
        """Starts the operation in the background without waiting for it.

        Returns:
            The operation itself, to await later.

        Raises:
            RuntimeError: No event loop is running.
        """
        self._ensure_started()
        return self

    async def submitted(self) -> str:
        """Starts the operation if needed and waits until the API accepted it.

        Cancelling this wait does not cancel the operation.

        Returns:
            The task id, to persist and resume with ``tasks.wait``.

        Raises:
            LightNodeError: The request that starts the task failed (or an
                earlier step did, such as the stop before a reinstall).
        """
        self._ensure_started()
        assert self._accepted is not None
        return await asyncio.shield(self._accepted)

    def done(self) -> bool:
        """Whether the operation has ended, in success or failure."""
        return self._runner is not None and self._runner.done()

    async def run_within(self, parent: Operation[Any]) -> T:
        """Runs this operation as a step of ``parent``, in its task and
        within its deadline (the stop before a reinstall, say)."""
        if self._runner is not None:
            raise RuntimeError(f"{self!r} was already started")
        self._runner = parent._ensure_started()  # it is now accounted for
        self.state = OperationState.SUBMITTING
        try:
            result = await self._steps(self)
        except BaseException:
            self.state = OperationState.FAILED
            raise
        self.state = OperationState.SUCCEEDED
        return result

    def _ensure_started(self) -> asyncio.Task[T]:
        if self._runner is None:
            loop = asyncio.get_running_loop()
            self._accepted = loop.create_future()
            self._runner = loop.create_task(self._run())
            self._runner.add_done_callback(_retrieve)
            self._running.add(self)
            self._runner.add_done_callback(lambda _: self._running.discard(self))
        return self._runner

    async def _abort(self, error: LightNodeError) -> None:
        """Ends a running operation with ``error`` (the client is closing)."""
        runner = self._runner
        if runner is None or runner.done():
            return
        self._abort_error = error
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)

    async def _run(self) -> T:
        self.state = OperationState.SUBMITTING
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout_at(loop.time() + self.deadline):
                result = await self._steps(self)
        except TimeoutError:
            self._fail_acceptance(self._timeout_error())
            self.state = OperationState.FAILED
            raise self._timeout_error() from None
        except asyncio.CancelledError:
            if self._abort_error is not None:
                self._fail_acceptance(self._abort_error)
                self.state = OperationState.FAILED
                raise self._abort_error from None
            self._fail_acceptance(ClientClosedError("the operation was cancelled"))
            self.state = OperationState.CANCELLED
            raise
        except BaseException as error:
            self._fail_acceptance(error)
            self.state = OperationState.FAILED
            raise
        self.state = OperationState.SUCCEEDED
        return result

    def _timeout_error(self) -> TaskTimeoutError:
        if self.task_id is None:
            detail = "before the API accepted the request"
        else:
            detail = (
                f"while task {self.task_id} was still running; it may yet finish: "
                f"resume with tasks.wait({self.task_id!r})"
            )
        return TaskTimeoutError(
            f"{self.kind} of {self.instance_id or 'a new instance'} passed its "
            f"deadline of {self.deadline:g} s {detail}",
            task_id=self.task_id,
            instance_id=self.instance_id,
            kind=self.kind,
            deadline=self.deadline,
        )

    def _fail_acceptance(self, error: BaseException) -> None:
        accepted = self._accepted
        if accepted is not None and not accepted.done():
            accepted.set_exception(error)
            accepted.exception()  # retrieved here: submitted() may never ask

    # --- used by the steps of each kind of operation ------------------------

    async def submit(
        self,
        path: str,
        body: Mapping[str, Any],
        *,
        secrets: tuple[str, ...] = (),
        main: bool = True,
    ) -> str:
        """Sends the request that starts a task and returns its task id.

        Reads either reply shape (REFERENCE §1.6): the id nested in
        ``asyncTaskInfo`` or at the top level. With ``main`` (the default)
        the task becomes this operation's: its id is recorded and
        ``submitted()`` resolves. A preparatory step (the stop before a
        reinstall) passes ``main=False``.
        """
        reply = await self._transport.request(
            "POST", path, body=body, idempotent=False, secrets=secrets
        )
        task_id, instance_id = _task_reference(reply, path)
        if main:
            self.task_id = task_id
            if instance_id and not self.instance_id:
                self.instance_id = instance_id
            self.state = OperationState.ACCEPTED
            if self._accepted is not None and not self._accepted.done():
                self._accepted.set_result(task_id)
        logger.debug("%s: %s accepted as task %s", self.kind, path, task_id)
        return task_id

    def accept_without_task(self) -> None:
        """Marks the operation accepted though its task id is unknown.

        Used when the reply that carried the task id was lost but the server
        shows the change under way; the steps then follow the instance.
        ``submitted()`` raises a ``TaskError`` saying so.
        """
        self.state = OperationState.RUNNING
        self._fail_acceptance(
            TaskError(
                f"{self.kind} of {self.instance_id or 'a new instance'} was "
                "accepted, but the reply with its task id was lost; await the "
                "operation itself for its outcome",
                task_id=None,
                instance_id=self.instance_id,
                kind=self.kind,
            )
        )

    async def wait_for_task(self, task_id: str) -> Task:
        """Waits for a task through the shared poller.

        Raises:
            TaskFailedError: It finished with anything but ``SUCCESS``.
        """
        if task_id == self.task_id:
            self.state = OperationState.RUNNING
        task = await self._poller.wait(task_id)
        if task_id == self.task_id:
            self.task = task
        if not task.succeeded:
            raise task_failed(task, kind=self.kind, instance_id=self.instance_id)
        return task


def task_failed(
    task: Task, *, kind: str | None, instance_id: str | None
) -> TaskFailedError:
    """The error for a task that finished without ``SUCCESS``."""
    result = str(task.result) if task.result is not None else "no result"
    what = f"{kind} of {instance_id}" if kind else f"task {task.id}"
    reason = f": {task.message}" if task.message else ""
    return TaskFailedError(
        f"{what} failed: task {task.id} finished with {result}{reason}",
        task_id=task.id,
        instance_id=instance_id or task.instance_id,
        kind=kind,
        result=result,
        reason=task.message,
    )


def _task_reference(reply: Mapping[str, Any], path: str) -> tuple[str, str | None]:
    nested = reply.get("asyncTaskInfo")
    if not isinstance(nested, Mapping):
        nested = {}
    task_id = nested.get("asyncTaskUUID") or reply.get("asyncTaskUUID")
    instance_id = nested.get("ecsResourceUUID") or reply.get("ecsResourceUUID")
    if not isinstance(task_id, str) or not task_id:
        raise UnexpectedResponseError(
            f"POST {path} was accepted but the reply names no task "
            "(neither asyncTaskInfo.asyncTaskUUID nor asyncTaskUUID)",
            status=reply.get("httpStatus", 200),
            method="POST",
            path=path,
            accepted=True,
        )
    return task_id, instance_id if isinstance(instance_id, str) else None


def _retrieve(runner: asyncio.Task[Any]) -> None:
    # An operation started with start() and never awaited still ends; its
    # failure is kept on the operation instead of logged as "never retrieved".
    if not runner.cancelled():
        runner.exception()


class _Watch:
    """One watched task: who waits for it, and when to ask next."""

    __slots__ = ("due", "interval", "task_id", "waiters")

    def __init__(self, task_id: str, interval: float, due: float) -> None:
        self.task_id = task_id
        self.interval = interval
        self.due = due
        self.waiters: list[asyncio.Future[Task]] = []


class TaskPoller:
    """Resolves every task the client waits for, asking once per round.

    One per client. It runs only while something waits: the first watch
    starts it and it stops by itself when the last one goes.
    """

    def __init__(
        self, transport: Transport, policy: PollPolicy, *, workers: int
    ) -> None:
        self._transport = transport
        self._policy = policy
        self._workers = max(1, workers)
        self._watches: dict[str, _Watch] = {}
        self._schedule: list[tuple[float, int, str]] = []
        self._order = itertools.count()
        self._wakeup: asyncio.Event | None = None
        self._runner: asyncio.Task[None] | None = None
        self._stopping: set[asyncio.Task[None]] = set()
        self._closed = False

    def __repr__(self) -> str:
        return f"<TaskPoller watching {len(self._watches)} tasks>"

    @property
    def watching(self) -> int:
        """How many distinct tasks are being waited for."""
        return len(self._watches)

    async def wait(self, task_id: str) -> Task:
        """Waits until the task finishes and returns its final record.

        Returns even when the task failed: the caller decides what a failure
        means. Cancelling the wait removes this waiter; the task stops being
        polled when no waiter remains.

        Raises:
            NotFoundError: The API does not know the task.
            AuthenticationError: The token stopped working.
            ClientClosedError: The client closed while waiting.
        """
        if self._closed:
            raise ClientClosedError("this LightNode client is closed")
        loop = asyncio.get_running_loop()
        watch = self._watches.get(task_id)
        if watch is None:
            interval = self._policy.first_interval
            watch = _Watch(task_id, interval, loop.time() + interval)
            self._watches[task_id] = watch
            self._push(watch)
        waiter: asyncio.Future[Task] = loop.create_future()
        watch.waiters.append(waiter)
        self._ensure_running()
        try:
            return await waiter
        finally:
            if waiter in watch.waiters:
                watch.waiters.remove(waiter)
            if not watch.waiters and self._watches.get(task_id) is watch:
                # The last waiter left (cancelled): stop asking about it.
                del self._watches[task_id]
                self._poke()

    async def close(self) -> None:
        """Fails every wait with ``ClientClosedError`` and stops. Idempotent."""
        self._closed = True
        for watch in list(self._watches.values()):
            self._settle(
                watch,
                error=ClientClosedError(
                    f"the client closed while waiting for task {watch.task_id}; "
                    f"resume with tasks.wait({watch.task_id!r}) on a new client"
                ),
            )
        runners = {*self._stopping}
        if self._runner is not None:
            runners.add(self._runner)
            self._runner = None
        for runner in runners:
            runner.cancel()
        await asyncio.gather(*runners, return_exceptions=True)

    def _push(self, watch: _Watch) -> None:
        heapq.heappush(self._schedule, (watch.due, next(self._order), watch.task_id))
        self._poke()

    def _poke(self) -> None:
        # Wakes the scheduler to look again: a task came due sooner, or the
        # last watch went and it should stop.
        if self._wakeup is not None:
            self._wakeup.set()

    def _ensure_running(self) -> None:
        if self._runner is None or self._runner.done():
            self._wakeup = asyncio.Event()
            self._runner = asyncio.get_running_loop().create_task(
                self._run(self._wakeup)
            )

    async def _run(self, wakeup: asyncio.Event) -> None:
        queue: asyncio.Queue[str] = asyncio.Queue()
        queued: set[str] = set()
        loop = asyncio.get_running_loop()
        workers = [
            loop.create_task(self._work(queue, queued)) for _ in range(self._workers)
        ]
        try:
            await self._schedule_due(queue, queued, wakeup)
        finally:
            for worker in workers:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)

    async def _schedule_due(
        self, queue: asyncio.Queue[str], queued: set[str], wakeup: asyncio.Event
    ) -> None:
        """Hands due tasks to the workers until nothing is watched."""
        loop = asyncio.get_running_loop()
        while self._watches:
            now = loop.time()
            while self._schedule and self._schedule[0][0] <= now:
                due, _, task_id = heapq.heappop(self._schedule)
                watch = self._watches.get(task_id)
                if watch is None or watch.due != due or task_id in queued:
                    continue  # gone, or rescheduled since this entry was made
                queued.add(task_id)
                queue.put_nowait(task_id)
            wakeup.clear()
            timeout = self._schedule[0][0] - now if self._schedule else None
            try:
                async with asyncio.timeout(timeout):
                    await wakeup.wait()
            except TimeoutError:
                pass
        # Nothing left to watch: stop, and let the next wait start afresh.
        # The runner is forgotten before any await, so a wait arriving while
        # the workers wind down starts a new runner instead of being missed.
        current = asyncio.current_task()
        if self._runner is current and current is not None:
            self._runner = None
            self._stopping.add(current)
            current.add_done_callback(self._stopping.discard)

    async def _work(self, queue: asyncio.Queue[str], queued: set[str]) -> None:
        loop = asyncio.get_running_loop()
        while True:
            task_id = await queue.get()
            queued.discard(task_id)
            watch = self._watches.get(task_id)
            if watch is None:
                continue
            await self._poll(watch)
            if self._watches.get(task_id) is watch:
                watch.interval = min(
                    watch.interval * self._policy.factor, self._policy.max_interval
                )
                watch.due = loop.time() + watch.interval
                self._push(watch)

    async def _poll(self, watch: _Watch) -> None:
        path = "/asynctask/getResult"
        try:
            reply = await self._transport.request(
                "GET",
                path,
                params={"asyncTaskUUID": watch.task_id},
                idempotent=True,
                lane="ongoing",
            )
            task = read_task(reply, watch.task_id)
        except (NotFoundError, AuthenticationError, PermissionDeniedError) as error:
            self._settle(watch, error=error)
            return
        except ClientClosedError as error:
            self._settle(watch, error=error)
            return
        except LightNodeError as error:
            # Retries inside the transport did not help; the task itself is
            # unaffected, so keep watching at the usual pace until the
            # operation's deadline decides.
            logger.info(
                "polling task %s failed, will ask again: %s", watch.task_id, error
            )
            return
        if task.is_finished:
            self._settle(watch, task=task)

    def _settle(
        self,
        watch: _Watch,
        *,
        task: Task | None = None,
        error: BaseException | None = None,
    ) -> None:
        if self._watches.get(watch.task_id) is watch:
            del self._watches[watch.task_id]
            self._poke()
        for waiter in watch.waiters:
            if waiter.done():
                continue
            if error is not None:
                waiter.set_exception(error)
            else:
                assert task is not None
                waiter.set_result(task)
        watch.waiters.clear()


def read_task(reply: Mapping[str, Any], task_id: str) -> Task:
    """Builds a :class:`Task` from a ``getResult`` reply.

    The documented reply nests the state in ``asyncTaskInfo``; one client
    reads it at the top level (REFERENCE §8), so both are accepted. The
    reply does not always repeat the task id; the one asked about fills in.
    """
    record = reply.get("asyncTaskInfo")
    where = "$.asyncTaskInfo"
    if not isinstance(record, Mapping):
        record, where = reply, "$"
    if not record.get("asyncTaskUUID"):
        record = {**record, "asyncTaskUUID": task_id}
    try:
        return structure(record, Task, where=where)
    except ShapeError as err:
        raise UnexpectedResponseError(
            f"GET /asynctask/getResult answered with data the SDK cannot read: {err}",
            status=200,
            method="GET",
            path="/asynctask/getResult",
            problems=err.problems,
        ) from err
