"""``ln.tasks``: the API's asynchronous tasks (REFERENCE §3.12, §6)."""

from __future__ import annotations

import asyncio

from lightnode_aio._exceptions import TaskTimeoutError
from lightnode_aio._operation import read_task, task_failed
from lightnode_aio._validation import check_id
from lightnode_aio.models import Task
from lightnode_aio.resources._base import Resource

__all__ = ["TasksResource"]


class TasksResource(Resource):
    """Reads a task, or waits for one to end."""

    async def get(self, task_id: str) -> Task:
        """Reads a task's state once. Does not wait.

        Calls ``GET /asynctask/getResult``.

        Args:
            task_id: The task id an operation reported (``op.task_id``).

        Raises:
            InvalidArgumentError: The id is empty or of another kind.
            NotFoundError: The API does not know the task.
            APIError: The API refused.
            TransportError: The API could not be reached.
        """
        check_id(task_id, "task", "task_id")
        reply = await self._get("/asynctask/getResult", {"asyncTaskUUID": task_id})
        return read_task(reply, task_id)

    async def wait(self, task_id: str, *, deadline: float | None = None) -> Task:
        """Waits for a task to finish, from anywhere: the task id is enough.

        Use it to resume an operation after a ``TaskTimeoutError``, a
        restart, or in another process. It shares the client's poller, so
        waiting here and in an operation on the same task costs one question
        per round.

        Args:
            task_id: The task id (``op.task_id``, ``error.task_id``, or one
                you stored after ``await op.submitted()``).
            deadline: Seconds to wait at most; the client's
                ``Deadlines.wait`` when not given.

        Returns:
            The task's final record, which succeeded.

        Raises:
            InvalidArgumentError: The id is empty or of another kind.
            TaskFailedError: The task finished with FAIL, CANCEL or another
                result than SUCCESS.
            TaskTimeoutError: The deadline passed; the task may still run.
            NotFoundError: The API does not know the task.
        """
        check_id(task_id, "task", "task_id")
        seconds = self._client.deadlines.wait if deadline is None else deadline
        try:
            async with asyncio.timeout(seconds):
                task = await self._client._poller.wait(task_id)
        except TimeoutError:
            raise TaskTimeoutError(
                f"task {task_id} did not finish within {seconds:g} s; it may still "
                "run: wait again later",
                task_id=task_id,
                instance_id=None,
                kind=None,
                deadline=seconds,
            ) from None
        if not task.succeeded:
            raise task_failed(task, kind=None, instance_id=task.instance_id)
        return task
