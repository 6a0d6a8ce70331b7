"""The fault matrix: every fault the fake can inject, against a read, a
power operation, a reinstall and a create. Each must end the way a user
should see it (here: success, after retries or after asking the server), and
the fake's own record must show each change applied exactly once.

The last test prints the summary table that the README carries.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import attrs
import pytest

from lightnode_aio import LightNode, RetryPolicy, Timeouts
from lightnode_aio.testing import FakeLightNode, Fault
from tests.conftest import PASSWORD, make_client

ZONE = {"region": "tr-ist-1", "zone": "tr-ist-1-a"}

#: The client times out after 0.3 s; the latency fault answers after 0.6 s,
#: having applied the request, so its reply is lost in the meantime.
TIMEOUT = 0.3
FAULTS = {
    "503": Fault.status(503),
    "429 + Retry-After": Fault.status(429, retry_after="0"),
    "HTML 502": Fault.html(502),
    "HTML 520": Fault.html(520),
    "truncated JSON": Fault.truncated(),
    "not JSON": Fault.not_json(),
    "latency past timeout": Fault.latency(0.6),
    "drop before": Fault.drop_before(),
    "drop after": Fault.drop_after(),
}


@attrs.frozen
class Row:
    """One scenario's result, for the summary."""

    fault: str
    target: str
    passed: bool
    applied: int
    expected: int


RESULTS: list[Row] = []

#: Injects the scenario's fault into the next request to a path.
Inject = Callable[[str], None]


async def _read(fake: FakeLightNode, ln: LightNode, inject: Inject) -> tuple[str, int]:
    record = fake.add_instance(**ZONE, name="read-me")
    inject("/instance/detail")
    server = await ln.instances.get(record["ecsResourceUUID"])
    assert server.name == "read-me"
    return "read", 0


async def _stop(fake: FakeLightNode, ln: LightNode, inject: Inject) -> tuple[str, int]:
    record = fake.add_instance(**ZONE, name="stop-me", status="STARTED")
    inject("/instance/stop")
    server = await ln.instances.stop(record["ecsResourceUUID"])
    assert server.status == "STOPPED"
    return "stop", 1


async def _reinstall(
    fake: FakeLightNode, ln: LightNode, inject: Inject
) -> tuple[str, int]:
    record = fake.add_instance(**ZONE, name="wipe-me", status="STOPPED")
    image = next(
        i["imageResourceUUID"]
        for i in fake.images
        if i["regionCode"] == ZONE["region"]
        and i["imageResourceUUID"] != record["imageResourceUUID"]
    )
    inject("/instance/reinstallSystem")
    server = await ln.instances.reinstall(
        record["ecsResourceUUID"], image=image, password=PASSWORD
    )
    assert server.image_id == image
    return "reinstall", 1


async def _create(
    fake: FakeLightNode, ln: LightNode, inject: Inject
) -> tuple[str, int]:
    package = next(
        p["packageCode"] for p in fake.packages if p["zoneCode"] == ZONE["zone"]
    )
    image = next(
        i["imageResourceUUID"] for i in fake.images if i["regionCode"] == ZONE["region"]
    )
    inject("/instance/create")
    server = await ln.instances.create(
        name="made-once", **ZONE, package=package, image=image, password=PASSWORD
    )
    assert server.name == "made-once"
    named = [r for r in fake.instances.values() if r["instanceName"] == "made-once"]
    assert len(named) == 1, "a second server was created"
    return "create", 1


Target = Callable[[FakeLightNode, LightNode, Inject], Awaitable[tuple[str, int]]]
TARGETS: dict[str, Target] = {
    "read": _read,
    "stop": _stop,
    "reinstall": _reinstall,
    "create": _create,
}


@pytest.mark.parametrize("target", list(TARGETS))
@pytest.mark.parametrize("fault", list(FAULTS))
async def test_one_fault_against_one_call(
    fake: FakeLightNode, fault: str, target: str
) -> None:
    def inject(path: str) -> None:
        fake.inject(FAULTS[fault], path=path)

    retry = RetryPolicy(max_tries=4, base_delay=0.01, max_delay=0.05, settle_delay=0.5)
    client = make_client(fake, retry=retry, timeouts=Timeouts(total=TIMEOUT))
    row = Row(fault, target, passed=False, applied=-1, expected=-1)

    try:
        async with client:
            kind, expected = await TARGETS[target](fake, client, inject)
        applied = sum(1 for k, _ in fake.effects if k == kind)
        row = Row(
            fault,
            target,
            passed=applied == expected,
            applied=applied,
            expected=expected,
        )
    finally:
        RESULTS.append(row)

    assert row.applied == row.expected
    assert fake.contract_violations == []


def test_summary(capsys: pytest.CaptureFixture[str]) -> None:
    if len(RESULTS) != len(FAULTS) * len(TARGETS):
        pytest.skip("the summary needs the whole matrix in one run")
    twice = sum(1 for r in RESULTS if r.expected and r.applied > r.expected)
    lost = sum(1 for r in RESULTS if r.applied < r.expected)
    passed = sum(1 for r in RESULTS if r.passed)

    lines = _table(RESULTS)
    lines.append(
        f"scenarios: {len(RESULTS)}, passed: {passed}, "
        f"servers created twice: {twice}, outcomes lost: {lost}"
    )
    with capsys.disabled():
        print("\n" + "\n".join(lines))

    assert passed == len(RESULTS)
    assert twice == lost == 0


def _table(rows: list[Row]) -> list[str]:
    targets = list(TARGETS)
    width = max(len(f) for f in FAULTS)
    out = ["fault".ljust(width) + " | " + " | ".join(t.ljust(9) for t in targets)]
    out.append("-" * width + "-|-" + "-|-".join("-" * 9 for _ in targets))
    by_key: dict[tuple[str, str], Any] = {(r.fault, r.target): r for r in rows}
    for fault in FAULTS:
        cells = []
        for target in targets:
            row = by_key[(fault, target)]
            cells.append(("ok" if row.passed else "FAILED").ljust(9))
        out.append(fault.ljust(width) + " | " + " | ".join(cells))
    return out
