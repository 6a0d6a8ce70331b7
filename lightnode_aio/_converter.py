"""The one cattrs converter: API records (camelCase dicts) into models.

For each model a structuring function is generated once, from the API names
the model's fields declare (``models._base.api_field``), and registered for
that class. The rules it applies are those of an API that is only partly
documented (REFERENCE §9), so they lean towards keeping data:

- a key the model does not know is ignored, and stays in ``model.raw``;
- a missing key or a ``null`` gives the field's default;
- an empty string means "not set" for an optional text or time;
- a status-like value the SDK does not know stays the string the API sent;
- times are ``YYYY-MM-DD HH:MM:SS`` without a zone (REFERENCE §4), also read
  in ISO 8601 or as a Unix timestamp; they are returned exactly as sent,
  without inventing a zone.

A value that fits none of this raises :class:`ShapeError`, whose message
names every field that failed, by its API name, with the value it had:
``invalid date-time '32/13/2026' @ $.instances[3].createTime``.
"""

from __future__ import annotations

import datetime
import enum
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.errors import ClassValidationError, IterableValidationError
from cattrs.gen import make_dict_structure_fn, override

from lightnode_aio.models import (
    Image,
    Instance,
    Package,
    Region,
    SecurityGroup,
    SSHKey,
    Task,
    Zone,
)
from lightnode_aio.models._base import API_NAME

__all__ = ["ShapeError", "converter", "structure", "structure_list"]

T = TypeVar("T")

#: Longest value shown in an error message; API values are not secrets, but
#: a whole HTML page in a message helps nobody.
_MAX_SHOWN = 60


