"""One request to the API: limits, retries, timeouts, and what the answer means.

Everything that goes over the wire passes through :class:`Transport`. It
adds the ``x-open-token`` header (REFERENCE §1.2), waits for room under the
client's limits, sends, reads the reply, and returns the decoded JSON object
or raises one of the errors of ``_exceptions``. Nothing above it sees
aiohttp, json or status codes.

What counts as failure (REFERENCE §1.4, §1.5): any non-2xx status; and a 2xx
whose body says ``success: false`` or carries a ``code`` that is not an OK
value, since the API reports business errors inside 2xx replies. A body that
is not a JSON object is a failure too, whatever its status: a CDN's HTML
page, a reply cut short.

Retries are decided here, per attempt, by :func:`_retry_reason`. A request
that only reads is tried again on any failure that may pass. A request that
changes something is tried again only when it provably did not act: the
connection was refused before anything was sent, or the API answered 429.
Any other failure of a change is raised with
``TransportError.may_have_reached_server`` or a ``ServerError``, and the
operation above decides, by looking at the server, whether it took effect.
"""

from __future__ import annotations

import asyncio
import collections
import email.utils
import json
import logging
import math
import platform
import random
import time
from collections.abc import Generator, Mapping
from typing import Any, Final, Literal

import aiohttp
import backoff

from lightnode_aio._config import Limits, RetryPolicy, Timeouts
from lightnode_aio._exceptions import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    LightNodeError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TransportError,
    UnexpectedResponseError,
)

__all__ = ["Method", "Transport"]

logger = logging.getLogger(__name__)

Method = Literal["GET", "POST"]

#: What a request is for: ``"new"`` work (a user's call, or the request
#: that starts a change) or ``"ongoing"`` work (the poller's questions and
#: the reads that finish changes already accepted). The two share the
#: client's limits fairly (see ``_Slots``), so a burst of new work never
#: holds up the work already under way, nor the other way round.
Lane = Literal["new", "ongoing"]

VERSION: Final = "0.1.0"

#: ``code`` values that mean success when a body carries one (REFERENCE §1.5).
_OK_CODES: Final = frozenset({0, 200, "0", "200", "OK", "ok", "Success", "SUCCESS"})

#: Statuses worth another try for a read: the server, or the CDN in front of
#: it, failed in a way that usually passes. 520-530 are Cloudflare's own
#: error pages (REFERENCE §1.1: the API sits behind Cloudflare).
_RETRYABLE_STATUSES: Final = frozenset({408, 425, 429, 500, 502, 503, 504}) | frozenset(
    range(520, 531)
)

_USER_AGENT: Final = (
    f"lightnode-aio/{VERSION} aiohttp/{aiohttp.__version__} "
    f"python/{platform.python_version()}"
)


