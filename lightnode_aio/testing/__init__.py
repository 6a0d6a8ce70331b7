"""A fake LightNode API server for tests, examples, benchmarks and demos.

`FakeLightNode` is a real aiohttp web server on loopback that imitates the
LightNode API: every endpoint, its quirks (202 replies with ``httpStatus``
and ``rowCount``, nested and flat task replies, ``pageSize`` 10 by default
and 50 at most, errors inside 2xx bodies, 401 on a bad token, sold-out
regions, reinstall refused on a running server), instances whose state
changes as their tasks run, tasks whose outcome a test plans, and injected
faults. It records every request, with passwords masked::

    from lightnode_aio.testing import FakeLightNode, Fault

    async with FakeLightNode() as fake:
        fake.plan_task("reinstall", outcome="FAIL")
        fake.inject(Fault.status(503, retry_after="1"), path="/instance/list")
        ...  # point a client at fake.url with fake.token

Run it on its own with ``python -m lightnode_aio.testing``. For your own
pytest suite, ready fixtures (a fake and a client aimed at it) come with
``pytest_plugins = ["lightnode_aio.testing.pytest_plugin"]``.

The fake uses only aiohttp, attrs and the standard library, never the rest of
the SDK, so it can judge the SDK without sharing its mistakes.
"""

from ._faults import Fault
from ._server import FakeLightNode, RecordedRequest
from ._state import Region, TaskRecord, Zone

__all__ = [
    "FakeLightNode",
    "Fault",
    "RecordedRequest",
    "Region",
    "TaskRecord",
    "Zone",
]
