"""Property-based tests of the transport's decoding and the converter: for
any status, body and record, only the SDK's own errors escape, and their
messages say where the problem is."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lightnode_aio import (
    APIError,
    Image,
    Instance,
    LightNodeError,
    Package,
    Region,
    SecurityGroup,
    SSHKey,
    Task,
    UnexpectedResponseError,
)
from lightnode_aio._converter import ShapeError, structure, structure_list
from lightnode_aio._http import _Call, _decode

SETTINGS = settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

CALL = _Call("GET", "/instance/list", None, None, True, ("Secret-Pass1!",), None)
TOKEN = "tok-hypothesis-secret"

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=20,
)

API_KEYS = [
    "code",
    "success",
    "message",
    "ecsResourceUUID",
    "instanceName",
    "ecsStatus",
    "ecsPendingStatus",
    "publicIpAddress",
    "secondaryPublicIpInfoList",
    "cpu",
    "memory",
    "createTime",
    "expireTime",
    "regionCode",
    "zones",
    "zoneCode",
    "taskStatus",
    "processResult",
    "errMsg",
    "imageType",
    "publicIpChargeMode",
    "sshKeyResourceUUID",
]

#: Records with the API's own keys holding any JSON value: the shapes most
#: likely to reach an edge of the converter.
records = st.dictionaries(
    st.sampled_from(API_KEYS) | st.text(max_size=10), json_values, max_size=8
)

MODELS = [Instance, Region, Package, Image, SSHKey, SecurityGroup, Task]


@SETTINGS
@given(
    status=st.integers(min_value=100, max_value=599),
    body=st.binary(max_size=200)
    | json_values.map(lambda v: json.dumps(v).encode())
    | records.map(lambda v: json.dumps(v).encode()),
    content_type=st.sampled_from(["application/json", "text/html", "text/plain"]),
)
def test_decode_returns_a_dict_or_raises_an_sdk_error(
    status: int, body: bytes, content_type: str
) -> None:
    try:
        reply = _decode(CALL, status, body, {"Content-Type": content_type}, TOKEN)
    except APIError as error:
        assert error.status == status
        assert error.path == "/instance/list"
        assert TOKEN not in str(error)
        assert "Secret-Pass1!" not in str(error)
        if 200 <= status < 300 and isinstance(error, UnexpectedResponseError):
            assert "not a JSON object" in str(error)
    else:
        assert 200 <= status < 300
        assert isinstance(reply, dict)


@SETTINGS
@given(
    message=st.text(max_size=40),
    code=st.one_of(st.none(), st.integers(), st.text(max_size=20)),
)
def test_an_echoed_secret_never_reaches_the_message(message: str, code: object) -> None:
    body = {"success": False, "code": code, "message": f"{message}{TOKEN}Secret-Pass1!"}

    try:
        _decode(CALL, 400, json.dumps(body).encode(), {}, TOKEN)
    except APIError as error:
        assert TOKEN not in str(error)
        assert "Secret-Pass1!" not in str(error)
    else:
        raise AssertionError("a 400 must raise")


@SETTINGS
@given(record=records | json_values, model=st.sampled_from(MODELS))
def test_structure_builds_the_model_or_says_where_it_failed(
    record: Any, model: type[Any]
) -> None:
    try:
        built = structure(record, model, where="$.row")
    except ShapeError as error:
        assert error.problems
        assert all(" @ $.row" in problem for problem in error.problems)
    else:
        assert isinstance(built, model)
        assert built.raw is record
        repr(built)  # a model of any record prints


@SETTINGS
@given(rows=st.lists(records, max_size=5) | json_values)
def test_structure_list_builds_every_row_or_names_the_row(rows: Any) -> None:
    try:
        built = structure_list(rows, Instance, where="$.instances")
    except ShapeError as error:
        assert error.problems
        assert all("@ $.instances" in problem for problem in error.problems)
    else:
        assert len(built) == (len(rows) if isinstance(rows, list) else 0)


def _detailed(model: type[Any]) -> Any:
    """cattrs' own, detailed structuring function of a model."""
    import attrs
    from cattrs.gen import make_dict_structure_fn, override

    from lightnode_aio._converter import _field_hook, converter
    from lightnode_aio.models._base import API_NAME

    overrides = {
        field.name: override(
            rename=field.metadata[API_NAME],
            struct_hook=_field_hook(field, converter),
        )
        for field in attrs.fields(model)
        if field.init
    }
    return make_dict_structure_fn(model, converter, **overrides)


