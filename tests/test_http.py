"""The transport: every failure becomes the right typed error, reads are
retried, changes are never resent when they may have acted, and the token
never leaves for another host."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest
from aiohttp import web

from lightnode_aio import (
    APIError,
    AuthenticationError,
    BadRequestError,
    LightNode,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    Timeouts,
    TransportError,
    UnexpectedResponseError,
)
from lightnode_aio.testing import FakeLightNode, Fault
from tests.conftest import PASSWORD, TOKEN, make_client

NO_RETRIES = RetryPolicy(max_tries=1)


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, BadRequestError),
        (429, RateLimitError),
        (500, ServerError),
        (503, ServerError),
    ],
)
async def test_each_status_raises_its_error(
    fake: FakeLightNode, status: int, error: type[APIError]
) -> None:
    fake.inject(
        Fault.status(status, body={"code": "Some.Code", "message": "it went wrong"})
    )

    async with make_client(fake, retry=NO_RETRIES) as client:
        with pytest.raises(error) as caught:
            await client.regions.list()

    assert caught.value.status == status
    assert caught.value.code == "Some.Code"
    assert caught.value.path == "/region/list"
    assert "it went wrong" in str(caught.value)


async def test_a_business_error_in_a_2xx_body_is_raised(
    fake: FakeLightNode, ln: LightNode
) -> None:
    # The API reports some failures inside a 2xx reply (REFERENCE §1.5):
    # /instance/list without a zone is one of them. The SDK's own methods
    # never send that, so the transport is called directly.
    with pytest.raises(BadRequestError) as caught:
        await ln._transport.request(
            "GET",
            "/instance/list",
            params={"regionCode": "ru-moscow-1"},
            idempotent=True,
        )

    assert 200 <= caught.value.status < 300
    assert caught.value.code == "InvalidZoneCode.NotNull"
    assert len(fake.contract_violations) == 1  # the request above, on purpose
    fake.contract_violations.clear()


@pytest.mark.parametrize("code", [0, 200, "0", "200"])
async def test_an_ok_code_in_a_2xx_body_is_success(
    fake: FakeLightNode, ln: LightNode, code: object
) -> None:
    body = {"code": code, "regions": [{"regionCode": "xx-1", "zones": []}]}
    fake.inject(Fault.status(202, body=body), path="/region/list")

    regions = await ln.regions.list()

    assert [region.code for region in regions] == ["xx-1"]


async def test_a_cdn_error_page_is_a_server_error_without_the_page(
    fake: FakeLightNode,
) -> None:
    fake.inject(Fault.html(502))

    async with make_client(fake, retry=NO_RETRIES) as client:
        with pytest.raises(ServerError) as caught:
            await client.regions.list()

    assert caught.value.status == 502
    assert "HTML page" in str(caught.value)
    assert "<html" not in str(caught.value)


@pytest.mark.parametrize("fault", [Fault.not_json(), Fault.truncated()])
async def test_a_2xx_body_that_is_not_json_is_an_unexpected_response(
    fake: FakeLightNode, fault: Fault
) -> None:
    fake.inject(fault, path="/region/list")

    async with make_client(fake, retry=NO_RETRIES) as client:
        with pytest.raises(UnexpectedResponseError, match="not a JSON object"):
            await client.regions.list()


async def test_a_refused_connection_is_a_transport_error_that_sent_nothing() -> None:
    async with FakeLightNode(token=TOKEN) as gone:
        url = gone.url  # the port is free again once the fake closed

    async with LightNode(TOKEN, base_url=url, retry=NO_RETRIES) as client:
        with pytest.raises(TransportError) as caught:
            await client.regions.list()

    assert caught.value.may_have_reached_server is False
    assert "nothing was sent" in str(caught.value)


async def test_a_timeout_is_a_transport_error_that_may_have_acted(
    fake: FakeLightNode,
) -> None:
    fake.inject(Fault.latency(2.0), path="/region/list")
    client = make_client(fake, retry=NO_RETRIES, timeouts=Timeouts(total=0.2))

    async with client:
        with pytest.raises(TransportError) as caught:
            await client.regions.list()

    assert caught.value.may_have_reached_server is True


async def test_a_dropped_connection_is_a_transport_error(fake: FakeLightNode) -> None:
    # aiohttp itself resends a GET once when the connection drops, so the
    # fault is made permanent here.
    fake.inject(Fault.drop_before(), path="/region/list", times=None)

    async with make_client(fake, retry=NO_RETRIES) as client:
        with pytest.raises(TransportError) as caught:
            await client.regions.list()

    assert caught.value.may_have_reached_server is True


async def test_reads_are_retried_and_each_retry_is_logged(
    fake: FakeLightNode, ln: LightNode, caplog: pytest.LogCaptureFixture
) -> None:
    fake.inject(Fault.status(503), path="/region/list", times=2)

    regions = await ln.regions.list()

    assert regions
    assert [r.status for r in fake.requests if r.path == "/region/list"] == [
        503,
        503,
        202,
    ]
    retries = [r for r in caplog.records if r.getMessage().startswith("retrying")]
    assert len(retries) == 2
    assert all(r.levelno == logging.INFO for r in retries)
    assert "status 503" in retries[0].getMessage()


async def test_retries_stop_after_max_tries(fake: FakeLightNode) -> None:
    fake.inject(Fault.html(520), path="/region/list", times=None)

    async with make_client(fake, retry=RetryPolicy(max_tries=3, base_delay=0.01)) as c:
        with pytest.raises(ServerError):
            await c.regions.list()

    assert len([r for r in fake.requests if r.path == "/region/list"]) == 3


async def test_retry_after_is_honoured(fake: FakeLightNode, ln: LightNode) -> None:
    fake.inject(Fault.status(429, retry_after="1"), path="/region/list")
    started = time.monotonic()

    await ln.regions.list()

    assert time.monotonic() - started >= 0.9


async def test_a_429_slows_the_whole_client(fake: FakeLightNode, ln: LightNode) -> None:
    before = ln._transport.pacer.rate
    fake.inject(Fault.status(429), path="/region/list")

    await ln.regions.list()  # 429, halved, then one success wins some back
    slowed = ln._transport.pacer.rate
    for _ in range(10):
        await ln.regions.list()

    assert before / 2 < slowed < before
    assert ln._transport.pacer.rate == before  # recovered, gradually


async def test_the_transport_never_resends_a_change_after_a_server_error(
    fake: FakeLightNode, ln: LightNode
) -> None:
    # The transport alone cannot know whether a change acted; it raises, and
    # the operation above settles it by asking the server.
    server = next(s for s in fake.instances.values() if s["ecsStatus"] == "STARTED")
    fake.inject(Fault.status(503), path="/instance/stop")

    with pytest.raises(ServerError):
        await ln._transport.request(
            "POST",
            "/instance/stop",
            body={"ecsResourceUUID": server["ecsResourceUUID"]},
            idempotent=False,
        )

    assert len([r for r in fake.requests if r.path == "/instance/stop"]) == 1


async def test_a_change_is_resent_after_a_429(
    fake: FakeLightNode, ln: LightNode
) -> None:
    server = next(s for s in fake.instances.values() if s["ecsStatus"] == "STARTED")
    fake.inject(Fault.status(429), path="/instance/stop")

    stopped = await ln.instances.stop(server["ecsResourceUUID"])

    assert stopped.status == "STOPPED"
    assert fake.submissions[("stop", server["ecsResourceUUID"])] == 1


async def test_a_password_echoed_by_the_api_is_masked(
    fake: FakeLightNode, ln: LightNode
) -> None:
    server = next(s for s in fake.instances.values() if s["ecsStatus"] == "STARTED")
    body = {"code": "Bad.Password", "message": f"{PASSWORD} is not allowed"}
    fake.inject(Fault.status(400, body=body), path="/instance/modifyInstancePassword")

    with pytest.raises(BadRequestError) as caught:
        await ln.instances.reset_password(server["ecsResourceUUID"], password=PASSWORD)

    assert PASSWORD not in str(caught.value)
    assert "*** is not allowed" in str(caught.value)


async def test_redirects_are_not_followed_so_the_token_stays_home() -> None:
    seen_elsewhere: list[str | None] = []

    async def elsewhere(request: web.Request) -> web.Response:
        seen_elsewhere.append(request.headers.get("x-open-token"))
        return web.json_response({"regions": []})

    async with _serve(elsewhere) as other_url:

        async def redirect(request: web.Request) -> web.Response:
            raise web.HTTPFound(other_url + request.path)

        async with _serve(redirect) as url, LightNode(TOKEN, base_url=url) as client:
            with pytest.raises(APIError, match="redirect") as caught:
                await client.regions.list()

    assert caught.value.status == 302
    assert seen_elsewhere == []


class _serve:
    """Serves one handler for every path on a loopback port."""

    def __init__(self, handler: object) -> None:
        self._app = web.Application()
        self._app.router.add_route("*", "/{tail:.*}", handler)  # type: ignore[arg-type]
        self._runner = web.AppRunner(self._app)

    async def __aenter__(self) -> str:
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        return f"http://127.0.0.1:{port}"

    async def __aexit__(self, *exc: object) -> None:
        await self._runner.cleanup()


async def test_concurrent_requests_respect_the_in_flight_limit(
    fake: FakeLightNode,
) -> None:
    from lightnode_aio import Limits

    fake.inject(Fault.latency(0.05), times=None)
    limits = Limits(max_in_flight=3, requests_per_second=1000)

    async with make_client(fake, limits=limits) as client:
        await asyncio.gather(*(client.regions.list() for _ in range(9)))

    starts = sorted(r.time for r in fake.requests)
    # With three in flight and 50 ms each, nine requests take three waves.
    assert starts[-1] - starts[0] >= 0.09


@pytest.mark.parametrize(
    ("header", "low", "high"),
    [
        ("7", 7.0, 7.0),
        ("0.5", 0.5, 0.5),
        ("-3", 0.0, 0.0),
        ("soon", None, None),
        ("", None, None),
    ],
)
def test_retry_after_in_seconds(
    header: str, low: float | None, high: float | None
) -> None:
    from lightnode_aio._http import _parse_retry_after

    seconds = _parse_retry_after(header)

    if low is None:
        assert seconds is None
    else:
        assert seconds is not None and low <= seconds <= (high or low)


def test_retry_after_as_an_http_date() -> None:
    import email.utils
    from time import time

    from lightnode_aio._http import _parse_retry_after

    header = email.utils.formatdate(time() + 30, usegmt=True)

    seconds = _parse_retry_after(header)

    assert seconds is not None and 28 <= seconds <= 31
