"""Security: TLS verification stays on, plain HTTP never leaves the machine,
and the token and passwords stay out of every repr.

The suite-wide guard in conftest.py already checks every log record, error,
operation and model of every test for the token and the test passwords; the
tests here cover what that guard cannot see.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator

import aiohttp
import pytest
import trustme
from aiohttp import web

from lightnode_aio import (
    ClientClosedError,
    InvalidArgumentError,
    LightNode,
    RetryPolicy,
    TransportError,
)
from lightnode_aio.testing import FakeLightNode
from tests.conftest import PASSWORD, TOKEN, make_client


@pytest.fixture
async def tls_server() -> AsyncIterator[tuple[str, trustme.CA, list[str]]]:
    """An HTTPS server on loopback with a certificate from a private CA that
    the system does not trust. Yields its URL, the CA and the paths it saw."""
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    seen: list[str] = []

    async def regions(request: web.Request) -> web.Response:
        seen.append(request.path)
        return web.json_response({"regions": [], "httpStatus": 202}, status=202)

    app = web.Application()
    app.router.add_get("/region/list", regions)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    port = runner.addresses[0][1]
    yield f"https://127.0.0.1:{port}", ca, seen
    await runner.cleanup()


async def test_tls_certificates_are_verified(
    tls_server: tuple[str, trustme.CA, list[str]],
) -> None:
    url, _, seen = tls_server

    async with LightNode(TOKEN, base_url=url, retry=RetryPolicy(max_tries=3)) as ln:
        with pytest.raises(TransportError) as caught:
            await ln.regions.list()

    assert caught.value.certificate_error is True
    assert seen == []  # not even one request got through, and none was retried


async def test_a_callers_session_decides_tls_for_itself(
    tls_server: tuple[str, trustme.CA, list[str]],
) -> None:
    url, ca, seen = tls_server
    trusting = ssl.create_default_context()
    ca.configure_trust(trusting)
    connector = aiohttp.TCPConnector(ssl=trusting)

    async with (
        aiohttp.ClientSession(connector=connector) as session,
        LightNode(TOKEN, base_url=url, session=session) as ln,
    ):
        assert await ln.regions.list() == []

    assert seen == ["/region/list"]


def test_plain_http_to_another_host_is_refused_before_connecting() -> None:
    with pytest.raises(InvalidArgumentError, match="unencrypted"):
        LightNode(TOKEN, base_url="http://192.0.2.10")


async def test_no_repr_shows_the_token_or_a_password(fake: FakeLightNode) -> None:
    async with make_client(fake) as ln:
        op = ln.instances.reset_password(next(iter(fake.instances)), password=PASSWORD)
        shown = [
            repr(ln),
            str(ln),
            repr(ln._transport),
            repr(ln._poller),
            repr(ln.instances),
            repr(op),
            repr(vars(ln)),
        ]
        await op

    for text in shown:
        assert TOKEN not in text
        assert PASSWORD not in text


async def test_the_recorded_requests_never_hold_a_password(
    fake: FakeLightNode, ln: LightNode
) -> None:
    instance_id = next(iter(fake.instances))

    await ln.instances.reset_password(instance_id, password=PASSWORD)

    assert all(PASSWORD not in repr(request) for request in fake.requests)
    assert fake.check_password(instance_id, PASSWORD)


async def test_closing_ends_a_pending_wait_clearly_and_leaves_nothing_open(
    fake: FakeLightNode,
) -> None:
    fake.task_duration = 30
    instance_id = next(
        i for i, r in fake.instances.items() if r["ecsStatus"] == "STOPPED"
    )
    client = make_client(fake)
    task_id = await client.instances.start(instance_id).start().submitted()
    session = client._transport._session
    assert session is not None

    waiter = asyncio.ensure_future(client.tasks.wait(task_id))
    await asyncio.sleep(0.05)
    await client.close()

    with pytest.raises(ClientClosedError, match=f"tasks.wait\\('{task_id}'\\)"):
        await waiter
    assert session.closed
    assert client._poller.watching == 0
