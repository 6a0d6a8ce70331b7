"""Pytest fixtures for testing your own code against the fake LightNode API.

Enable them in the ``conftest.py`` at the root of your tests::

    pytest_plugins = ["lightnode_aio.testing.pytest_plugin"]

They are async fixtures, so they need pytest-asyncio in your test
environment (``pip install pytest-asyncio``); they work in its strict mode
and in its auto mode. Nothing is registered on installing the SDK: the
fixtures exist only in projects that ask for them as above.

Fixtures:

- ``lightnode_fake``: a started :class:`~lightnode_aio.testing.FakeLightNode`
  with its seeded account and tasks that take 0.05 s, closed after the test.
  Shape the world through it inside a test: ``add_instance``, ``plan_task``
  (a task that fails), ``inject`` (a 429, a dropped connection), and read
  what your code sent in ``requests``.
- ``lightnode_client``: a :class:`~lightnode_aio.LightNode` aimed at
  ``lightnode_fake``, closed after the test. It polls tasks and waits
  between retries for milliseconds, and its limits are raised, so tests stay
  fast; everything else is as in production.

Both are function-scoped: every test gets a fresh fake and client. They run
on the loop pytest-asyncio gives function-scoped async fixtures, which by
default is the test's own. To build them differently, define a fixture of the
same name in your ``conftest.py``; :func:`client_for` makes more clients
aimed at a fake, for code that opens its own (an app's lifespan, say).

A complete test::

    import pytest

    from lightnode_aio import LightNode
    from lightnode_aio.testing import FakeLightNode

    PASSWORD = "Corr3ct-Horse!"


    @pytest.mark.asyncio
    async def test_reinstall_sets_the_password(
        lightnode_client: LightNode, lightnode_fake: FakeLightNode
    ) -> None:
        region = (await lightnode_client.regions.list())[0]
        zone = region.zones[0].code
        servers = await lightnode_client.instances.list(
            region=region.code, zone=zone
        )
        images = await lightnode_client.images.list(region=region.code)

        server = await lightnode_client.instances.reinstall(
            servers[0].id, image=images[0].id, password=PASSWORD
        )

        assert server.image_id == images[0].id
        assert lightnode_fake.check_password(server.id, PASSWORD)

(With ``asyncio_mode = auto`` the ``pytest.mark.asyncio`` line may go.)

This module imports pytest and pytest-asyncio, so only pytest imports it;
the SDK never does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Final

import pytest_asyncio

from lightnode_aio import LightNode, Limits, PollPolicy, RetryPolicy
from lightnode_aio.testing import FakeLightNode

__all__ = [
    "LIMITS",
    "POLLING",
    "RETRY",
    "TASK_DURATION",
    "client_for",
    "lightnode_client",
    "lightnode_fake",
]

#: Seconds every task of ``lightnode_fake`` runs unless a test plans otherwise.
TASK_DURATION: Final = 0.05

#: Polling for tasks that last tens of milliseconds instead of minutes.
POLLING: Final = PollPolicy(first_interval=0.02, factor=1.5, max_interval=0.1)

#: Retries spaced by milliseconds, so an injected fault costs a test little.
#: A ``Retry-After`` the fake is told to send is still obeyed, up to 60 s.
RETRY: Final = RetryPolicy(max_tries=4, base_delay=0.01, max_delay=0.05)

#: Limits far above the real API's, which a fake on loopback does not need.
LIMITS: Final = Limits(max_in_flight=64, requests_per_second=5000)


def client_for(fake: FakeLightNode) -> LightNode:
    """Returns a new client aimed at ``fake``, with the test-speed policies.

    The caller closes it (``async with client_for(fake) as client:``).
    ``fake`` must be started.
    """
    return LightNode(
        fake.token, base_url=fake.url, polling=POLLING, retry=RETRY, limits=LIMITS
    )


@pytest_asyncio.fixture
async def lightnode_fake() -> AsyncIterator[FakeLightNode]:
    """A started fake LightNode API with quick tasks, closed after the test."""
    async with FakeLightNode(task_duration=TASK_DURATION) as fake:
        yield fake


@pytest_asyncio.fixture
async def lightnode_client(
    lightnode_fake: FakeLightNode,
) -> AsyncIterator[LightNode]:
    """A client aimed at ``lightnode_fake``, closed after the test."""
    async with client_for(lightnode_fake) as client:
        yield client
