"""A FastAPI backend that shares one LightNode client across every request.

    LIGHTNODE_TOKEN=... uvicorn examples.fastapi_app:app

Run it from the project's root (uvicorn is not a dependency of the SDK:
``pip install uvicorn``). To try it without an account, serve the SDK's fake
API in another shell and point the app at it::

    python -m lightnode_aio.testing --token local-token
    LIGHTNODE_TOKEN=local-token LIGHTNODE_BASE_URL=http://127.0.0.1:8080 \\
        uvicorn examples.fastapi_app:app

The client is made in the app's lifespan, not at import, so this module
imports without a token; starting the app without one fails with the SDK's
``InvalidArgumentError`` naming ``LIGHTNODE_TOKEN``.

Routes:

    GET  /servers?region=&zone=        servers of one zone, or of every zone
    GET  /servers/{server_id}          one server
    POST /servers/{server_id}/reinstall   {"image": "img-...", "password": ...}
    POST /servers/{server_id}/stop     (?force=true), also /start, /restart
    GET  /tasks/{task_id}              where a task stands

A change answers ``202 {"task_id": ..., "instance_id": ...}`` as soon as the
API accepted it; the caller follows it on ``/tasks/{task_id}``. Errors of the
SDK become HTTP answers with the body ``{"error": ..., "message": ...}``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, SecretStr

from lightnode_aio import (
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    Instance,
    InvalidArgumentError,
    LightNode,
    LightNodeError,
    NotFoundError,
    Operation,
    OperationState,
    RateLimitError,
    ServerError,
    Task,
    TaskError,
    TransportError,
)

logger = logging.getLogger(__name__)

#: The wait suggested to our callers when the API said 429 without a
#: ``Retry-After`` of its own.
DEFAULT_RETRY_AFTER: Final = 5


# --- what the routes answer --------------------------------------------------


class Server(BaseModel):
    """A server as this app shows it: a few fields of the SDK's Instance."""

    id: str
    name: str | None
    status: str | None
    pending_status: str | None
    public_ip: str | None
    region: str | None
    zone: str | None
    image_id: str | None
    created_at: datetime | None

    @classmethod
    def of(cls, server: Instance) -> Server:
        return cls(
            id=server.id,
            name=server.name,
            # Unknown states arrive as plain strings; known ones as enums.
            status=_text(server.status),
            pending_status=_text(server.pending_status),
            public_ip=server.public_ip,
            region=server.region,
            zone=server.zone,
            image_id=server.image_id,
            created_at=server.created_at,
        )


class Accepted(BaseModel):
    """The API accepted a change; follow it on ``/tasks/{task_id}``.

    ``task_id`` is None in the rare case that the reply naming the task was
    lost and the SDK found the change under way by reading the server.
    """

    task_id: str | None
    instance_id: str | None


class TaskState(BaseModel):
    """Where an asynchronous task stands."""

    task_id: str
    instance_id: str | None
    status: str | None
    result: str | None
    message: str | None
    finished: bool
    succeeded: bool

    @classmethod
    def of(cls, task: Task) -> TaskState:
        return cls(
            task_id=task.id,
            instance_id=task.instance_id,
            status=_text(task.status),
            result=_text(task.result),
            message=task.message,
            finished=task.is_finished,
            succeeded=task.succeeded,
        )


class Reinstall(BaseModel):
    """The body of a reinstall. The password stays masked in reprs."""

    image: str
    password: SecretStr


def _text(value: object) -> str | None:
    return None if value is None else str(value)


# --- the shared client -------------------------------------------------------


def get_client(request: Request) -> LightNode:
    """The app's one client, opened by the lifespan."""
    client: LightNode = request.app.state.lightnode
    return client


Client = Annotated[LightNode, Depends(get_client)]


# --- routes ------------------------------------------------------------------

router = APIRouter()


@router.get("/servers")
async def list_servers(
    ln: Client, region: str | None = None, zone: str | None = None
) -> list[Server]:
    """Servers of one zone (give region and zone), or of all (give neither)."""
    if region is not None and zone is not None:
        servers = await ln.instances.list(region=region, zone=zone)
    elif region is None and zone is None:
        servers = await ln.instances.list_all()
    else:
        missing = "zone" if zone is None else "region"
        raise InvalidArgumentError(
            f"give both region and zone, or neither; {missing} is missing",
            argument=missing,
        )
    return [Server.of(server) for server in servers]


@router.get("/servers/{server_id}")
async def get_server(server_id: str, ln: Client) -> Server:
    """One server; 404 when there is none by that id."""
    return Server.of(await ln.instances.get(server_id))


@router.post("/servers/{server_id}/reinstall", status_code=202)
async def reinstall_server(
    server_id: str, body: Reinstall, ln: Client, request: Request, response: Response
) -> Accepted:
    """Reinstalls a server (stopping it first if it runs); answers at once."""
    operation = ln.instances.reinstall(
        server_id, image=body.image, password=body.password.get_secret_value()
    )
    return await _accepted(operation, request, response)


