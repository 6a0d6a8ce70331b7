"""`FakeLightNode`: a real aiohttp server on loopback that imitates the API.

Every request goes through one handler, `FakeLightNode._handle`, in steps:

1. read the body and record the request (passwords masked, the token never
   stored, only whether it was right);
2. let an injected fault answer, delay or drop it (faults come first: the
   CDN in front of the API answers before the origin checks the token);
3. check the ``x-open-token`` header (401, REFERENCE §1.2);
4. advance the world's clock, run the endpoint's handler, and send its
   payload with ``httpStatus`` added;
5. fill the status and task id into the recorded request, and, when asked,
   check the exchange against the project's OpenAPI description.

What the endpoints do is in `_endpoints`; the state they change is in
`_state`; faults are in `_faults`.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import secrets
import socket
import time
from collections import Counter
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, Final, Self, cast

import attrs
from aiohttp import web

from ._endpoints import DEFAULT_SHAPES, ROUTES, Call, Result
from ._faults import Fault, FaultBook
from ._seed import populate
from ._state import ApiError, Region, TaskRecord, World

__all__ = ["FakeLightNode", "RecordedRequest"]

_TOKEN_HEADER: Final = "x-open-token"  # noqa: S105 - a header name
_JSON: Final = "application/json"
_MASK: Final = "***"
# REFERENCE §1.2 quotes this 401 message as observed on the real API.
_UNAUTHORIZED: Final = (
    "The current request is not authenticated and access is not allowed"
)
# How long close() lets in-flight requests (a long latency fault, say)
# finish before they are cancelled.
_SHUTDOWN_GRACE: Final = 0.25

Checker = Callable[..., list[str]]


@attrs.frozen
class RecordedRequest:
    """One request the fake received, as its log keeps it.

    Attributes:
        method: The HTTP method.
        path: The path, without the query.
        query: The query parameters.
        json: The parsed JSON body with every password replaced by
            ``"***"``, or None when the body was empty or not JSON.
        headers_seen_token: Whether the right token was sent. The token
            itself is never stored.
        status: The status answered, or None while the request is in flight
            or when its connection was dropped.
        time: Loop time at which the request arrived.
        task_id: The task a mutation started, if any.
    """

    method: str
    path: str
    query: dict[str, str]
    json: Any
    headers_seen_token: bool
    status: int | None
    time: float
    task_id: str | None = None


@attrs.define
class _Slot:
    # Where a request sits in the log, so its outcome can be filled in.
    record: RecordedRequest
    index: int
    generation: int


def _loop_time() -> float:
    # The world reads the running loop's clock; outside a loop (a sync test
    # peeking at the state) the default loop's clock source stands in.
    try:
        return asyncio.get_running_loop().time()
    except RuntimeError:
        return time.monotonic()


class FakeLightNode:
    """A stateful imitation of the LightNode API, served on loopback.

    Start it with ``await fake.start()`` or ``async with FakeLightNode() as
    fake:``, point a client at `url` with `token`, and read or change the
    world through the attributes below while the client runs.

    Args:
        token: The token clients must send in ``x-open-token``; a random
            ``fake-…`` token when None.
        host: The address to bind.
        port: The port to bind; 0 picks a free one.
        seed: Seeds ids, addresses and the seeded data.
        task_duration: Seconds every task runs unless planned otherwise.
        ip_delay: Seconds between a create's success and its public IP.
        seed_data: False starts with an empty world.
        check_contract: Check every exchange against the project's OpenAPI
            description and collect the findings in `contract_violations`.

    Attributes:
        token: The token clients must send.
        success_status: The status of every successful reply (202, as the
            API answers; set 200 to test a client's tolerance).
        not_found_in_body: Answer an unknown instance with a 2xx reply that
            carries the error body instead of a 404.
        reply_shapes: ``"nested"`` or ``"flat"`` per action kind
            (create, delete, start, stop, restart, reset_password, reinstall).
        requests: Every request received, in order of arrival.
        contract_violations: What the contract check found.
    """

    def __init__(
        self,
        *,
        token: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int = 0,
        task_duration: float = 0.2,
        ip_delay: float = 0.0,
        seed_data: bool = True,
        check_contract: bool = False,
    ) -> None:
        self.token = token if token is not None else "fake-" + secrets.token_hex(12)
        self.host = host
        self.port = port
        self.check_contract = check_contract
        self.success_status = 202
        self.not_found_in_body = False
        self.reply_shapes: dict[str, str] = dict(DEFAULT_SHAPES)
        self.requests: list[RecordedRequest] = []
        self.contract_violations: list[str] = []

        self._world = World(
            seed=seed, clock=_loop_time, task_duration=task_duration, ip_delay=ip_delay
        )
        if seed_data:
            populate(self._world)
        self._faults = FaultBook()
        self._runner: web.AppRunner | None = None
        self._sock: socket.socket | None = None
        self._url: str | None = None
        self._closed = False
        self._log_generation = 0
        self._checker: Checker | None = None
        self._checker_loaded = False

    def __repr__(self) -> str:
        # The token stays out of reprs, like everywhere else.
        where = self._url or "not started"
        return f"<FakeLightNode {where} instances={len(self._world.instances)}>"

    # -- lifecycle ---------------------------------------------------------

    @property
    def url(self) -> str:
        """The base URL, such as ``http://127.0.0.1:53411``.

        Raises:
            RuntimeError: Before `start`.
        """
        if self._url is None:
            raise RuntimeError("the fake is not started; await fake.start() first")
        return self._url

    async def start(self) -> None:
        """Bind the port and start serving.

        Raises:
            RuntimeError: When already started or closed.
            OSError: When the address cannot be bound.
        """
        if self._runner is not None or self._closed:
            raise RuntimeError("a FakeLightNode can be started only once")
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=_SHUTDOWN_GRACE)
        await runner.setup()
        try:
            sock = _listen(self.host, self.port)
            self._sock = sock
            await web.SockSite(runner, sock).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner

        host, port = sock.getsockname()[:2]
        self.port = port
        self._url = (
            f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
        )

    async def close(self) -> None:
        """Stop serving and close every connection. Safe to call twice."""
        self._closed = True
        runner, self._runner = self._runner, None
        if runner is None:
            return
        sock, self._sock = self._sock, None
        if sock is not None:
            # Stop accepting before the server closes. A connection accepted
            # in the same loop turn as the close would otherwise reach
            # asyncio after its listening sockets are gone, and Python 3.11
            # then leaks that socket with a ResourceWarning. Two loop turns
            # let such a connection attach, so the runner closes it cleanly.
            asyncio.get_running_loop().remove_reader(sock.fileno())
            await asyncio.sleep(0)
            await asyncio.sleep(0)
        try:
            await runner.cleanup()
        finally:
            if sock is not None:
                sock.close()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- the world ---------------------------------------------------------

    @property
    def regions(self) -> list[Region]:
        """Every region, sold out or not (a live list of `Region`)."""
        return self._world.regions

    @property
    def instances(self) -> dict[str, dict[str, Any]]:
        """Instance id → the live record the API shows, brought up to date.

        Edit a record to change what the API shows. Known limitation: a
        record put into this dict by hand answers `/instance/detail` and
        actions but is not listed by `/instance/list`, which reads a
        per-zone index; add instances with `add_instance` instead.
        """
        self._world.advance(_loop_time())
        return self._world.instances

    @property
    def images(self) -> list[dict[str, Any]]:
        """Every image, API-shaped (a live list; append to add one)."""
        return self._world.images

    @property
    def packages(self) -> list[dict[str, Any]]:
        """Every package, API-shaped (a live list; append to add one)."""
        return self._world.packages

    @property
    def ssh_keys(self) -> list[dict[str, Any]]:
        """Every SSH key, API-shaped (a live list; append to add one)."""
        return self._world.ssh_keys

    @property
    def firewalls(self) -> list[dict[str, Any]]:
        """Every firewall, API-shaped (a live list; append to add one)."""
        return self._world.firewalls

    def add_region(
        self,
        code: str,
        name: str,
        zones: list[tuple[str, str]],
        on_sale: bool = True,
    ) -> Region:
        """Add a region with ``(zone code, zone name)`` zones and return it.

        Raises:
            ValueError: When the region exists already.
        """
        return self._world.add_region(code, name, zones, on_sale=on_sale)

    def add_instance(
        self,
        *,
        region: str,
        zone: str,
        name: str | None = None,
        status: str = "STARTED",
        **fields: Any,
    ) -> dict[str, Any]:
        """Add an idle instance with a public IP and return its live record.

        Its plan and image are the zone's first; any API field can be set
        through `fields`, for example ``ecsPendingStatus="STOPPING"`` or
        ``publicIpAddress=""``.

        Raises:
            ValueError: For an unknown region or zone.
        """
        return self._world.add_instance(
            region=region, zone=zone, name=name, status=status, **fields
        )

    def add_package(
        self, *, region: str, zone: str = "", **spec: Any
    ) -> dict[str, Any]:
        """Add a package; an empty zone makes it valid in the whole region.

        Keywords: ``code``, ``cpu``, ``memory``, ``system_disk``,
        ``data_disk``, ``bandwidth``, ``free_flow``, ``charge_mode``.
        """
        return self._world.add_package(region=region, zone=zone, **spec)

    def add_image(
        self,
        *,
        region: str,
        name: str,
        image_type: str = "System",
        os_version: str = "linux",
        distro: str | None = None,
    ) -> dict[str, Any]:
        """Add an image to a region and return its record."""
        return self._world.add_image(
            region=region,
            name=name,
            image_type=image_type,
            os_version=os_version,
            distro=distro,
        )

    def add_ssh_key(self, name: str) -> dict[str, Any]:
        """Add an SSH key to the account and return its record."""
        return self._world.add_ssh_key(name)

    def add_firewall(self, *, region: str, name: str) -> dict[str, Any]:
        """Add a firewall to a region and return its record."""
        return self._world.add_firewall(region=region, name=name)

    def check_password(self, instance_id: str, password: str) -> bool:
        """Tell whether an instance's password, as set through the API, is this.

        The fake never shows passwords anywhere; this is how a test checks
        that a create, reset or reinstall took effect.
        """
        return self._world.password_matches(instance_id, password)

    # -- tasks -------------------------------------------------------------

    @property
    def task_duration(self) -> float:
        """Seconds every new task runs unless planned otherwise."""
        return self._world.task_duration

    @task_duration.setter
    def task_duration(self, value: float) -> None:
        self._world.task_duration = value

    @property
    def task_durations(self) -> dict[str, float]:
        """Per-kind durations that override `task_duration`."""
        return self._world.task_durations

    @property
    def ip_delay(self) -> float:
        """Seconds between a create's success and its public IP."""
        return self._world.ip_delay

    @ip_delay.setter
    def ip_delay(self, value: float) -> None:
        self._world.ip_delay = value

    @property
    def tasks(self) -> dict[str, TaskRecord]:
        """Task id → `TaskRecord`, brought up to date."""
        self._world.advance(_loop_time())
        return self._world.tasks

    def plan_task(
        self,
        kind: str | None = None,
        *,
        outcome: str = "SUCCESS",
        duration: float | None = None,
        retry_phases: int = 0,
        message: str | None = None,
    ) -> None:
        """Decide how the next task of `kind` will run.

        Plans queue up per kind and are used oldest first; ``kind=None``
        applies to the next task of any kind.

        Args:
            kind: One of create, delete, start, stop, restart,
                reset_password, reinstall; or None for any.
            outcome: The final processResult: SUCCESS, FAIL or CANCEL.
            duration: Seconds the task runs; the usual duration when None.
            retry_phases: The run is split into ``retry_phases + 1`` equal
                parts; during the first `retry_phases` of them the task
                reports processResult RETRY while PROCESSING.
            message: The errorMessage of a failed or cancelled task.

        Raises:
            ValueError: For an unknown kind or outcome, or a negative number.
        """
        self._world.plan(
            kind,
            outcome=outcome,
            duration=duration,
            retry_phases=retry_phases,
            message=message,
        )

    # -- counters and logs -------------------------------------------------

    @property
    def poll_counts(self) -> Counter[str]:
        """How many times `/asynctask/getResult` was asked about each task id."""
        return self._world.poll_counts

    @property
    def effects(self) -> list[tuple[str, str]]:
        """``(kind, instance id)`` of each successful effect, in order."""
        self._world.advance(_loop_time())
        return self._world.effects

    @property
    def submissions(self) -> Counter[tuple[str, str]]:
        """Accepted mutations per ``(kind, instance id)``."""
        return self._world.submissions

    def max_request_rate(self, window: float = 1.0) -> float:
        """Return the highest request rate (per second) seen in any window.

        Args:
            window: The width of the sliding window, in seconds.
        """
        if window <= 0:
            raise ValueError("window must be positive")
        times = sorted(r.time for r in self.requests)
        best = first = 0
        for last, moment in enumerate(times):
            while moment - times[first] >= window:
                first += 1
            best = max(best, last - first + 1)
        return best / window

    def reset_log(self) -> None:
        """Forget the recorded requests, counters, effects and violations.

        The world and its tasks stay as they are.
        """
        self.requests = []
        self._log_generation += 1
        self._world.poll_counts.clear()
        self._world.submissions.clear()
        self._world.effects.clear()
        self.contract_violations.clear()

    # -- faults ------------------------------------------------------------

    def inject(
        self,
        fault: Fault,
        *,
        path: str | None = None,
        method: str | None = None,
        times: int | None = 1,
        every: int | None = None,
    ) -> None:
        """Make matching requests go wrong.

        A request matches when its path equals `path` and its method equals
        `method` (either may be None for any). Faults are checked after the
        request is recorded and before the token is: a CDN answers before
        the origin does. The first rule that fires answers the request.

        Args:
            fault: What goes wrong.
            path: The exact path to match, or None for every path.
            method: The method to match, or None for every method.
            times: How many requests the fault hits in all; None for no
                limit.
            every: Hit only every n-th matching request (the n-th, 2n-th,
                ...), still at most `times` of them: ``every=3,
                times=None`` fails every third request for good.

        Raises:
            ValueError: When `times` or `every` is below 1.
        """
        self._faults.add(fault, path=path, method=method, times=times, every=every)

    def clear_faults(self) -> None:
        """Remove every injected fault."""
        self._faults.clear()

    # -- serving -----------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        arrived = _loop_time()
        raw = await request.read()
        body, body_ok = _parse_body(raw)
        query = dict(request.query)
        token_ok = secrets.compare_digest(
            request.headers.get(_TOKEN_HEADER, "").encode(), self.token.encode()
        )
        slot = self._log(
            RecordedRequest(
                method=request.method,
                path=request.path,
                query=query,
                json=_masked(body),
                headers_seen_token=token_ok,
                status=None,
                time=arrived,
            )
        )

        fault = self._faults.take(request.method, request.path)
        if fault is not None and fault.kind == "latency":
            await asyncio.sleep(fault.seconds)
            fault = None
        if fault is not None:
            return self._fault_reply(
                fault, request, slot, query, body, body_ok, token_ok
            )

        status, payload, task_id = self._answer(request, query, body, body_ok, token_ok)
        self._settle(slot, status, task_id)
        self._check(request, query, body, status, payload)
        return _json_response(status, payload)

    def _answer(
        self,
        request: web.Request,
        query: Mapping[str, str],
        body: Any,
        body_ok: bool,
        token_ok: bool,
    ) -> tuple[int, dict[str, Any], str | None]:
        # Authenticate, route, run the handler. Synchronous on purpose: the
        # world changes in one step per request.
        if not token_ok:
            return 401, _error_body(401, "Unauthorized", _UNAUTHORIZED), None
        handler = ROUTES.get((request.method, request.path))
        if handler is None:
            return self._no_route(request)

        now = _loop_time()
        self._world.advance(now)
        call = Call(
            query=query, body=body, body_ok=body_ok, now=now, shapes=self.reply_shapes
        )
        try:
            result: Result = handler(self._world, call)
        except ApiError as err:
            status = err.status
            if err.in_body or (
                self.not_found_in_body and err.code == "InvalidInstance.NotFound"
            ):
                status = self.success_status
            return status, _error_body(status, err.code, err.message), None

        status = self.success_status
        return status, {**result.payload, "httpStatus": status}, result.task_id

    def _no_route(self, request: web.Request) -> tuple[int, dict[str, Any], str | None]:
        if any(path == request.path for _, path in ROUTES):
            message = f"{request.method} is not allowed on {request.path}"
            return (
                405,
                _error_body(405, "InvalidAction.MethodNotAllowed", message),
                None,
            )
        message = f"No endpoint at {request.path}"
        return 404, _error_body(404, "InvalidAction.NotFound", message), None

    def _fault_reply(
        self,
        fault: Fault,
        request: web.Request,
        slot: _Slot,
        query: Mapping[str, str],
        body: Any,
        body_ok: bool,
        token_ok: bool,
    ) -> web.StreamResponse:
        kind = fault.kind
        if kind in ("truncated", "drop_after"):
            # The origin handled the request; only the reply goes wrong.
            status, payload, task_id = self._answer(
                request, query, body, body_ok, token_ok
            )
            if kind == "drop_after":
                self._settle(slot, None, task_id)
                return _drop(request)
            text = json.dumps(payload)
            self._settle(slot, status, task_id)
            return web.Response(
                status=status,
                body=text[: len(text) // 2].encode(),
                content_type=_JSON,
            )

        if kind == "drop_before":
            return _drop(request)
        if kind == "html":
            status = fault.http_status or 502
            self._settle(slot, status, None)
            return web.Response(
                status=status, text=fault.html_page(), content_type="text/html"
            )
        if kind == "not_json":
            status = self.success_status
            self._settle(slot, status, None)
            return web.Response(
                status=status,
                body=b"upstream connect error or disconnect/reset before headers",
                content_type=_JSON,
            )

        status = fault.http_status or 500
        self._settle(slot, status, None)
        response = _json_response(status, fault.error_body())
        if fault.retry_after is not None:
            response.headers["Retry-After"] = fault.retry_after
        return response

    # -- the log -----------------------------------------------------------

    def _log(self, record: RecordedRequest) -> _Slot:
        self.requests.append(record)
        return _Slot(record, len(self.requests) - 1, self._log_generation)

    def _settle(self, slot: _Slot, status: int | None, task_id: str | None) -> None:
        # Records are frozen; the finished one replaces the in-flight one,
        # unless the log was reset or edited meanwhile.
        if slot.generation != self._log_generation:
            return
        if slot.index < len(self.requests) and self.requests[slot.index] is slot.record:
            self.requests[slot.index] = attrs.evolve(
                slot.record, status=status, task_id=task_id
            )

    def _check(
        self,
        request: web.Request,
        query: Mapping[str, str],
        body: Any,
        status: int,
        payload: dict[str, Any],
    ) -> None:
        if not self.check_contract:
            return
        checker = self._load_checker()
        if checker is None:
            return
        messages = checker(
            request.method, request.path, dict(query), body, status, _JSON, payload
        )
        secrets_sent = _passwords_in(body)
        for message in messages:
            for secret in secrets_sent:
                message = message.replace(secret, _MASK)
            self.contract_violations.append(message)

    def _load_checker(self) -> Checker | None:
        # The checker lives in a module written alongside this one; without
        # it the contract check is skipped rather than failing the fake.
        if not self._checker_loaded:
            self._checker_loaded = True
            try:
                module = importlib.import_module("lightnode_aio.testing._contract")
            except ImportError:
                return None
            self._checker = cast(
                Checker | None, getattr(module, "check_exchange", None)
            )
        return self._checker


def _listen(host: str, port: int) -> socket.socket:
    # The fake owns its listening socket so that close() can stop accepting
    # before the server shuts down.
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    sock = socket.create_server((host, port), family=family, backlog=1024)
    sock.setblocking(False)
    return sock


def _parse_body(raw: bytes) -> tuple[Any, bool]:
    # Returns (parsed body, whether it parsed); an empty body is no body.
    if not raw.strip():
        return None, True
    try:
        return json.loads(raw), True
    except (ValueError, UnicodeDecodeError):
        return None, False


def _masked(value: Any) -> Any:
    # A copy of a JSON value with every password field replaced.
    if isinstance(value, dict):
        return {
            key: _MASK if "password" in key.lower() else _masked(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_masked(item) for item in value]
    return value


def _passwords_in(value: Any) -> list[str]:
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if "password" in key.lower() and isinstance(item, str) and item:
                found.append(item)
            else:
                found.extend(_passwords_in(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(_passwords_in(item))
    return found


def _error_body(status: int, code: str, message: str) -> dict[str, Any]:
    return {"code": code, "message": message, "success": False, "httpStatus": status}


def _json_response(status: int, payload: Mapping[str, Any]) -> web.Response:
    return web.Response(
        status=status, body=json.dumps(payload).encode(), content_type=_JSON
    )


def _drop(request: web.Request) -> web.StreamResponse:
    # Closing the transport makes aiohttp skip the reply: writing it fails
    # with a connection error, which the server treats as a client that went
    # away. The client sees the connection close with no response.
    transport = request.transport
    if transport is not None:
        transport.close()
    return web.Response(status=204)
