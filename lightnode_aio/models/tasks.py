"""Asynchronous tasks, from ``GET /asynctask/getResult`` (REFERENCE §3.12, §6).

Every mutation of the API answers at once with a task id; the task then runs
on the server. It is over only when ``taskStatus`` is ``FINISHED``, and it
succeeded only if ``processResult`` is then ``SUCCESS``. ``RETRY`` while
``PROCESSING`` means the server is still trying, not that it failed.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

import attrs

from lightnode_aio.models._base import api_field, raw_field

__all__ = ["Task", "TaskResult", "TaskStatus"]


class TaskStatus(enum.StrEnum):
    """Where a task is (``taskStatus``). Other values stay plain strings and
    count as still running."""

    PROCESSING = "PROCESSING"
    FINISHED = "FINISHED"


class TaskResult(enum.StrEnum):
    """How a task went (``processResult``). Other values stay plain strings;
    at ``FINISHED`` anything but ``SUCCESS`` is a failure."""

    SUCCESS = "SUCCESS"
    FAIL = "FAIL"
    CANCEL = "CANCEL"
    RETRY = "RETRY"


@attrs.frozen(kw_only=True)
class Task:
    """The state of one asynchronous task.

    Attributes:
        id: The task id (``asyncTaskUUID``).
        instance_id: The instance the task works on, when the API says.
        status: ``PROCESSING``, ``FINISHED`` or another string.
        result: ``SUCCESS``, ``FAIL``, ``CANCEL``, ``RETRY``, another
            string, or None while the API gives none.
        message: The error text sent with a failure, if any. No source names
            the field, so several likely names are read (REFERENCE §3.12).
    """

    id: str = api_field("asyncTaskUUID", default="")
    instance_id: str | None = api_field("ecsResourceUUID")
    status: TaskStatus | str | None = api_field("taskStatus")
    result: TaskResult | str | None = api_field("processResult")
    message: str | None = api_field("errorMessage")
    raw: Mapping[str, Any] = raw_field()

    @property
    def is_finished(self) -> bool:
        """Whether the task reached its end (``FINISHED``)."""
        return self.status == TaskStatus.FINISHED

    @property
    def succeeded(self) -> bool:
        """Whether the task finished with ``SUCCESS``."""
        return self.is_finished and self.result == TaskResult.SUCCESS

    @property
    def failed(self) -> bool:
        """Whether the task finished with anything but ``SUCCESS``."""
        return self.is_finished and self.result != TaskResult.SUCCESS