class ShapeError(ValueError):
    """A record did not fit its model. ``problems`` lists each misfit as
    ``what went wrong @ $.path``."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


# --- hooks for the value types models use ---------------------------------


def _text(value: Any, _: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str | int | float):
        return str(value)
    raise ValueError(f"expected text, got {_shown(value)}")


def _optional_text(value: Any, _: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, str | int | float):
        return str(value)
    raise ValueError(f"expected text, got {_shown(value)}")


def _optional_datetime(value: Any, _: Any) -> datetime.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        # A number is a Unix timestamp; milliseconds if it is that large.
        seconds = value / 1000 if value > 100_000_000_000 else value
        return datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC)
    if isinstance(value, str):
        try:
            return datetime.datetime.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"invalid date-time {_shown(value)}")


def _is_enum_or_text(type_: Any) -> bool:
    """Matches ``SomeStrEnum | str | None``: a value set the API may grow."""
    if typing.get_origin(type_) not in (typing.Union, types.UnionType):
        return False
    args = typing.get_args(type_)
    return str in args and any(
        isinstance(arg, type) and issubclass(arg, enum.StrEnum) for arg in args
    )


def _enum_in(type_: Any) -> type[enum.StrEnum]:
    """The StrEnum of a ``SomeStrEnum | str | None`` type."""
    found: type[enum.StrEnum] = next(
        arg
        for arg in typing.get_args(type_)
        if isinstance(arg, type) and issubclass(arg, enum.StrEnum)
    )
    return found


def _enum_or_text_hook(type_: Any) -> Callable[[Any, Any], Any]:
    enum_cls = _enum_in(type_)
    members: Mapping[str, Any] = enum_cls._value2member_map_

    def hook(value: Any, _: Any) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, str):
            return members.get(value, value)
        raise ValueError(f"expected text, got {_shown(value)}")

    return hook


def _number_hook(kind: type[int] | type[float]) -> Callable[[Any, Any], Any]:
    def hook(value: Any, _: Any) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValueError(f"expected a number, got {_shown(value)}")
        try:
            number = float(value) if isinstance(value, str) else value
            if kind is int and number != int(number):
                raise ValueError
            return kind(number)
        except (ValueError, OverflowError):
            raise ValueError(f"expected a number, got {_shown(value)}") from None

    return hook


def _tuple_hook(
    item_type: Any, converter: cattrs.Converter
) -> Callable[[Any, Any], tuple[Any, ...]]:
    base = converter.get_structure_hook(tuple[item_type, ...])

    def hook(value: Any, type_: Any) -> tuple[Any, ...]:
        if value is None:
            return ()
        if not isinstance(value, list | tuple):
            raise ValueError(f"expected a list, got {_shown(value)}")
        result: tuple[Any, ...] = base(value, type_)
        return result

    return hook


# --- one structuring function per model ------------------------------------


def _field_hook(field: attrs.Attribute[Any], converter: cattrs.Converter) -> Any:
    """Chooses the structuring hook of one model field from its type."""
    type_ = field.type
    if _is_enum_or_text(type_):
        return _enum_or_text_hook(type_)
    if type_ is str:
        return _text
    if type_ == str | None:
        return _optional_text
    if type_ == datetime.datetime | None:
        return _optional_datetime
    if type_ == int | None:
        return _number_hook(int)
    if type_ == float | None:
        return _number_hook(float)
    if typing.get_origin(type_) is tuple:
        return _tuple_hook(typing.get_args(type_)[0], converter)
    return None


def _register_model(
    converter: cattrs.Converter,
    cls: Any,
    aliases: Mapping[str, tuple[str, ...]] | None = None,
) -> None:
    """Generates and registers the structuring function of one model.

    Args:
        converter: The converter to register with.
        cls: The model class.
        aliases: Other API names a field may arrive under, by the field's
            primary API name; the first one present is used.
    """
    attrs.resolve_types(cls)
    overrides: dict[str, Any] = {}
    for field in attrs.fields(cls):
        if not field.init:
            continue
        overrides[field.name] = override(
            rename=field.metadata[API_NAME],
            struct_hook=_field_hook(field, converter),
        )
    detailed = make_dict_structure_fn(
        cls, converter, _cattrs_detailed_validation=True, **overrides
    )
    fast = _fast_structure_fn(cls, converter)
    alias_items = tuple((aliases or {}).items())

    def structure_model(record: Any, _: Any) -> Any:
        if record.__class__ is not dict and not isinstance(record, Mapping):
            raise ValueError(f"expected an object, got {_shown(record)}")
        data = record
        for primary, others in alias_items:
            if primary not in data:
                found = next((name for name in others if name in data), None)
                if found is not None:
                    data = {**data, primary: data[found]}
        try:
            model = fast(data)
        except Exception:
            # Something did not fit: cattrs' detailed function says what and
            # where (or, for a value the fast path was too strict about,
            # builds the model all the same).
            model = detailed(data, cls)
        # ``raw`` is not an __init__ argument (it is not the caller's to set),
        # so it is filled in here, on the frozen instance, right after init.
        object.__setattr__(model, "raw", record)
        return model

    converter.register_structure_hook(cls, structure_model)


def _fast_structure_fn(cls: Any, converter: cattrs.Converter) -> Any:
    """Generates the fast path of one model's structuring, once.

    For the usual case, where every value already has the expected type, the
    generated function checks each value's class and takes it as it is,
    calling a hook only for values that need work (a number sent as text, a
    list). Whatever the hooks refuse raises, and the caller then runs cattrs'
    detailed function, which gives the precise error. This keeps building a
    model close to the cost of writing its constructor by hand.
    """
    namespace: dict[str, Any] = {
        "cls": cls,
        "fromisoformat": datetime.datetime.fromisoformat,
    }
    lines = ["def structure(o):", "    get = o.get"]
    arguments = []
    for index, field in enumerate(attrs.fields(cls)):
        if not field.init:
            continue
        value = f"v{index}"
        hook = _field_hook(field, converter) or converter.get_structure_hook(field.type)
        namespace[f"hook{index}"], namespace[f"type{index}"] = hook, field.type
        slow = f"hook{index}({value}, type{index})"
        fast = _fast_expression(field.type, value, index, namespace)
        lines.append(f"    {value} = get({field.metadata[API_NAME]!r})")
        lines.append(
            f"    {value} = {fast} else {slow}" if fast else f"    {value} = {slow}"
        )
        arguments.append(f"{field.name}={value}")
    lines.append(f"    return cls({', '.join(arguments)})")
    code = compile("\n".join(lines), f"<structure {cls.__name__}>", "exec")
    exec(code, namespace)  # noqa: S102 (the code above, made from the model)
    return namespace["structure"]


def _fast_expression(
    type_: Any, value: str, index: int, namespace: dict[str, Any]
) -> str | None:
    """The ``X if <usual case>`` half of one field's fast path, or None when
    the field always goes through its hook."""
    if type_ is str or type_ == str | None:
        return f"{value} if {value}.__class__ is str and {value}"
    if type_ == int | None:
        return f"{value} if {value}.__class__ is int"
    if type_ == float | None:
        return f"float({value}) if {value}.__class__ in (int, float)"
    if type_ == datetime.datetime | None:
        return f"fromisoformat({value}) if {value}.__class__ is str and {value}"
    if _is_enum_or_text(type_):
        namespace[f"members{index}"] = _enum_in(type_)._value2member_map_
        return (
            f"members{index}.get({value}, {value}) "
            f"if {value}.__class__ is str and {value}"
        )
    if typing.get_origin(type_) is tuple:
        return f"() if {value}.__class__ is list and not {value}"
    return None


def _make_converter() -> cattrs.Converter:
    converter = cattrs.Converter(forbid_extra_keys=False)
    # Zone before Region: Region's tuple of zones uses Zone's hook.
    _register_model(converter, Zone)
    _register_model(converter, Region)
    _register_model(converter, Package)
    _register_model(converter, Image)
    _register_model(
        converter,
        SSHKey,
        aliases={
            "sshKeyUUID": ("sshKeyResourceUUID", "keyUUID", "sshKeyId", "id"),
            "sshKeyName": ("keyName", "name"),
            "publicKey": ("sshPublicKey", "publicKeyContent"),
        },
    )
    _register_model(converter, SecurityGroup)
    _register_model(converter, Instance)
    _register_model(
        converter,
        Task,
        aliases={
            "errorMessage": ("failMessage", "errMsg", "errorMsg", "message", "remark"),
        },
    )
    return converter


converter = _make_converter()


# --- entry points and error rendering --------------------------------------


def structure(record: Any, cls: type[T], *, where: str = "$") -> T:
    """Builds one model from an API record.

    Args:
        record: The decoded JSON object.
        cls: The model class.
        where: The record's place in the reply, for error messages.

    Raises:
        ShapeError: The record does not fit; the message says where.
    """
    try:
        return converter.structure(record, cls)
    except Exception as err:  # any hook failure is reported the same way
        raise ShapeError(_describe(err, where, cls)) from err


def structure_list(records: Any, cls: type[T], *, where: str) -> list[T]:
    """Builds a list of models from a JSON array of records.

    A ``null`` or missing array is an empty list.

    Raises:
        ShapeError: The array or one of its records does not fit.
    """
    if records is None:
        return []
    if not isinstance(records, list):
        raise ShapeError([f"expected a list, got {_shown(records)} @ {where}"])
    hook = converter.get_structure_hook(cls)
    try:
        return [hook(record, cls) for record in records]
    except Exception:  # noqa: S110 (the loop below reports it, with its place)
        pass
    return [
        structure(record, cls, where=f"{where}[{index}]")
        for index, record in enumerate(records)
    ]


def _api_name(cls: Any, field_name: str) -> str:
    if isinstance(cls, type) and attrs.has(cls):
        for field in attrs.fields(cls):
            if field.name == field_name:
                return str(field.metadata.get(API_NAME, field_name))
    return field_name


def _describe(err: BaseException, path: str, cls: Any) -> list[str]:
    """Renders a cattrs failure as ``what @ $.path`` lines, with API names."""
    if isinstance(err, ClassValidationError):
        with_notes, without = err.group_exceptions()
        problems: list[str] = []
        for sub, note in with_notes:
            name = _api_name(err.cl, note.name)
            problems.extend(_describe(sub, f"{path}.{name}", note.type))
        for sub in without:
            problems.extend(_describe(sub, path, err.cl))
        return problems
    if isinstance(err, IterableValidationError):
        iter_with, iter_without = err.group_exceptions()
        problems = []
        for sub, iter_note in iter_with:
            problems.extend(_describe(sub, f"{path}[{iter_note.index}]", None))
        for sub in iter_without:
            problems.extend(_describe(sub, path, None))
        return problems
    if isinstance(err, ExceptionGroup):
        return [line for sub in err.exceptions for line in _describe(sub, path, cls)]
    return [f"{err} @ {path}"]
