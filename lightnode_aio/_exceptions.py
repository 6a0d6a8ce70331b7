"""Every error the SDK raises, in one tree.

```
LightNodeError                    the root: catch this to catch everything
├── APIError                      the API answered, and the answer is a failure
│   ├── AuthenticationError       401: the token is missing, wrong, expired
│   ├── PermissionDeniedError     403: the token may not do this
│   ├── NotFoundError             404, or an error code saying the thing is gone
│   ├── BadRequestError           400 and other 4xx, or a business error code
│   ├── RateLimitError            429: slow down (carries the wait asked for)
│   ├── ServerError               5xx, including a CDN's HTML error page
│   └── UnexpectedResponseError   a 2xx whose body is not the JSON we expect
├── TransportError                no answer: connection failed, timed out, dropped
├── TaskError                     an asynchronous task did not succeed for us
│   ├── TaskFailedError           the task finished with FAIL or CANCEL
│   └── TaskTimeoutError          our deadline passed; the task may still run
├── InvalidArgumentError          (also ValueError) refused before sending
└── ClientClosedError             (also RuntimeError) the client is closed
```

Errors carry plain attributes only, so they pickle and print without
surprises, and none of them ever holds the token or a password. Errors from
aiohttp, json and cattrs never reach the caller unwrapped: they become one of
these, with the original as ``__cause__``.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "InvalidArgumentError",
    "LightNodeError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "TaskError",
    "TaskFailedError",
    "TaskTimeoutError",
    "TransportError",
    "UnexpectedResponseError",
]


class LightNodeError(Exception):
    """The root of every error this SDK raises.

    Subclasses keep their details as plain keyword attributes; ``__reduce__``
    rebuilds them from those, so errors survive pickling (for example across
    a process pool in a fleet script).
    """

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self._details = details
        for name, value in details.items():
            setattr(self, name, value)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.message, self._details))

    def __str__(self) -> str:
        return self.message


def _rebuild(
    cls: type[LightNodeError], message: str, details: dict[str, Any]
) -> LightNodeError:
    error = cls.__new__(cls)
    LightNodeError.__init__(error, message, **details)
    return error


class APIError(LightNodeError):
    """The API answered with a failure.

    Raised for a non-2xx status, and also for a 2xx reply whose body reports
    failure (``success: false`` or a ``code`` that is not an OK value), which
    the API is known to send for business errors (REFERENCE §1.5).

    Attributes:
        status: The HTTP status of the reply.
        code: The API's error code (a number or a name such as
            ``InvalidRegionCode.NotNull``), or None when the body had none.
        method: The HTTP method of the request.
        path: The API path of the request, without the query.
        request_id: A request identifier from the reply's headers (the CDN's
            ``cf-ray``), useful when asking LightNode's support, or None.
    """

    status: int
    code: str | int | None
    method: str
    path: str
    request_id: str | None

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str | int | None = None,
        method: str = "",
        path: str = "",
        request_id: str | None = None,
        **details: Any,
    ) -> None:
        super().__init__(
            message,
            status=status,
            code=code,
            method=method,
            path=path,
            request_id=request_id,
            **details,
        )


class AuthenticationError(APIError):
    """401: the token is missing, wrong, expired or revoked (REFERENCE §1.2)."""


class PermissionDeniedError(APIError):
    """403: the token is valid but may not do this."""


class NotFoundError(APIError):
    """The instance, task or other thing asked for does not exist (any more).

    Raised for a 404, and for an error code that names a missing thing
    (such as ``InvalidInstance.NotFound``) even under a 2xx status.
    """


class BadRequestError(APIError):
    """The API refused the request as invalid: a 400, another 4xx, or a
    business error code in the body (for example reinstalling a server that
    is still running)."""


class RateLimitError(APIError):
    """429: the API asks us to slow down.

    Attributes:
        retry_after: The wait in seconds the server asked for with
            ``Retry-After``, or None when it did not say.
    """

    retry_after: float | None


class ServerError(APIError):
    """5xx: the API or the CDN in front of it failed.

    A CDN's HTML error page (502, 520, ...) arrives as this error with the
    page left out of the message.
    """


class UnexpectedResponseError(APIError):
    """A 2xx reply whose body we cannot use: not JSON, cut short, or JSON of
    a shape the SDK cannot read. The message says where: for a shape problem
    it names the field as a path (``@ $.instances[3].createTime``) and the
    value that did not fit."""


class TransportError(LightNodeError):
    """No usable answer arrived: the connection failed, timed out or dropped.

    Attributes:
        method: The HTTP method of the request.
        path: The API path of the request.
        may_have_reached_server: False when the request provably never left
            (the connection was refused); True when the server may have
            received and acted on it (a timeout, a dropped connection), which
            matters for requests that change something.
    """

    method: str
    path: str
    may_have_reached_server: bool


class TaskError(LightNodeError):
    """An asynchronous task (REFERENCE §6) did not succeed, as far as we know.

    Attributes:
        task_id: The API's ``asyncTaskUUID``, or None when the request that
            would start the task never got an answer.
        instance_id: The instance the task works on, when known.
        kind: What the operation was (``"create"``, ``"reinstall"``, ...),
            or None when waiting on a bare task id.
    """

    task_id: str | None
    instance_id: str | None
    kind: str | None


class TaskFailedError(TaskError):
    """The task finished and the API reports it failed or was cancelled.

    Attributes:
        result: What the API reported as ``processResult`` (``"FAIL"``,
            ``"CANCEL"`` or another value it chose).
        reason: The error text the API gave with it, or None.
    """

    result: str
    reason: str | None


class TaskTimeoutError(TaskError):
    """The operation's deadline passed before the task finished.

    The server's task may still be running: resume waiting on it with
    ``await client.tasks.wait(error.task_id)``.

    Attributes:
        deadline: The deadline that passed, in seconds.
    """

    deadline: float


class InvalidArgumentError(LightNodeError, ValueError):
    """An argument the API would reject, refused before anything is sent.

    Attributes:
        argument: The name of the offending argument.
    """

    argument: str


class ClientClosedError(LightNodeError, RuntimeError):
    """The client was closed (or is being closed), so it cannot send."""
