"""One function per API endpoint: read the request, ask the world, shape the reply.

Each handler takes the world and a `Call` (the query and the parsed JSON
body) and returns a `Result` whose payload holds the endpoint's keys and
``rowCount``; the server adds ``httpStatus``. Refusals are raised as
`ApiError`. The shapes are those of the project's wire decisions, built on
REFERENCE §3: list payloads under their plural key, nested
``asyncTaskInfo`` or flat ``asyncTaskUUID`` replies for actions, and
``success: true`` on `/instance/list`.

Handlers do no I/O and never await, so each request sees and changes the
world in one step.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Final

import attrs

from ._state import ApiError, TaskRecord, World

__all__ = ["DEFAULT_SHAPES", "ROUTES", "Call", "Result"]

#: The reply shape of each action until a test switches it (REFERENCE §1.6).
DEFAULT_SHAPES: Final = {
    "create": "nested",
    "delete": "nested",
    "start": "flat",
    "stop": "flat",
    "restart": "flat",
    "reset_password": "flat",
    "reinstall": "flat",
}

# REFERENCE §1.7: pageSize is 1..50 and defaults to 10; the fake refuses
# larger values rather than clamping them (the API's behaviour is unknown).
_PAGE_SIZE_DEFAULT: Final = 10
_PAGE_SIZE_MAX: Final = 50
_INTEGER: Final = re.compile(r"[+-]?\d+")
_IMAGE_TYPES: Final = ("System", "Application", "Self")


@attrs.frozen
class Call:
    """What a handler needs from one request.

    Attributes:
        query: The query parameters.
        body: The parsed JSON body, or None when there was none.
        body_ok: False when a body was sent but is not JSON.
        now: Loop time of the request.
        shapes: The reply shape per action kind.
    """

    query: Mapping[str, str]
    body: Any
    body_ok: bool
    now: float
    shapes: Mapping[str, str]


@attrs.frozen
class Result:
    """A handler's answer.

    Attributes:
        payload: The body without ``httpStatus``.
        task_id: The task a mutation started, if any.
    """

    payload: dict[str, Any]
    task_id: str | None = None


Handler = Callable[[World, Call], Result]


# -- reads -----------------------------------------------------------------


def region_list(world: World, call: Call) -> Result:
    """GET /region/list: the regions on sale, with their zones."""
    regions = world.region_list()
    return Result({"regions": regions, "rowCount": len(regions)})


def package_list(world: World, call: Call) -> Result:
    """GET /package/list: packages, filtered by region and zone; not paged."""
    packages = world.package_list(
        _text(call.query, "regionCode"), _text(call.query, "zoneCode")
    )
    return Result({"packages": packages, "rowCount": len(packages)})


def image_list(world: World, call: Call) -> Result:
    """GET /image/list: images of a region and type, one page."""
    image_type = _text(call.query, "imageType")
    if image_type is not None and image_type not in _IMAGE_TYPES:
        raise ApiError(
            400,
            "InvalidParameter.ImageType",
            f"imageType must be one of {', '.join(_IMAGE_TYPES)}",
        )
    page, size = _paging(call.query)
    images = world.image_list(_text(call.query, "regionCode"), image_type)
    return Result({"images": _page(images, page, size), "rowCount": len(images)})


def firewall_list(world: World, call: Call) -> Result:
    """GET /firewall/list: firewalls (security groups) of a region, one page."""
    page, size = _paging(call.query)
    firewalls = world.firewall_list(_text(call.query, "regionCode"))
    return Result(
        {"firewalls": _page(firewalls, page, size), "rowCount": len(firewalls)}
    )


def ssh_key_list(world: World, call: Call) -> Result:
    """GET /sshKey/list: the account's SSH keys, one page."""
    page, size = _paging(call.query)
    keys = world.ssh_keys
    return Result({"sshKeys": _page(keys, page, size), "rowCount": len(keys)})


def instance_list(world: World, call: Call) -> Result:
    """GET /instance/list: one page of one zone's instances.

    Both codes are required, and a missing one is reported inside a 2xx
    reply (REFERENCE §3.9, §1.5).
    """
    region = _text(call.query, "regionCode")
    if region is None:
        raise ApiError(
            400,
            "InvalidRegionCode.NotNull",
            "regionCode must not be empty",
            in_body=True,
        )
    zone = _text(call.query, "zoneCode")
    if zone is None:
        raise ApiError(
            400, "InvalidZoneCode.NotNull", "zoneCode must not be empty", in_body=True
        )
    page, size = _paging(call.query)

    rows, total = world.instance_page(region, zone, page, size)
    return Result({"instances": rows, "rowCount": total, "success": True})


def instance_detail(world: World, call: Call) -> Result:
    """GET /instance/detail: one instance."""
    instance_id = _text(call.query, "ecsResourceUUID")
    if instance_id is None:
        raise _missing("ecsResourceUUID")
    return Result({"instance": world.instance(instance_id), "rowCount": 0})


def task_result(world: World, call: Call) -> Result:
    """GET /asynctask/getResult: the state of one task."""
    task_id = _text(call.query, "asyncTaskUUID")
    if task_id is None:
        raise _missing("asyncTaskUUID")
    return Result({"asyncTaskInfo": world.task_info(task_id, call.now), "rowCount": 0})


# -- mutations -------------------------------------------------------------


def create(world: World, call: Call) -> Result:
    """POST /instance/create: the instance exists at once; a task starts."""
    body = _object(call)
    config = body.get("packageConfig")
    if config is None:
        raise _missing("packageConfig")
    if not isinstance(config, dict):
        raise _wrong_type("packageConfig", "an object")
    task = world.create(
        package=_required(config, "packageCode"),
        region=_required(config, "regionCode"),
        zone=_required(config, "zoneCode"),
        name=_required(config, "instanceName"),
        image=_required(config, "imageResourceUUID"),
        password=_optional(config, "password"),
        ssh_key=_optional(config, "sshKeyUUID"),
        firewall=_optional(config, "firewallUUID"),
    )
    return _accepted(call, task)