DETAILED = {model: _detailed(model) for model in MODELS}


@SETTINGS
@given(record=records, model=st.sampled_from(MODELS))
def test_the_fast_path_agrees_with_cattrs_detailed_path(
    record: dict[str, Any], model: type[Any]
) -> None:
    from lightnode_aio._converter import _fast_structure_fn, converter

    fast = _fast_structure_fn(model, converter)

    try:
        expected = DETAILED[model](record, model)
    except Exception:
        expected = None
    try:
        got = fast(record)
    except Exception:
        got = None

    if got is not None:  # the fast path may refuse more; never differ
        assert got == expected


def _resource_calls() -> list[tuple[str, Any]]:
    """Each read of the SDK, as a function of a client."""
    return [
        ("regions.list", lambda ln: ln.regions.list()),
        ("packages.list", lambda ln: ln.packages.list()),
        ("images.list", lambda ln: ln.images.list()),
        ("ssh_keys.list", lambda ln: ln.ssh_keys.list()),
        ("security_groups.list", lambda ln: ln.security_groups.list()),
        ("instances.list", lambda ln: ln.instances.list(region="r-1", zone="r-1-a")),
        ("instances.get", lambda ln: ln.instances.get("ecs-abc")),
        ("tasks.get", lambda ln: ln.tasks.get("task1")),
    ]


@settings(max_examples=600, deadline=None)
@given(
    reply=st.dictionaries(
        st.sampled_from(
            [
                "regions",
                "packages",
                "images",
                "sshKeys",
                "firewalls",
                "instances",
                "instance",
                "asyncTaskInfo",
                "rowCount",
                "ecsResourceUUID",
                "data",
            ]
        ),
        json_values | st.lists(records, max_size=3) | records,
        max_size=4,
    ),
    call=st.sampled_from(_resource_calls()),
)
def test_any_reply_to_a_read_gives_models_or_an_sdk_error(
    reply: dict[str, Any], call: tuple[str, Any]
) -> None:
    # A pure mapping test: the transport is replaced by one that answers
    # every request with the generated reply, so only the resources' reading
    # of replies is exercised.
    import asyncio

    from lightnode_aio import LightNode

    async def run() -> None:
        async with LightNode(
            "token-for-properties", base_url="http://127.0.0.1:9"
        ) as ln:

            async def answer(*args: Any, **kwargs: Any) -> dict[str, Any]:
                return reply

            ln._transport.request = answer  # type: ignore[method-assign]
            try:
                await call[1](ln)
            except LightNodeError as error:
                assert str(error)

    asyncio.run(run())


class _Text(str):
    """A str subclass: ``check_id`` skips its one-match fast path for it."""


@SETTINGS
@given(
    value=st.text(max_size=16)
    | st.from_regex(r"(ecs|img|fw|key)-[A-Za-z0-9_-]{0,6}", fullmatch=True),
    kind=st.sampled_from(["instance", "image", "security group", "SSH key", "task"]),
)
def test_check_ids_fast_path_accepts_exactly_what_its_checks_accept(
    value: str, kind: str
) -> None:
    from lightnode_aio import InvalidArgumentError
    from lightnode_aio._validation import _VALID, check_id

    try:
        check_id(_Text(value), kind, "x")
    except InvalidArgumentError:
        accepted = False
    else:
        accepted = True

    assert accepted == bool(_VALID[kind].fullmatch(value))