class Transport:
    """Sends requests for one client and turns replies into dicts or errors.

    It owns the aiohttp session unless one was passed in, in which case the
    session is used as it is and never closed here.
    """

    def __init__(
        self,
        *,
        token: str,
        base_url: str,
        session: aiohttp.ClientSession | None,
        timeouts: Timeouts,
        limits: Limits,
        retry: RetryPolicy,
    ) -> None:
        self._token = token
        self._base_url = base_url.rstrip("/")
        self._session = session
        self._owns_session = session is None
        # ``total`` bounds the whole attempt, reading included, so no
        # separate read timer is armed: each timer costs every request.
        self._timeout = aiohttp.ClientTimeout(
            total=timeouts.total, sock_connect=timeouts.connect
        )
        # A session of our own carries the header and timeout itself; a
        # caller's session gets them with each request and stays untouched.
        self._per_request: dict[str, Any] = (
            {}
            if self._owns_session
            else {"headers": {"x-open-token": token}, "timeout": self._timeout}
        )
        self._limits = limits
        self._retry = retry
        self._in_flight = _Slots(limits.max_in_flight)
        self._pacer = _Pacer(limits)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        # The first attempt is made directly (see ``request``); ``backoff``
        # runs the retries, if the policy allows any.
        self._retry_loop = backoff.on_exception(
            _retry_waits,
            _Retry,
            max_tries=max(1, retry.max_tries - 1),
            jitter=None,
            giveup=_past_deadline,
            on_backoff=_log_backoff,
            logger=None,
            policy=retry,
        )(self._attempt)

    def __repr__(self) -> str:
        return f"<Transport {self._base_url}>"

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    @property
    def pacer(self) -> _Pacer:
        """The client-wide request pacing, shared with the task poller."""
        return self._pacer

    def refuse_new(self) -> None:
        """Makes every later request fail with ``ClientClosedError``, while
        the session stays open for the client's closing steps."""
        self._closed = True

    async def close(self) -> None:
        """Closes the session if this transport made it. Idempotent."""
        self._closed = True
        session, self._session = self._session, None
        if session is not None and self._owns_session and not session.closed:
            await session.close()

    async def request(
        self,
        method: Method,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        body: Mapping[str, Any] | None = None,
        idempotent: bool,
        secrets: tuple[str, ...] = (),
        deadline: float | None = None,
        lane: Lane = "new",
    ) -> dict[str, Any]:
        """Sends one request, retrying as the policy allows.

        Args:
            method: ``GET`` (query parameters) or ``POST`` (JSON body).
            path: The API path, e.g. ``/instance/list``.
            params: Query parameters.
            body: The JSON body of a POST.
            idempotent: True when sending it twice does no harm (reads);
                False for changes, which are retried only when they provably
                did not act.
            secrets: Values in the body (passwords) that must never show up
                in an error message, even if the API echoes them.
            deadline: A ``loop.time()`` past which no retry is started.
            lane: ``"ongoing"`` for requests that finish accepted work (polls,
                read-backs), which take turns with new work when both wait.

        Returns:
            The reply's JSON object.

        Raises:
            APIError: The API answered with a failure (a subclass says which).
            TransportError: No answer could be had.
            ClientClosedError: The client is closed.
        """
        session = self._ensure_session()
        call = _Call(method, path, params, body, idempotent, secrets, deadline, lane)
        try:
            return await self._attempt(session, call)
        except _Retry as failure:
            if self._retry.max_tries == 1 or _past_deadline(failure):
                raise failure.error from failure.error.__cause__
            wait = _next_wait(failure, self._retry)
            _log_retry(call, failure, wait)
            await asyncio.sleep(wait)
        try:
            reply: dict[str, Any] = await self._retry_loop(session, call)
        except _Retry as gave_up:
            raise gave_up.error from gave_up.error.__cause__
        return reply

    def _ensure_session(self) -> aiohttp.ClientSession:
        if self._closed:
            raise ClientClosedError("this LightNode client is closed")
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
        elif loop is not self._loop:
            raise ClientClosedError(
                "this LightNode client belongs to another event loop; "
                "open one client per event loop"
            )
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._limits.max_in_flight),
                headers={"User-Agent": _USER_AGENT, "x-open-token": self._token},
                timeout=self._timeout,
            )
        return self._session

    async def _attempt(
        self, session: aiohttp.ClientSession, call: _Call
    ) -> dict[str, Any]:
        """One try: wait for room, send, read, decode. Raises ``_Retry`` when
        the failure may be tried again for this request.

        It is one coroutine on purpose: every resumption inside aiohttp
        passes through each coroutine above it, on every request.
        """
        call.attempts += 1
        if not self._in_flight.take():
            await self._in_flight.wait(call.lane)
        try:
            delay = self._pacer.reserve()
            if delay > 0:
                await asyncio.sleep(delay)
            if self._closed:
                raise ClientClosedError("this LightNode client is closed")
            debug = logger.isEnabledFor(logging.DEBUG)
            started = time.perf_counter() if debug else 0.0
            try:
                async with session.request(
                    call.method,
                    self._base_url + call.path,
                    params=call.params,
                    json=call.body,
                    allow_redirects=False,
                    **self._per_request,
                ) as response:
                    status = response.status
                    raw = await response.read()
                    headers = response.headers
            except (aiohttp.ClientError, TimeoutError, RuntimeError) as err:
                failure = self._failure(call, err, session)
                if failure is None:
                    raise
                # A ClientResponseError's repr shows the request's headers,
                # the token among them, so it is not kept as the cause.
                hidden = isinstance(err, aiohttp.ClientResponseError)
                raise failure from None if hidden else err
            if debug:
                elapsed = (time.perf_counter() - started) * 1000
                logger.debug(
                    "%s %s -> %d in %.1f ms", call.method, call.path, status, elapsed
                )
            reply = _decode(call, status, raw, headers, self._token)
        except LightNodeError as error:
            if isinstance(error, RateLimitError):
                self._pacer.slow_down(error.retry_after)
            reason = _retry_reason(error, call.idempotent)
            if reason is None:
                raise
            raise _Retry(error, reason, call) from error
        finally:
            self._in_flight.release()
        self._pacer.speed_up()
        return reply

    def _failure(
        self, call: _Call, err: BaseException, session: aiohttp.ClientSession
    ) -> LightNodeError | None:
        """The SDK's error for what aiohttp raised, or None to let it be."""
        if isinstance(err, aiohttp.ClientError):
            return self._transport_error(call, err)
        if isinstance(err, TimeoutError):
            return TransportError(
                f"{call.method} {call.path} timed out with no answer; "
                "it may have reached the server",
                method=call.method,
                path=call.path,
                may_have_reached_server=True,
            )
        if session.closed:  # a RuntimeError: only a caller's session is closed
            return ClientClosedError(
                "the aiohttp session given to this LightNode client was closed"
            )
        return None

    def _transport_error(self, call: _Call, err: aiohttp.ClientError) -> TransportError:
        # A refused or unresolvable connection never carried the request.
        # aiohttp's certificate and SSL errors are connector errors too, but
        # they are not worth retrying; they are marked unreached all the same.
        unreached = isinstance(
            err,
            (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError),
        )
        kind = type(err).__name__
        if unreached:
            text = f"could not connect to the API ({kind}); nothing was sent"
        else:
            text = f"the connection failed ({kind}); it may have reached the server"
        return TransportError(
            f"{call.method} {call.path}: {text}",
            method=call.method,
            path=call.path,
            may_have_reached_server=not unreached,
            certificate_error=isinstance(err, aiohttp.ClientSSLError),
        )