def delete(world: World, call: Call) -> Result:
    """POST /instance/release: release (delete) an instance."""
    return _action(world, call, "delete")


def start(world: World, call: Call) -> Result:
    """POST /instance/start: power a stopped instance on."""
    return _action(world, call, "start")


def stop(world: World, call: Call) -> Result:
    """POST /instance/stop: power an instance off, gracefully or by force."""
    body = _object(call)
    if "forceStop" in body and not isinstance(body["forceStop"], bool):
        raise _wrong_type("forceStop", "a boolean")
    return _action(world, call, "stop")


def restart(world: World, call: Call) -> Result:
    """POST /instance/restart: restart an instance."""
    return _action(world, call, "restart")


def reset_password(world: World, call: Call) -> Result:
    """POST /instance/modifyInstancePassword: set a new root password."""
    body = _object(call)
    return _action(world, call, "reset_password", password=_required(body, "password"))


def reinstall(world: World, call: Call) -> Result:
    """POST /instance/reinstallSystem: reinstall a stopped instance."""
    body = _object(call)
    return _action(
        world,
        call,
        "reinstall",
        image=_required(body, "imageResourceUUID"),
        password=_required(body, "password"),
        ssh_key=_optional(body, "sshKeyResourceUUID"),
    )


def _action(
    world: World,
    call: Call,
    kind: str,
    *,
    image: str | None = None,
    password: str | None = None,
    ssh_key: str | None = None,
) -> Result:
    body = _object(call)
    task = world.act(
        kind,
        _required(body, "ecsResourceUUID"),
        region=_optional(body, "regionCode"),
        zone=_optional(body, "zoneCode"),
        image=image,
        password=password,
        ssh_key=ssh_key,
    )
    return _accepted(call, task)


def _accepted(call: Call, task: TaskRecord) -> Result:
    # REFERENCE §1.6: two reply shapes exist; a test may switch any action.
    if call.shapes.get(task.kind, DEFAULT_SHAPES[task.kind]) == "nested":
        payload: dict[str, Any] = {
            "asyncTaskInfo": {
                "asyncTaskUUID": task.id,
                "ecsResourceUUID": task.instance_id,
            }
        }
    else:
        payload = {"asyncTaskUUID": task.id}
    payload["rowCount"] = 0
    return Result(payload, task_id=task.id)


#: (method, path) → handler. Paths are case-sensitive (REFERENCE §2).
ROUTES: Final[dict[tuple[str, str], Handler]] = {
    ("GET", "/region/list"): region_list,
    ("GET", "/package/list"): package_list,
    ("GET", "/image/list"): image_list,
    ("GET", "/firewall/list"): firewall_list,
    ("GET", "/sshKey/list"): ssh_key_list,
    ("GET", "/instance/list"): instance_list,
    ("GET", "/instance/detail"): instance_detail,
    ("GET", "/asynctask/getResult"): task_result,
    ("POST", "/instance/create"): create,
    ("POST", "/instance/release"): delete,
    ("POST", "/instance/start"): start,
    ("POST", "/instance/stop"): stop,
    ("POST", "/instance/restart"): restart,
    ("POST", "/instance/modifyInstancePassword"): reset_password,
    ("POST", "/instance/reinstallSystem"): reinstall,
}


# -- reading requests ------------------------------------------------------


def _text(query: Mapping[str, str], name: str) -> str | None:
    # An empty parameter counts as absent, as a missing one would.
    value = query.get(name)
    return value or None


def _paging(query: Mapping[str, str]) -> tuple[int, int]:
    page = _integer(query, "page", 1, "InvalidParameter.Page")
    size = _integer(query, "pageSize", _PAGE_SIZE_DEFAULT, "InvalidParameter.PageSize")
    if page < 1:
        raise ApiError(400, "InvalidParameter.Page", "page must be at least 1")
    if not 1 <= size <= _PAGE_SIZE_MAX:
        raise ApiError(
            400,
            "InvalidParameter.PageSize",
            f"pageSize must be between 1 and {_PAGE_SIZE_MAX}",
        )
    return page, size


def _integer(query: Mapping[str, str], name: str, default: int, code: str) -> int:
    raw = _text(query, name)
    if raw is None:
        return default
    if not _INTEGER.fullmatch(raw):
        raise ApiError(400, code, f"{name} must be an integer")
    return int(raw)


def _page(rows: list[dict[str, Any]], page: int, size: int) -> list[dict[str, Any]]:
    start = (page - 1) * size
    return rows[start : start + size]


def _object(call: Call) -> dict[str, Any]:
    if not call.body_ok:
        raise ApiError(400, "InvalidParameter.Body", "The body is not valid JSON")
    if not isinstance(call.body, dict):
        raise ApiError(400, "InvalidParameter.Body", "The body must be a JSON object")
    return call.body


def _required(body: Mapping[str, Any], name: str) -> str:
    value = _optional(body, name)
    if value is None:
        raise _missing(name)
    return value


def _optional(body: Mapping[str, Any], name: str) -> str | None:
    # Absent, null and "" all mean "not given".
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise _wrong_type(name, "a string")
    return value or None


def _missing(name: str) -> ApiError:
    return ApiError(400, f"MissingParameter.{name}", f"{name} is required")


def _wrong_type(name: str, expected: str) -> ApiError:
    return ApiError(400, "InvalidParameter.Body", f"{name} must be {expected}")
