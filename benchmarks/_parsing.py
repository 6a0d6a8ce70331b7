"""Parsing: the SDK's converter against a constructor written by hand.

The records are what the fake's ``/instance/list`` would send, made by a
``FakeLightNode`` that is never started (no server, no I/O) and passed
through ``json`` once so that each is a fresh plain dict, as from the wire.
Their power and pending states vary.

The SDK side is ``structure_list(records, Instance, where="$")`` from
``lightnode_aio._converter``, the call every listing makes. The baseline
builds the same ``Instance`` objects with a hand-written function: direct
keyword arguments from the dict, with the converter's conversions (an empty
string is None, known statuses become enum members, numbers become int or
float, times are parsed, ``raw`` keeps the record) but no error reporting.
Both must produce equal lists; the run checks that once.

Rounds alternate (converter, hand, converter, hand, ...) after a warm-up;
the figure is the median of (converter time / hand time) over the rounds.
"""

from __future__ import annotations

import datetime
import gc
import json
import time
from collections.abc import Callable
from typing import Any

import attrs
from _report import Section, at_most, median, paired_ratios

from lightnode_aio import Instance, InstanceStatus, PendingStatus
from lightnode_aio._converter import structure_list
from lightnode_aio.testing import FakeLightNode

TARGET = 1.5

_STATUSES: dict[str, Any] = dict(InstanceStatus._value2member_map_)
_PENDING: dict[str, Any] = dict(PendingStatus._value2member_map_)


@attrs.frozen(kw_only=True)
class Sizes:
    """Records per round, and rounds of each way."""

    records: int
    rounds: int


async def run(sizes: Sizes) -> Section:
    """Measures structuring ``sizes.records`` instance records both ways.

    It needs no server and awaits nothing; it is a coroutine only to run in
    line with the other sections.
    """
    records = make_records(sizes.records)
    converted = structure_list(records, Instance, where="$")
    same = converted == by_hand(records)

    sdk_times, hand_times = [], []
    _time(lambda: structure_list(records, Instance, where="$"))
    _time(lambda: by_hand(records))
    for _ in range(sizes.rounds):
        sdk_times.append(_time(lambda: structure_list(records, Instance, where="$")))
        hand_times.append(_time(lambda: by_hand(records)))

    ratio = median(paired_ratios(sdk_times, hand_times))
    per_sdk = median(sdk_times) / len(records) * 1e6
    per_hand = median(hand_times) / len(records) * 1e6
    detail = (
        f"{len(records):,} records: converter {per_sdk:.1f} us, hand "
        f"{per_hand:.1f} us per record"
        + ("" if same else "; WARNING: the two lists differ")
    )
    figure = at_most(
        f"{len(records):,} Instance records: time", ratio, TARGET, "x", detail
    )
    data = {
        "records": len(records),
        "ratio": ratio,
        "same_objects": same,
        "converter_us_per_record": per_sdk,
        "hand_us_per_record": per_hand,
        "converter_seconds": sdk_times,
        "hand_seconds": hand_times,
    }
    return Section(title="2. parsing, converter / hand", figures=[figure], data=data)


def make_records(count: int) -> list[dict[str, Any]]:
    """``count`` instance records as the fake's API shows them."""
    fake = FakeLightNode(seed=7, seed_data=True)
    pending = ("NONE", "NONE", "NONE", "REINSTALLING", "STOPPING")
    for n in range(count):
        fake.add_instance(
            region="us-lax-1",
            zone="us-lax-1-a",
            name=f"parse-{n:05d}",
            status="STARTED" if n % 3 else "STOPPED",
            ecsPendingStatus=pending[n % len(pending)],
            usedFlow=n % 900,
        )
    rows = [r for r in fake.instances.values() if r["zoneCode"] == "us-lax-1-a"]
    loaded: list[dict[str, Any]] = json.loads(json.dumps(rows[-count:]))
    return loaded


def by_hand(records: list[dict[str, Any]]) -> list[Instance]:
    """The baseline: each ``Instance`` built directly from its dict."""
    return [_instance(record) for record in records]


def _instance(d: dict[str, Any]) -> Instance:
    status = d.get("ecsStatus") or None
    pending = d.get("ecsPendingStatus") or None
    server = Instance(
        id=d.get("ecsResourceUUID") or "",
        name=_text(d.get("instanceName")),
        status=_STATUSES.get(status, status) if status else None,
        pending_status=_PENDING.get(pending, pending) if pending else None,
        public_ip=_text(d.get("publicIpAddress")),
        secondary_public_ips=tuple(d.get("secondaryPublicIpInfoList") or ()),
        private_ip=_text(d.get("internalIpAddress")),
        region=_text(d.get("regionCode")),
        region_name=_text(d.get("regionName")),
        zone=_text(d.get("zoneCode")),
        zone_name=_text(d.get("zoneName")),
        cpu=_number(d.get("cpu"), int),
        memory=_number(d.get("memory"), float),
        bandwidth=_number(d.get("bandwidth"), float),
        system_disk_size=_number(d.get("systemDiskSize"), int),
        data_disk_size=_number(d.get("dataDiskSize"), int),
        image_id=_text(d.get("imageResourceUUID")),
        os_name=_text(d.get("osName")),
        os_version=_text(d.get("osVersionDetail")),
        free_flow=_number(d.get("freeFlow"), float),
        used_flow=_number(d.get("usedFlow"), float),
        created_at=_when(d.get("createTime")),
        expires_at=_when(d.get("expireTime")),
        login_user=_text(d.get("sysAccount")),
        package=_text(d.get("packageCode")),
    )
    object.__setattr__(server, "raw", d)
    return server


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _number(value: Any, kind: Callable[[Any], Any]) -> Any:
    return None if value is None or value == "" else kind(value)


def _when(value: Any) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(value) if value else None


def _time(work: Callable[[], object]) -> float:
    gc.collect()
    started = time.perf_counter()
    work()
    return time.perf_counter() - started