@router.post("/servers/{server_id}/stop", status_code=202)
async def stop_server(
    server_id: str,
    ln: Client,
    request: Request,
    response: Response,
    force: bool = False,
) -> Accepted:
    """Stops a server; ``force`` powers it off without a shutdown."""
    operation = ln.instances.stop(server_id, force=force)
    return await _accepted(operation, request, response)


@router.post("/servers/{server_id}/start", status_code=202)
async def start_server(
    server_id: str, ln: Client, request: Request, response: Response
) -> Accepted:
    """Starts a stopped server."""
    return await _accepted(ln.instances.start(server_id), request, response)


@router.post("/servers/{server_id}/restart", status_code=202)
async def restart_server(
    server_id: str, ln: Client, request: Request, response: Response
) -> Accepted:
    """Restarts a server."""
    return await _accepted(ln.instances.restart(server_id), request, response)


@router.get("/tasks/{task_id}")
async def task_state(task_id: str, ln: Client) -> TaskState:
    """A task's state, read once: poll until ``finished``."""
    return TaskState.of(await ln.tasks.get(task_id))


async def _accepted(
    operation: Operation[Any], request: Request, response: Response
) -> Accepted:
    # Only the submission is awaited: the operation runs on in the
    # background, polling its task and reading the server back. That is
    # safe because the client owns it: the client keeps the operation and
    # its asyncio task referenced until they end and collects their outcome,
    # and closing the client at shutdown ends any still running, cleanly
    # (the task at LightNode runs on, and /tasks/{task_id} still reports
    # it). submitted() is shielded, so a caller hanging up stops nothing.
    try:
        task_id = await operation.submitted()
    except TaskError:
        if operation.task_id is None and operation.state in _UNDER_WAY:
            # Accepted, but the reply naming its task was lost; the operation
            # follows the server instead. There is no task to point at.
            return Accepted(task_id=None, instance_id=operation.instance_id)
        raise

    response.headers["Location"] = str(request.url_for("task_state", task_id=task_id))
    return Accepted(task_id=task_id, instance_id=operation.instance_id)


#: States of an operation whose change the API took on.
_UNDER_WAY: Final = (OperationState.RUNNING, OperationState.SUCCEEDED)


# --- errors ------------------------------------------------------------------


#: Which HTTP status answers which SDK error, most specific first. The
#: caller's mistakes are 4xx. Trouble between us and LightNode is 5xx: a
#: refused token is ours to fix, not the caller's (502), and an API that is
#: unreachable, throttling us, or closing with the app is worth another try
#: later (503). Any other error of the SDK is a 502.
ERROR_STATUS: Final[tuple[tuple[type[LightNodeError], int], ...]] = (
    (InvalidArgumentError, 422),
    (NotFoundError, 404),
    # The API refused what was asked: an image of another region, a start
    # of a running server.
    (BadRequestError, 400),
    (AuthenticationError, 502),
    (RateLimitError, 503),
    (ServerError, 502),
    (TransportError, 503),
    (ClientClosedError, 503),
)


def http_status_of(error: LightNodeError) -> int:
    """The HTTP status that tells our caller what went wrong."""
    for kind, status in ERROR_STATUS:
        if isinstance(error, kind):
            return status
    return 502


async def _sdk_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, LightNodeError)
    status = http_status_of(error)
    headers: dict[str, str] = {}
    if isinstance(error, RateLimitError):
        wait = getattr(error, "retry_after", None) or DEFAULT_RETRY_AFTER
        headers["Retry-After"] = str(max(1, math.ceil(wait)))
    if status >= 500:
        # The SDK's messages never carry the token or a password.
        logger.warning("%s %s: %r", request.method, request.url.path, error)
    body = {"error": type(error).__name__, "message": str(error)}
    return JSONResponse(body, status_code=status, headers=headers)


async def _invalid_request(request: Request, error: Exception) -> JSONResponse:
    # FastAPI's own 422 repeats the offending input, which for a reinstall
    # body holds the password; this one names each field and problem only.
    assert isinstance(error, RequestValidationError)
    problems = "; ".join(
        f"{'.'.join(str(part) for part in problem['loc'])}: {problem['msg']}"
        for problem in error.errors()
    )
    body = {"error": "RequestValidationError", "message": problems}
    return JSONResponse(body, status_code=422)


# --- the app -----------------------------------------------------------------


def create_app(client_factory: Callable[[], LightNode] = LightNode) -> FastAPI:
    """Builds the app.

    Args:
        client_factory: Makes the client when the app starts; by default
            ``LightNode()``, configured by ``LIGHTNODE_TOKEN`` and
            ``LIGHTNODE_BASE_URL``. Tests pass one aimed at a fake API.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with client_factory() as client:
            app.state.lightnode = client
            yield

    app = FastAPI(title="LightNode servers", lifespan=lifespan)
    app.include_router(router)
    app.add_exception_handler(LightNodeError, _sdk_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    return app


app = create_app()
