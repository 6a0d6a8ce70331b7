"""Output: plain aligned tables for people, JSON for scripts.

Tables are columns separated by two spaces, headers in capitals, an empty
value shown as ``-``. JSON is the models as ``attrs.asdict`` gives them,
with times as ISO 8601 strings and enum members as the API's values. The
``raw`` record each model keeps is left out: it repeats every field under
the API's camelCase names, and the typed fields are the stable interface.
"""

from __future__ import annotations

import datetime
import enum
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Generic, TypeVar

import attrs

from lightnode_aio.models import (
    Image,
    Instance,
    Package,
    Region,
    SecurityGroup,
    SSHKey,
)

__all__ = [
    "IMAGE_COLUMNS",
    "INSTANCE_COLUMNS",
    "PACKAGE_COLUMNS",
    "REGION_COLUMNS",
    "SECURITY_GROUP_COLUMNS",
    "SSH_KEY_COLUMNS",
    "Column",
    "cell",
    "details",
    "dump_json",
    "model_details",
    "table",
    "to_json",
]

T = TypeVar("T")

_EMPTY = "-"


@attrs.frozen
class Column(Generic[T]):
    """One column of a table: its header and how a row's cell is read."""

    header: str
    read: Callable[[T], object]


def table(columns: Sequence[Column[T]], rows: Iterable[T]) -> str:
    """Renders rows as an aligned text table with a header line.

    Returns:
        The table, without a final newline; only the header when there are
        no rows.
    """
    lines = [[column.header for column in columns]]
    lines += [[cell(column.read(row)) for column in columns] for row in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(columns))]
    return "\n".join(
        "  ".join(
            text.ljust(width) for text, width in zip(line, widths, strict=True)
        ).rstrip()
        for line in lines
    )


def details(pairs: Iterable[tuple[str, object]]) -> str:
    """Renders one record as ``label  value`` lines, labels aligned."""
    items = [(label, cell(value)) for label, value in pairs]
    width = max((len(label) for label, _ in items), default=0)
    return "\n".join(
        f"{label.ljust(width)}  {value}".rstrip() for label, value in items
    )


def model_details(model: Any) -> str:
    """Renders every field of a model but ``raw``, one per line."""
    return details(
        (field.name.replace("_", " "), getattr(model, field.name))
        for field in attrs.fields(type(model))
        if field.name != "raw"
    )


def cell(value: object) -> str:
    """The text of one value in a table."""
    if value is None or value == "" or value == ():
        return _EMPTY
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, list | tuple):
        return ", ".join(cell(item) for item in value)
    return str(value)


def to_json(value: Any) -> Any:
    """Turns models (and lists and dicts of them) into JSON-ready data."""
    if attrs.has(type(value)):
        return attrs.asdict(
            value,
            filter=lambda field, _: field.name != "raw",
            value_serializer=_serialize,
        )
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_json(item) for key, item in value.items()}
    return _serialize(None, None, value)


def dump_json(value: Any) -> str:
    """The JSON text of a value, indented for people who read it too."""
    return json.dumps(to_json(value), indent=2, ensure_ascii=False)


def _serialize(_instance: Any, _field: Any, value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _gb(value: float | int | None) -> str | None:
    return None if value is None else f"{cell(value)} GB"


REGION_COLUMNS: Sequence[Column[Region]] = (
    Column("CODE", lambda r: r.code),
    Column("NAME", lambda r: r.name),
    Column("ZONES", lambda r: [zone.code for zone in r.zones]),
)

PACKAGE_COLUMNS: Sequence[Column[Package]] = (
    Column("CODE", lambda p: p.code),
    Column("REGION", lambda p: p.region),
    Column("ZONE", lambda p: p.zone),
    Column("CPU", lambda p: p.cpu),
    Column("MEMORY", lambda p: _gb(p.memory)),
    Column("DISK", lambda p: _gb(p.system_disk_size)),
    Column("MBPS", lambda p: p.bandwidth),
    Column("TRAFFIC", lambda p: _gb(p.free_flow)),
    Column("CHARGED", lambda p: p.charge_mode),
)

IMAGE_COLUMNS: Sequence[Column[Image]] = (
    Column("ID", lambda i: i.id),
    Column("NAME", lambda i: i.name),
    Column("TYPE", lambda i: i.type),
    Column("OS", lambda i: i.os_distro),
    Column("REGION", lambda i: i.region),
)

SSH_KEY_COLUMNS: Sequence[Column[SSHKey]] = (
    Column("ID", lambda k: k.id),
    Column("NAME", lambda k: k.name),
    Column("FINGERPRINT", lambda k: k.fingerprint),
    Column("CREATED", lambda k: k.created_at),
)

SECURITY_GROUP_COLUMNS: Sequence[Column[SecurityGroup]] = (
    Column("ID", lambda g: g.id),
    Column("NAME", lambda g: g.name),
    Column("STATUS", lambda g: g.status),
    Column("REGION", lambda g: g.region),
    Column("CREATED", lambda g: g.created_at),
)

INSTANCE_COLUMNS: Sequence[Column[Instance]] = (
    Column("ID", lambda s: s.id),
    Column("NAME", lambda s: s.name),
    Column("REGION", lambda s: s.region),
    Column("ZONE", lambda s: s.zone),
    Column("STATUS", lambda s: s.status),
    Column("PENDING", lambda s: s.pending_status),
    Column("PUBLIC IP", lambda s: s.public_ip),
    Column("CPU", lambda s: s.cpu),
    Column("MEMORY", lambda s: _gb(s.memory)),
    Column("CREATED", lambda s: s.created_at),
)
