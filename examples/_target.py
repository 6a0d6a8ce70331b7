"""Where the examples point: the real API, or a fake one when there is no token.

With ``LIGHTNODE_TOKEN`` set, an example talks to the real LightNode API (or
to ``LIGHTNODE_BASE_URL``). Without it, it starts the SDK's fake server in
process, so every example runs on a fresh machine with no account.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from lightnode_aio import LightNode
from lightnode_aio.testing import FakeLightNode


@asynccontextmanager
async def open_client() -> AsyncIterator[LightNode]:
    """Opens a client on the real API when a token is set, else on a fake."""
    if os.environ.get("LIGHTNODE_TOKEN"):
        async with LightNode() as client:
            yield client
        return
    print("LIGHTNODE_TOKEN is not set: using the built-in fake LightNode API.\n")
    async with (
        FakeLightNode(task_duration=1.5) as fake,
        LightNode(fake.token, base_url=fake.url) as client,
    ):
        yield client
