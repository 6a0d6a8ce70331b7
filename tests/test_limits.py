"""Client-wide limits: the rate is never exceeded, polls and calls share it
fairly, and a fleet gets through an API that answers 429 to every third
request."""

from __future__ import annotations

import asyncio

from lightnode_aio import LightNode, Limits, PollPolicy, RetryPolicy
from lightnode_aio.testing import FakeLightNode, Fault
from tests.conftest import PASSWORD, make_client
from tests.support import add_fleet, image_in

EAGER = PollPolicy(first_interval=0.01, factor=1.0, max_interval=0.01)


async def test_the_configured_rate_is_never_exceeded(fake: FakeLightNode) -> None:
    limits = Limits(max_in_flight=16, requests_per_second=40)

    async with make_client(fake, limits=limits) as client:
        await client.regions.list()  # the fake's first answer is slow: warm it
        fake.reset_log()
        await asyncio.gather(*(client.regions.list() for _ in range(60)))

    assert fake.max_request_rate(window=1.0) <= 40


async def test_polling_cannot_starve_a_call(fake: FakeLightNode) -> None:
    busy = add_fleet(fake, 40, prefix="l")
    fake.task_duration = 30
    limits = Limits(max_in_flight=8, requests_per_second=100)

    async with make_client(fake, limits=limits, polling=EAGER) as client:
        waiting = [client.instances.start(i).start() for i in busy]
        await asyncio.gather(*(op.submitted() for op in waiting))
        await asyncio.sleep(0.3)  # the poller now wants far more than 100/s
        started = asyncio.get_running_loop().time()
        await client.regions.list()
        took = asyncio.get_running_loop().time() - started
        # Closing the client ends the forty operations still waiting.

    # Fair turns: the call waits for about one poll, not for all forty.
    assert took < 0.25


async def test_a_burst_of_calls_cannot_starve_polling(fake: FakeLightNode) -> None:
    [watched] = add_fleet(fake, 1, prefix="l")
    fake.task_duration = 30
    limits = Limits(max_in_flight=4, requests_per_second=50)

    async with make_client(fake, limits=limits, polling=EAGER) as client:
        op = client.instances.start(watched).start()
        task_id = await op.submitted()
        fake.reset_log()
        await asyncio.gather(*(client.regions.list() for _ in range(100)))

    polls = [
        r.time
        for r in fake.requests
        if r.path == "/asynctask/getResult" and r.query["asyncTaskUUID"] == task_id
    ]
    calls = [r.time for r in fake.requests if r.path == "/region/list"]
    assert len(calls) == 100
    during = [t for t in polls if calls[0] <= t <= calls[-1]]
    assert len(during) >= 10  # the burst took two seconds; polls went on


async def test_a_fleet_gets_through_429_on_every_third_request(
    fake: FakeLightNode,
) -> None:
    fleet = add_fleet(fake, 200, prefix="l")
    image = image_in(fake)
    fake.task_duration = 0.2
    fake.inject(Fault.status(429), times=None, every=3)
    limits = Limits(max_in_flight=32, requests_per_second=2000)
    # One request in three fails, so a request can meet several in a row.
    retry = RetryPolicy(max_tries=10, base_delay=0.01, max_delay=0.05)

    async with make_client(fake, limits=limits, retry=retry) as client:
        servers = await asyncio.gather(
            *(
                client.instances.reinstall(i, image=image, password=PASSWORD)
                for i in fleet
            )
        )

    assert [server.id for server in servers] == fleet
    reinstalled = sorted(i for kind, i in fake.effects if kind == "reinstall")
    assert reinstalled == sorted(fleet)  # every server, exactly once
    assert sum(1 for r in fake.requests if r.status == 429) >= 200


async def test_default_limits_are_polite(ln: LightNode) -> None:
    client = LightNode("token-for-defaults")

    assert client.limits == Limits()
    assert (client.limits.max_in_flight, client.limits.requests_per_second) == (10, 10)
    assert ln.limits.requests_per_second > client.limits.requests_per_second
