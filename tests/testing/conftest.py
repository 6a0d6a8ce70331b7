"""Fixtures for the fake server's own tests: a started fake and a raw client.

These tests talk plain HTTP to the fake with `aiohttp.ClientSession`, never
through the SDK, so the fake is checked on its own terms.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from lightnode_aio.testing import FakeLightNode

from .fake_support import TOKEN, Api


@pytest.fixture
async def fake() -> AsyncIterator[FakeLightNode]:
    async with FakeLightNode(token=TOKEN, task_duration=0.05) as server:
        yield server


@pytest.fixture
async def session(fake: FakeLightNode) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(
        base_url=fake.url, headers={"x-open-token": fake.token}
    ) as client:
        yield client


@pytest.fixture
def api(session: aiohttp.ClientSession, fake: FakeLightNode) -> Api:
    return Api(session, fake)