class _Call:
    """The parts of one request that every attempt repeats."""

    __slots__ = (
        "attempts",
        "body",
        "deadline",
        "idempotent",
        "lane",
        "method",
        "params",
        "path",
        "secrets",
    )

    def __init__(
        self,
        method: Method,
        path: str,
        params: Mapping[str, str | int] | None,
        body: Mapping[str, Any] | None,
        idempotent: bool,
        secrets: tuple[str, ...],
        deadline: float | None,
        lane: Lane = "new",
    ) -> None:
        self.method = method
        self.path = path
        self.params = params
        self.body = body
        self.idempotent = idempotent
        self.secrets = secrets
        self.deadline = deadline
        self.lane = lane
        self.attempts = 0

    def __repr__(self) -> str:
        # The body may hold a password: only the method and path are shown.
        return f"<request {self.method} {self.path}>"


class _Retry(Exception):
    """Carries a failure that may be retried through the ``backoff`` loop."""

    def __init__(self, error: LightNodeError, reason: str, call: _Call) -> None:
        super().__init__(reason)
        self.error = error
        self.reason = reason
        self.deadline = call.deadline
        self.attempts = call.attempts
        self.retry_after: float | None = getattr(error, "retry_after", None)


def _retry_reason(error: LightNodeError, idempotent: bool) -> str | None:
    """Why this failure may be tried again for this request, or None."""
    if isinstance(error, TransportError):
        if getattr(error, "certificate_error", False):
            return None
        if not error.may_have_reached_server:
            return "connection failed before sending"
        return "no answer (timeout or dropped connection)" if idempotent else None
    if isinstance(error, RateLimitError):
        # 429 means the request was turned away, not acted on: safe for all.
        return "rate limited (429)"
    if isinstance(error, APIError) and error.status in _RETRYABLE_STATUSES:
        return f"status {error.status}" if idempotent else None
    if isinstance(error, UnexpectedResponseError) and idempotent:
        return "unreadable reply"
    return None


def _next_wait(failure: _Retry, policy: RetryPolicy) -> float:
    """The wait before the next try: exponential in the tries made so far,
    with jitter, capped, and replaced by the server's ``Retry-After`` (capped
    too) when it gave one; never past the request's deadline."""
    ceiling = min(policy.max_delay, policy.base_delay * 2.0 ** (failure.attempts - 1))
    wait: float = ceiling / 2 + random.uniform(0, ceiling / 2)
    if failure.retry_after is not None:
        wait = min(failure.retry_after, policy.max_retry_after)
    if failure.deadline is not None:
        remaining = failure.deadline - asyncio.get_running_loop().time()
        wait = max(0.0, min(wait, remaining))
    return wait


