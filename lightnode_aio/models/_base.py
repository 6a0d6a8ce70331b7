"""What every model shares: the API name of each field, and the raw record.

Models are plain frozen attrs classes with Python names. Each field records
the name the API uses for it in its metadata (``api_field("ecsResourceUUID")``);
the converter reads that to build one structuring function per model, once.

Every model also keeps the record exactly as the API sent it in ``raw``, so a
field the SDK does not know yet is never lost: ``instance.raw["newField"]``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import attrs

__all__ = ["API_NAME", "EMPTY_RAW", "api_field", "raw_field"]

#: The metadata key under which a field keeps the API's name for it.
API_NAME = "lightnode_api_name"


class _EmptyRaw(Mapping[str, Any]):
    """The ``raw`` of a model made by hand: empty, read-only, shared, and
    picklable (a ``MappingProxyType`` is not), so models pickle whole."""

    __slots__ = ()

    def __getitem__(self, key: str) -> Any:
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return "{}"

    def __reduce__(self) -> str:
        return "EMPTY_RAW"  # pickled by reference to the module's one


EMPTY_RAW: Mapping[str, Any] = _EmptyRaw()


def api_field(name: str, *, default: Any = None) -> Any:
    """Declares a model field that the API calls ``name``.

    The default is None unless given: the API's replies are only partly
    documented (REFERENCE §9), so almost any field may be missing.
    """
    return attrs.field(default=default, metadata={API_NAME: name})


def raw_field() -> Any:
    """Declares the ``raw`` field: the record as received, set by the
    converter after construction. It takes no part in equality or repr, so
    two reads of an unchanged server compare equal and a repr stays short."""
    return attrs.field(init=False, default=EMPTY_RAW, repr=False, eq=False)
