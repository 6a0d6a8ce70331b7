"""The client's configuration and lifecycle: token, base URL, session
ownership, closing, and the event loop it belongs to."""

from __future__ import annotations

import asyncio
import pickle

import aiohttp
import pytest

from lightnode_aio import (
    DEFAULT_BASE_URL,
    AuthenticationError,
    ClientClosedError,
    InvalidArgumentError,
    LightNode,
    Timeouts,
)
from lightnode_aio.testing import FakeLightNode
from tests.conftest import TOKEN, make_client


def test_token_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIGHTNODE_TOKEN", TOKEN)

    client = LightNode()

    assert client.base_url == DEFAULT_BASE_URL
    assert TOKEN not in repr(client)


def test_missing_token_names_the_argument_and_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LIGHTNODE_TOKEN", raising=False)

    with pytest.raises(InvalidArgumentError) as caught:
        LightNode()

    assert "token=" in str(caught.value)
    assert "LIGHTNODE_TOKEN" in str(caught.value)
    assert caught.value.argument == "token"


def test_malformed_token_is_refused_without_showing_it() -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        LightNode(TOKEN + "\n")

    assert TOKEN not in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        "http://openapi.lightnode.com",
        "http://10.0.0.5:8080",
        "ftp://127.0.0.1",
        "openapi.lightnode.com",
        "https://host/?q=1",
    ],
)
def test_unsafe_or_malformed_base_urls_are_refused(url: str) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        LightNode(TOKEN, base_url=url)

    assert caught.value.argument == "base_url"


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/", "http://localhost:1", "http://[::1]:9"]
)
def test_plain_http_is_allowed_to_loopback(url: str) -> None:
    client = LightNode(TOKEN, base_url=url)

    assert client.base_url == url.rstrip("/")


def test_base_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIGHTNODE_BASE_URL", "http://127.0.0.1:9999")

    assert LightNode(TOKEN).base_url == "http://127.0.0.1:9999"


def test_a_number_of_seconds_sets_the_total_timeout() -> None:
    client = LightNode(TOKEN, timeouts=7)

    assert client.timeouts == Timeouts(total=7.0)


def test_policies_refuse_nonsense() -> None:
    with pytest.raises(ValueError, match="total"):
        Timeouts(total=0)


async def test_async_with_opens_and_closes(fake: FakeLightNode) -> None:
    async with make_client(fake) as client:
        regions = await client.regions.list()

    assert regions
    assert client.closed
    assert "closed" in repr(client)


async def test_a_closed_client_refuses_clearly(fake: FakeLightNode) -> None:
    client = make_client(fake)
    await client.close()

    with pytest.raises(ClientClosedError, match="closed"):
        await client.regions.list()
    with pytest.raises(ClientClosedError):
        client.instances.start("ecs-ab0000xyz123")


async def test_close_is_idempotent(fake: FakeLightNode) -> None:
    client = make_client(fake)
    await client.regions.list()

    await client.close()
    await client.close()

    assert client.closed


async def test_a_session_passed_in_is_used_and_never_closed(
    fake: FakeLightNode,
) -> None:
    async with aiohttp.ClientSession() as session:
        async with make_client(fake, session=session) as client:
            await client.regions.list()

        assert not session.closed
        async with session.get(fake.url + "/region/list") as reply:
            assert reply.status == 401  # the session itself carries no token


async def test_every_resource_group_shares_one_session(ln: LightNode) -> None:
    await ln.regions.list()
    session = ln._transport._session

    await ln.images.list(region="ru-moscow-1")
    await ln.instances.list(region="tr-ist-1", zone="tr-ist-1-a")

    assert ln._transport._session is session


async def test_a_wrong_token_raises_authentication_error(fake: FakeLightNode) -> None:
    async with LightNode("not-the-token", base_url=fake.url) as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.regions.list()

    assert caught.value.status == 401
    assert "not authenticated" in str(caught.value)


def test_errors_pickle_with_their_attributes() -> None:
    error = AuthenticationError(
        "no", status=401, code="Unauthorized", method="GET", path="/region/list"
    )

    copy = pickle.loads(pickle.dumps(error))

    assert type(copy) is AuthenticationError
    assert (copy.status, copy.code, copy.path, str(copy)) == (
        401,
        "Unauthorized",
        "/region/list",
        "no",
    )


def test_a_client_is_bound_to_the_event_loop_it_was_used_on(
    fake_url_and_token: tuple[str, str],
) -> None:
    url, token = fake_url_and_token
    client = LightNode(token, base_url=url)
    first, second = asyncio.new_event_loop(), asyncio.new_event_loop()
    try:
        first.run_until_complete(client.regions.list())

        with pytest.raises(ClientClosedError, match="another event loop"):
            second.run_until_complete(client.regions.list())

        first.run_until_complete(client.close())
    finally:
        first.close()
        second.close()


@pytest.fixture
def fake_url_and_token() -> object:
    """A fake running in a thread of its own, for tests that run their own
    event loops."""
    import threading

    ready = threading.Event()
    stop: dict[str, object] = {}
    found: dict[str, str] = {}

    def serve() -> None:
        async def main() -> None:
            async with FakeLightNode(token=TOKEN) as fake:
                found["url"], found["token"] = fake.url, fake.token
                stop["event"] = done = asyncio.Event()
                stop["loop"] = asyncio.get_running_loop()
                ready.set()
                await done.wait()

        asyncio.run(main())

    thread = threading.Thread(target=serve)
    thread.start()
    ready.wait(10)
    yield found["url"], found["token"]
    loop = stop["loop"]
    assert isinstance(loop, asyncio.AbstractEventLoop)
    event = stop["event"]
    assert isinstance(event, asyncio.Event)
    loop.call_soon_threadsafe(event.set)
    thread.join(10)


async def test_a_callers_session_closed_under_the_client_is_reported(
    fake: FakeLightNode,
) -> None:
    session = aiohttp.ClientSession()
    client = make_client(fake, session=session)
    await session.close()

    with pytest.raises(ClientClosedError, match="session given to this LightNode"):
        await client.regions.list()
    await client.close()