def _retry_waits(policy: RetryPolicy) -> Generator[float, _Retry | None, None]:
    """``backoff``'s wait generator: it primes it with ``send(None)`` and
    then sends each failure in, receiving the wait before the next try."""
    failure = yield 0.0
    while True:
        assert failure is not None
        failure = yield _next_wait(failure, policy)


def _past_deadline(failure: Exception) -> bool:
    if not isinstance(failure, _Retry) or failure.deadline is None:
        return False
    return asyncio.get_running_loop().time() >= failure.deadline


def _log_retry(call: _Call, failure: _Retry, wait: float) -> None:
    logger.info(
        "retrying %s %s in %.2f s (try %d failed: %s)",
        call.method,
        call.path,
        wait,
        call.attempts,
        failure.reason,
    )


def _log_backoff(details: Any) -> None:
    _log_retry(details["args"][1], details["exception"], details["wait"])


#: The order in which waiting lanes get freed slots: two turns for work
#: under way for each turn of new work, since each change needs about two
#: requests to finish (a poll or two, a read-back) for the one that starts
#: it. Without that, a fleet at the rate limit finishes little until it has
#: submitted everything.
_TURNS: Final[tuple[Lane, ...]] = ("ongoing", "new", "ongoing")


class _Slots:
    """The in-flight limit, shared fairly by the two lanes.

    Like a semaphore, but when both lanes have requests waiting, freed slots
    go to them in turns (``_TURNS``). A fleet's thousand polls
    therefore never keep a user's call waiting for more than a turn, and a
    thousand new changes never stop the poller, nor the reads that finish
    the changes already accepted.
    """

    def __init__(self, size: int) -> None:
        self._free = size
        self._waiting: dict[Lane, collections.deque[asyncio.Future[None]]] = {
            "new": collections.deque(),
            "ongoing": collections.deque(),
        }
        self._turn = 0

    def take(self) -> bool:
        """Takes a slot at once if one is free and nobody waits for one."""
        if self._free > 0 and not (self._waiting["new"] or self._waiting["ongoing"]):
            self._free -= 1
            return True
        return False

    async def wait(self, lane: Lane) -> None:
        """Waits in ``lane`` until a slot is handed over."""
        slot: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting[lane].append(slot)
        try:
            await slot
        except asyncio.CancelledError:
            if slot.done() and not slot.cancelled():
                self.release()  # handed over just as the wait was cancelled
            else:
                self._waiting[lane].remove(slot)
            raise

    def release(self) -> None:
        """Frees a slot: to the next waiter of the lane whose turn it is."""
        for step in range(len(_TURNS)):
            lane = _TURNS[(self._turn + step) % len(_TURNS)]
            queue = self._waiting[lane]
            while queue:
                slot = queue.popleft()
                if not slot.done():
                    self._turn = (self._turn + step + 1) % len(_TURNS)
                    slot.set_result(None)
                    return
        self._free += 1


#: Starts are spaced 5 % wider than the rate asks: evenly spaced requests
#: would put one more than the rate into a closed one-second window, and the
#: network's jitter can bunch them further by the time they reach the server.
_SPACING_MARGIN: Final = 1.05


class _Pacer:
    """Spaces request starts to the client's rate, and slows all of them
    down together when the API answers 429.

    Each start takes the next free slot, one interval after the previous
    one, so callers are served in arrival order and nobody starves. A 429
    halves the rate (down to a floor) and, when the server gave
    ``Retry-After``, holds every start until then; each success afterwards
    wins back a twentieth of the configured rate.
    """

    def __init__(self, limits: Limits) -> None:
        self._max_rate = limits.requests_per_second
        self._min_rate = min(limits.min_requests_per_second, self._max_rate)
        self._rate = self._max_rate
        self._next_slot = 0.0

    @property
    def rate(self) -> float:
        """The current requests-per-second allowance."""
        return self._rate

    def reserve(self) -> float:
        """Takes the next start slot; returns how long to wait for it."""
        now = asyncio.get_running_loop().time()
        slot = max(now, self._next_slot)
        self._next_slot = slot + _SPACING_MARGIN / self._rate
        return slot - now

    def slow_down(self, retry_after: float | None) -> None:
        """Halves the rate after a 429 and honours the server's wait."""
        before = self._rate
        self._rate = max(self._min_rate, self._rate / 2)
        if retry_after is not None:
            hold = asyncio.get_running_loop().time() + retry_after
            self._next_slot = max(self._next_slot, hold)
        logger.info(
            "rate limited by the API: slowing this client from %.2f to %.2f "
            "requests per second",
            before,
            self._rate,
        )

    def speed_up(self) -> None:
        """Wins back part of the rate after a success."""
        if self._rate < self._max_rate:
            self._rate = min(self._max_rate, self._rate + self._max_rate / 20)


