"""Tables, JSON and progress: pure formatting, no server."""

from __future__ import annotations

import datetime
import io
import json

from lightnode_aio.cli._progress import Progress
from lightnode_aio.cli._render import Column, cell, details, dump_json, table
from lightnode_aio.fleet import EventKind, FleetEvent
from lightnode_aio.models import Instance, InstanceStatus, PendingStatus

WHEN = datetime.datetime(2025, 3, 4, 5, 6, 7)


def test_table_aligns_columns_and_strips_trailing_space() -> None:
    columns = [Column("ID", lambda r: r[0]), Column("NOTE", lambda r: r[1])]

    text = table(columns, [("a", None), ("longer-id", "x")])

    assert text.splitlines() == [
        "ID         NOTE",
        "a          -",
        "longer-id  x",
    ]


def test_an_empty_table_is_its_header() -> None:
    assert table([Column("ID", lambda r: r)], []) == "ID"


def test_cells_read_as_people_write_them() -> None:
    assert cell(None) == cell("") == cell(()) == "-"
    assert cell(InstanceStatus.STARTED) == "STARTED"
    assert cell(2.0) == "2"
    assert cell(2.5) == "2.5"
    assert cell(True) == "yes"
    assert cell(WHEN) == "2025-03-04 05:06:07"
    assert cell(("1.1.1.1", "2.2.2.2")) == "1.1.1.1, 2.2.2.2"


def test_details_align_labels() -> None:
    assert details([("id", "ecs-1"), ("public ip", None)]) == (
        "id         ecs-1\npublic ip  -"
    )


def test_json_gives_iso_times_enum_values_and_no_raw() -> None:
    server = Instance(
        id="ecs-1",
        status=InstanceStatus.STOPPED,
        pending_status=PendingStatus.NONE,
        created_at=WHEN,
        secondary_public_ips=("2.2.2.2",),
    )

    data = json.loads(dump_json([server]))

    assert data[0]["created_at"] == "2025-03-04T05:06:07"
    assert data[0]["status"] == "STOPPED"
    assert data[0]["pending_status"] == "NONE"
    assert data[0]["secondary_public_ips"] == ["2.2.2.2"]
    assert "raw" not in data[0]


def events(*kinds: EventKind) -> list[FleetEvent]:
    finished = 0
    made = []
    for n, kind in enumerate(kinds):
        finished += kind != EventKind.SUBMITTED
        made.append(FleetEvent(kind=kind, key=f"ecs-{n}", finished=finished, total=4))
    return made


def test_progress_on_a_terminal_redraws_one_line() -> None:
    stream = io.StringIO()
    progress = Progress(stream, "stop", 4, redraw=True)

    progress.start()
    for event in events(EventKind.SUBMITTED, EventKind.SUCCEEDED, EventKind.FAILED):
        progress(event)
    progress.finish()

    frames = stream.getvalue().split("\r")
    assert frames[-1] == f"stop [{'#' * 12}{'-' * 12}] 2/4  ok 1  failed 1\n"
    assert "\n" not in "".join(frames[:-1])


def test_progress_elsewhere_is_a_line_per_event() -> None:
    stream = io.StringIO()
    progress = Progress(stream, "stop", 4, redraw=False)

    progress.start()
    for event in events(EventKind.SUBMITTED, EventKind.UNKNOWN):
        progress(event)
    progress.finish()

    assert stream.getvalue().splitlines() == [
        "stop: [0/4] ecs-0 submitted",
        "stop: [1/4] ecs-1 unknown",
    ]