def _decode(
    call: _Call,
    status: int,
    raw: bytes,
    headers: Mapping[str, str],
    token: str,
) -> dict[str, Any]:
    """Turns a status and body into the reply's JSON object, or raises."""
    payload: Any = None
    try:
        payload = json.loads(raw) if raw else None
    except ValueError:
        payload = None
    if 200 <= status < 300:
        if not isinstance(payload, dict):
            raise UnexpectedResponseError(
                f"{call.method} {call.path} answered {status} with a body that is "
                f"not a JSON object ({_describe_body(raw, headers)})",
                status=status,
                method=call.method,
                path=call.path,
                request_id=_request_id(headers),
            )
        if _reports_failure(payload):
            raise _api_error(call, status, payload, headers, token)
        return payload

    if 300 <= status < 400:
        raise APIError(
            f"{call.method} {call.path} answered with a redirect ({status}); "
            "redirects are not followed, so the token never goes to another host",
            status=status,
            method=call.method,
            path=call.path,
            request_id=_request_id(headers),
        )
    if not isinstance(payload, dict):
        payload = {"message": _describe_body(raw, headers)}
    raise _api_error(call, status, payload, headers, token)


def _reports_failure(payload: Mapping[str, Any]) -> bool:
    """Whether a 2xx body says the request failed (REFERENCE §1.5):
    ``success: false``, or a number or name in ``code`` that is not an OK
    value. A ``code`` of any other kind says nothing we can read."""
    if payload.get("success") is False:
        return True
    code = payload.get("code")
    if isinstance(code, bool) or not isinstance(code, int | str):
        return False
    return code not in _OK_CODES


def _request_id(headers: Mapping[str, str]) -> str | None:
    """The CDN's id of the exchange, for LightNode's support (read only for
    failures: a header lookup costs every request)."""
    return headers.get("cf-ray") or headers.get("x-request-id")


def _describe_body(raw: bytes, headers: Mapping[str, str]) -> str:
    kind = headers.get("Content-Type", "no content type").split(";")[0]
    if not raw:
        return "empty body"
    if b"<html" in raw[:512].lower() or kind == "text/html":
        return f"an HTML page, {kind}, {len(raw)} bytes"
    return f"{kind}, {len(raw)} bytes, cut short or not JSON"


def _api_error(
    call: _Call,
    status: int,
    payload: Mapping[str, Any],
    headers: Mapping[str, str],
    token: str,
) -> APIError:
    code = payload.get("code")
    if not isinstance(code, str | int) or isinstance(code, bool):
        code = None
    said = payload.get("message") or payload.get("msg") or payload.get("errorMessage")
    said = _scrub(str(said) if said else "no message", (token, *call.secrets))
    code_text = f" [{code}]" if code is not None else ""
    message = f"{call.method} {call.path} failed with {status}{code_text}: {said}"
    cls = _error_class(status, code)
    details: dict[str, Any] = {}
    if cls is RateLimitError:
        details["retry_after"] = _parse_retry_after(headers.get("Retry-After"))
    return cls(
        message,
        status=status,
        code=code,
        method=call.method,
        path=call.path,
        request_id=_request_id(headers),
        **details,
    )


def _error_class(status: int, code: str | int | None) -> type[APIError]:
    text = str(code).lower() if code is not None else ""
    if status == 401 or "unauthorized" in text or "authfailure" in text:
        return AuthenticationError
    if status == 403 or "forbidden" in text or "permission" in text:
        return PermissionDeniedError
    if status == 404 or "notfound" in text or "notexist" in text:
        return NotFoundError
    if status == 429 or "throttl" in text or "ratelimit" in text:
        return RateLimitError
    if status >= 500:
        return ServerError
    return BadRequestError


def _scrub(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def _parse_retry_after(value: str | None) -> float | None:
    """Reads ``Retry-After`` as seconds or as an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)
