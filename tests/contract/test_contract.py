"""Tests of the contract checker and of the description it checks against.

No server is needed: each test hands `check_exchange` one request and its
reply, as the fake would after answering. The replies are the examples of
REFERENCE.md (values rewritten as there), the quirks it documents, and the
fake's concrete choices where upstream leaves a shape open.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

from lightnode_aio.testing._contract import SPEC_PATH, check_exchange

JSON = "application/json"

INSTANCE_ID = "ecs-ab0000xyz123"
TASK_ID = "cm0000abcd12"
IMAGE_ID = "img-ab0000xyz123"
PASSWORD = "Example123@"

# A task id in both shapes of an action reply (REFERENCE §1.6).
FLAT = {"asyncTaskUUID": TASK_ID, "httpStatus": 202, "rowCount": 0}
NESTED = {
    "asyncTaskInfo": {"asyncTaskUUID": TASK_ID, "ecsResourceUUID": INSTANCE_ID},
    "httpStatus": 202,
    "rowCount": 0,
}

INSTANCE = {
    "ecsResourceUUID": INSTANCE_ID,
    "instanceName": "edge-1",
    "ecsStatus": "STARTED",
    "ecsPendingStatus": "NONE",
    "publicIpAddress": "203.0.113.60",
    "secondaryPublicIpInfoList": [],
    "internalIpAddress": "10.0.0.60",
    "regionCode": "tr-ist-1",
    "regionName": "Istanbul",
    "zoneCode": "tr-ist-1-a",
    "zoneName": "Zone A",
    "cpu": 2,
    "memory": 2,
    "bandwidth": 5,
    "systemDiskSize": 40,
    "dataDiskSize": 0,
    "imageResourceUUID": IMAGE_ID,
    "osName": "Debian",
    "osVersionDetail": "Debian 12",
    "freeFlow": 1000,
    "usedFlow": 12.5,
    "createTime": "2026-03-12 10:15:17",
    "expireTime": "2026-04-12 10:15:17",
    "sysAccount": "root",
    "packageCode": "2c2g",
}

CREATE_BODY = {
    "packageConfig": {
        "packageCode": "2c2g",
        "regionCode": "ru-moscow-1",
        "zoneCode": "ru-moscow-1-a",
        "instanceName": "web-01",
        "imageResourceUUID": IMAGE_ID,
        "sshKeyUUID": None,
        "password": PASSWORD,
    }
}

REINSTALL_BODY = {
    "ecsResourceUUID": INSTANCE_ID,
    "password": PASSWORD,
    "imageResourceUUID": IMAGE_ID,
    "sshKeyResourceUUID": None,
    "regionCode": "cn-dev-2",
}


def error_body(code: str, status: int) -> dict[str, Any]:
    """The fake's error body."""
    return {"code": code, "message": "why", "success": False, "httpStatus": status}


def check(
    method: str,
    path: str,
    query: Mapping[str, str] | None = None,
    body: Any | None = None,
    status: int | None = 202,
    reply: Any | None = None,
    content_type: str | None = JSON,
) -> list[str]:
    return check_exchange(method, path, query or {}, body, status, content_type, reply)


# Each endpoint's documented (or, where none survived, client-read) exchange:
# (method, path, query, request body, reply).
EXAMPLES: dict[str, tuple[str, str, dict[str, str], Any, dict[str, Any]]] = {
    "create": ("POST", "/instance/create", {}, CREATE_BODY, NESTED),
    "release": (
        "POST",
        "/instance/release",
        {},
        {"ecsResourceUUID": INSTANCE_ID},
        NESTED,
    ),
    "stop": (
        "POST",
        "/instance/stop",
        {},
        {"ecsResourceUUID": INSTANCE_ID, "forceStop": True},
        FLAT,
    ),
    "start": ("POST", "/instance/start", {}, {"ecsResourceUUID": INSTANCE_ID}, FLAT),
    "restart": (
        "POST",
        "/instance/restart",
        {},
        {"ecsResourceUUID": INSTANCE_ID},
        FLAT,
    ),
    "reset password": (
        "POST",
        "/instance/modifyInstancePassword",
        {},
        {
            "ecsResourceUUID": INSTANCE_ID,
            "password": PASSWORD,
            "regionCode": "cn-dev-2",
        },
        {"asyncTaskUUID": "7e0000abcd12", "httpStatus": 202, "rowCount": 0},
    ),
    "reinstall": ("POST", "/instance/reinstallSystem", {}, REINSTALL_BODY, FLAT),
    "detail": (
        "GET",
        "/instance/detail",
        {"ecsResourceUUID": INSTANCE_ID},
        None,
        {"instance": INSTANCE, "httpStatus": 202, "rowCount": 0},
    ),
    "instance list": (
        "GET",
        "/instance/list",
        {
            "regionCode": "tr-ist-1",
            "zoneCode": "tr-ist-1-a",
            "page": "1",
            "pageSize": "50",
        },
        None,
        {
            "instances": [
                {
                    "ecsResourceUUID": INSTANCE_ID,
                    "instanceName": "edge-1",
                    "ecsStatus": "STARTED",
                    "ecsPendingStatus": "NONE",
                    "regionCode": "tr-ist-1",
                    "zoneCode": "tr-ist-1-a",
                }
            ],
            "rowCount": 1,
            "success": True,
            "httpStatus": 202,
        },
    ),
    "task result": (
        "GET",
        "/asynctask/getResult",
        {"asyncTaskUUID": TASK_ID},
        None,
        {
            "asyncTaskInfo": {"processResult": "SUCCESS", "taskStatus": "FINISHED"},
            "httpStatus": 202,
            "rowCount": 0,
        },
    ),
    "region list": (
        "GET",
        "/region/list",
        {},
        None,
        {
            "regions": [
                {
                    "regionCode": "ru-moscow-1",
                    "regionName": "Moscow",
                    "zones": [{"zoneCode": "ru-moscow-1-a", "zoneName": "Zone A"}],
                }
            ]
        },
    ),
    "package list": (
        "GET",
        "/package/list",
        {"regionCode": "ru-moscow-1", "zoneCode": "ru-moscow-1-a"},
        None,
        {
            "packages": [
                {
                    "packageCode": "2c4g",
                    "regionCode": "ru-moscow-1",
                    "zoneCode": "",
                    "cpu": 2,
                    "memory": 4,
                    "systemDiskSize": 50,
                    "dataDiskSize": 0,
                    "bandwidth": 5,
                    "freeFlow": 1000,
                    "publicIpChargeMode": "PayByBandwidth",
                }
            ],
            "httpStatus": 202,
            "rowCount": 1,
        },
    ),
    "image list": (
        "GET",
        "/image/list",
        {
            "regionCode": "ru-moscow-1",
            "imageType": "System",
            "page": "1",
            "pageSize": "50",
        },
        None,
        {
            "images": [
                {
                    "imageResourceUUID": "img-rh0000743phm",
                    "imageName": "Debian 12 64bit",
                    "imageType": "System",
                    "osVersion": "linux",
                    "osVersionDetail": "Debian 12",
                    "osDistroVersion": "Debian 12",
                    "imageAccount": "root",
                    "regionCode": "ru-moscow-1",
                }
            ],
            "rowCount": 1,
            "httpStatus": 202,
        },
    ),
    "security group list": (
        "GET",
        "/firewall/list",
        {"regionCode": "ru-moscow-1", "page": "1", "pageSize": "50"},
        None,
        {
            "firewalls": [
                {
                    "firewallUUID": "fw-000000000001",
                    "firewallName": "default",
                    "firewallStatus": "AVAILABLE",
                    "regionCode": "ru-moscow-1",
                    "createTime": "2026-01-02 03:04:05",
                }
            ],
            "rowCount": 1,
            "httpStatus": 202,
        },
    ),
    "ssh key list": (
        "GET",
        "/sshKey/list",
        {"page": "1", "pageSize": "50"},
        None,
        {
            "sshKeys": [
                {
                    "sshKeyUUID": "key-000000000001",
                    "sshKeyName": "deploy",
                    "fingerprint": "SHA256:abc",
                    "createTime": "2026-01-02 03:04:05",
                }
            ],
            "rowCount": 1,
            "httpStatus": 202,
        },
    ),
}


# -- the description itself ---------------------------------------------------


def load_spec() -> dict[str, Any]:
    with SPEC_PATH.open(encoding="utf-8") as stream:
        spec: dict[str, Any] = yaml.safe_load(stream)
    return spec


def walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every mapping in a YAML tree."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def test_the_spec_is_valid_openapi_3_1() -> None:
    spec, _ = read_from_filename(str(SPEC_PATH))

    validate(spec)

    assert str(spec["openapi"]).startswith("3.1")


def test_the_spec_has_every_endpoint_of_the_reference() -> None:
    # REFERENCE §2, with the method each endpoint is called with.
    expected = {
        ("post", "/instance/create"),
        ("post", "/instance/release"),
        ("post", "/instance/stop"),
        ("post", "/instance/start"),
        ("post", "/instance/restart"),
        ("post", "/instance/modifyInstancePassword"),
        ("get", "/instance/detail"),
        ("post", "/instance/reinstallSystem"),
        ("get", "/instance/list"),
        ("get", "/firewall/list"),
        ("get", "/image/list"),
        ("get", "/asynctask/getResult"),
        ("get", "/sshKey/list"),
        ("get", "/region/list"),
        ("get", "/package/list"),
    }

    paths = load_spec()["paths"]
    described = {(method, path) for path, item in paths.items() for method in item}

    assert described == expected


def test_every_operation_describes_both_successes_and_the_errors() -> None:
    paths = load_spec()["paths"]

    for path, item in paths.items():
        for method, operation in item.items():
            statuses = set(operation["responses"])
            assert statuses == {"200", "202", "400", "401", "404", "default"}, (
                method,
                path,
            )


def test_status_like_strings_are_never_enums() -> None:
    # An unknown status value must not be a violation (DESIGN: it stays
    # readable as the string the API sent).
    nodes_with_enum = [node for node in walk(load_spec()) if "enum" in node]

    assert nodes_with_enum == []


# -- documented exchanges pass ------------------------------------------------


@pytest.mark.parametrize("status", [200, 202])
@pytest.mark.parametrize("name", list(EXAMPLES))
def test_each_documented_exchange_passes(name: str, status: int) -> None:
    method, path, query, body, reply = EXAMPLES[name]

    assert check(method, path, query, body, status, reply) == []


@pytest.mark.parametrize("path", ["/instance/restart", "/instance/reinstallSystem"])
@pytest.mark.parametrize("reply", [FLAT, NESTED], ids=["flat", "nested"])
def test_both_action_reply_shapes_pass(path: str, reply: dict[str, Any]) -> None:
    body = (
        REINSTALL_BODY if path.endswith("System") else {"ecsResourceUUID": INSTANCE_ID}
    )

    assert check("POST", path, body=body, reply=reply) == []


def test_a_reply_with_both_shapes_at_once_passes() -> None:
    reply = {**FLAT, **NESTED}

    assert (
        check(
            "POST",
            "/instance/restart",
            body={"ecsResourceUUID": INSTANCE_ID},
            reply=reply,
        )
        == []
    )


@pytest.mark.parametrize(
    "code", ["InvalidRegionCode.NotNull", "InvalidZoneCode.NotNull"]
)
def test_instance_list_may_answer_an_error_body_with_a_2xx_status(code: str) -> None:
    # REFERENCE §1.5: a missing code is a business error inside a 2xx body.
    reply = error_body(code, 202)

    problems = check(
        "GET",
        "/instance/list",
        {"regionCode": "ru-moscow-1", "zoneCode": "z-a"},
        reply=reply,
    )

    assert problems == []


@pytest.mark.parametrize("status", [202, 404])
def test_an_unknown_instance_may_be_a_404_or_a_2xx_error_body(status: int) -> None:
    reply = error_body("InvalidInstance.NotFound", status)

    detail = check(
        "GET",
        "/instance/detail",
        {"ecsResourceUUID": INSTANCE_ID},
        status=status,
        reply=reply,
    )
    stop = check(
        "POST",
        "/instance/stop",
        body={"ecsResourceUUID": INSTANCE_ID},
        status=status,
        reply=reply,
    )

    assert detail == []
    assert stop == []


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_a_401_with_the_error_body_passes_everywhere(name: str) -> None:
    method, path, query, body, _ = EXAMPLES[name]
    reply = error_body("Unauthorized", 401)

    assert check(method, path, query, body, 401, reply) == []


@pytest.mark.parametrize("status", [400, 429, 500, 503])
def test_other_failures_carry_the_error_body(status: int) -> None:
    reply = {"code": 1001, "msg": "numeric codes and msg are tolerated"}

    assert check("GET", "/region/list", status=status, reply=reply) == []


@pytest.mark.parametrize(
    "info",
    [
        {
            "asyncTaskUUID": TASK_ID,
            "ecsResourceUUID": INSTANCE_ID,
            "taskStatus": "PROCESSING",
        },
        {"taskStatus": "PROCESSING", "processResult": "RETRY"},
        {"taskStatus": "FINISHED", "processResult": "FAIL", "errorMessage": "no stock"},
        {
            "taskStatus": "FINISHED",
            "processResult": "CANCEL",
            "errorMessage": "cancelled",
        },
        {"taskStatus": "SUSPENDED", "processResult": "PARTIAL"},
    ],
    ids=["running", "retry", "fail", "cancel", "unseen values"],
)
def test_every_task_state_passes(info: dict[str, Any]) -> None:
    reply = {"asyncTaskInfo": info, "httpStatus": 202, "rowCount": 0}

    assert (
        check("GET", "/asynctask/getResult", {"asyncTaskUUID": TASK_ID}, reply=reply)
        == []
    )


def test_replies_tolerate_unknown_members_and_values() -> None:
    instance = {
        **INSTANCE,
        "ecsStatus": "LOCKED",
        "ecsPendingStatus": "MIGRATING",
        "memory": 0.5,
        "publicIpAddress": "",
        "tags": ["new"],
    }
    reply = {"instance": instance, "httpStatus": 202, "rowCount": 0, "requestId": "r-1"}

    assert (
        check("GET", "/instance/detail", {"ecsResourceUUID": INSTANCE_ID}, reply=reply)
        == []
    )


def test_a_dropped_connection_checks_the_request_only() -> None:
    good = check(
        "POST", "/instance/stop", body={"ecsResourceUUID": INSTANCE_ID}, status=None
    )
    bad = check("POST", "/instance/stop", body={}, status=None)

    assert good == []
    assert bad == [
        "POST /instance/stop request: 'ecsResourceUUID' is a required property @ $"
    ]


def test_create_may_log_in_with_a_key_alone() -> None:
    config = {**CREATE_BODY["packageConfig"], "sshKeyUUID": "key-000000000001"}
    del config["password"]

    assert (
        check("POST", "/instance/create", body={"packageConfig": config}, reply=NESTED)
        == []
    )


# -- violations are caught, and said plainly ----------------------------------


def test_stop_without_an_instance_id() -> None:
    problems = check("POST", "/instance/stop", body={"forceStop": True}, reply=FLAT)

    assert problems == [
        "POST /instance/stop request: 'ecsResourceUUID' is a required property @ $"
    ]


def test_a_wrong_member_type_is_located() -> None:
    body = {"ecsResourceUUID": INSTANCE_ID, "forceStop": "yes"}

    problems = check("POST", "/instance/stop", body=body, reply=FLAT)

    assert problems == [
        "POST /instance/stop request: 'yes' is not of type 'boolean' @ $.forceStop"
    ]


@pytest.mark.parametrize(
    ("page_size", "what"),
    [
        ("100", "100 is greater than the maximum of 50"),
        ("0", "0 is less than the minimum of 1"),
        ("ten", "'ten' is not of type 'integer'"),
    ],
)
def test_a_page_size_outside_1_to_50(page_size: str, what: str) -> None:
    query = {
        "regionCode": "ru-moscow-1",
        "zoneCode": "ru-moscow-1-a",
        "pageSize": page_size,
    }

    problems = check(
        "GET",
        "/instance/list",
        query,
        status=400,
        reply=error_body("InvalidParameter.PageSize", 400),
    )

    assert problems == [f"GET /instance/list request: {what} @ ?pageSize"]


@pytest.mark.parametrize(
    "password",
    [
        "Abcdefgh!",  # no digit
        "abcdefg1!",  # no uppercase letter
        "Abcdefg12",  # no special character
        "Abc1!",  # too short
        "Abcdefg1! x",  # a space
        "Abcdefg1!`",  # the backtick of the old Chinese page
        "Abcdefg1!" + "x" * 22,  # 31 characters
    ],
)
def test_a_password_outside_the_rules_is_caught_and_never_quoted(password: str) -> None:
    config = {**CREATE_BODY["packageConfig"], "password": password}

    problems = check(
        "POST",
        "/instance/create",
        body={"packageConfig": config},
        status=400,
        reply=error_body("InvalidPassword.Format", 400),
    )

    # A wrong length breaks the length rule and the pattern: two messages.
    assert problems
    for problem in problems:
        assert problem.startswith("POST /instance/create request: the password")
        assert problem.endswith("@ $.packageConfig.password")
        assert password not in problem


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/instance/modifyInstancePassword", {"ecsResourceUUID": INSTANCE_ID}),
        ("/instance/reinstallSystem", REINSTALL_BODY),
    ],
)
def test_password_rules_hold_on_every_action_that_sets_one(
    path: str, body: dict[str, Any]
) -> None:
    password = "Abcdefgh!"

    problems = check("POST", path, body={**body, "password": password}, reply=FLAT)

    assert problems == [
        f"POST {path} request: the password (not shown) breaks the 'pattern' "
        "rule @ $.password"
    ]


@pytest.mark.parametrize(
    "name",
    ["-web", "web_01", "web 01", "", "a" * 65],
    ids=["leading hyphen", "underscore", "space", "empty", "65 characters"],
)
def test_an_instance_name_outside_the_rules(name: str) -> None:
    config = {**CREATE_BODY["packageConfig"], "instanceName": name}

    problems = check(
        "POST", "/instance/create", body={"packageConfig": config}, reply=NESTED
    )

    assert len(problems) == 1
    assert problems[0].endswith("@ $.packageConfig.instanceName")


def test_a_create_without_any_login() -> None:
    config = {**CREATE_BODY["packageConfig"]}
    del config["password"]

    problems = check(
        "POST", "/instance/create", body={"packageConfig": config}, reply=NESTED
    )

    assert problems == [
        "POST /instance/create request: matches none of password login, SSH key "
        "login (password login: 'password' is a required property @ "
        "$.packageConfig; SSH key login: None is not of type 'string' @ "
        "$.packageConfig.sshKeyUUID) @ $.packageConfig"
    ]


def test_a_misspelt_member_is_caught() -> None:
    # Create's key member is sshKeyUUID; reinstall's is sshKeyResourceUUID.
    body = {**REINSTALL_BODY, "sshKeyUUID": None}
    del body["sshKeyResourceUUID"]

    problems = check("POST", "/instance/reinstallSystem", body=body, reply=FLAT)

    assert problems == [
        "POST /instance/reinstallSystem request: Additional properties are not "
        "allowed ('sshKeyUUID' was unexpected) @ $"
    ]


@pytest.mark.parametrize(
    "instance_id", ["img-ab0000xyz123", "ab0000xyz123", "ecs-", "ecs-ab 12"]
)
def test_an_instance_id_without_its_shape(instance_id: str) -> None:
    problems = check(
        "POST", "/instance/start", body={"ecsResourceUUID": instance_id}, reply=FLAT
    )

    assert len(problems) == 1
    assert problems[0].endswith("@ $.ecsResourceUUID")


def test_query_parameters_missing_empty_or_unknown() -> None:
    query = {"zoneCode": "", "page_size": "50"}

    problems = check(
        "GET",
        "/instance/list",
        query,
        reply=error_body("InvalidRegionCode.NotNull", 202),
    )

    assert problems == [
        "GET /instance/list request: a required query parameter is missing "
        "@ ?regionCode",
        "GET /instance/list request: the value is empty @ ?zoneCode",
        "GET /instance/list request: the contract declares no such query "
        "parameter @ ?page_size",
    ]


def test_a_body_on_a_read_and_a_missing_body_on_an_action() -> None:
    read = check("GET", "/region/list", body={"regionCode": "x"}, reply={"regions": []})
    action = check("POST", "/instance/start", reply=FLAT)

    assert read == [
        "GET /region/list request: the contract describes no body for this request"
    ]
    assert action == [
        "POST /instance/start request: the JSON body is missing or not JSON"
    ]


@pytest.mark.parametrize(
    ("method", "path", "what"),
    [
        ("GET", "/instance/lists", "the path is not in the contract"),
        ("GET", "/Instance/List", "the path is not in the contract"),
        ("GET", "/instance/reboot", "the path is not in the contract"),
        ("POST", "/instance/list", "the contract has no POST operation on this path"),
        (
            "delete",
            "/instance/detail",
            "the contract has no DELETE operation on this path",
        ),
    ],
)
def test_an_unknown_path_or_method(method: str, path: str, what: str) -> None:
    problems = check(method, path, reply={})

    assert problems == [f"{method.upper()} {path} request: {what}"]


def test_a_list_reply_without_its_rows() -> None:
    query = {"regionCode": "ru-moscow-1", "zoneCode": "ru-moscow-1-a"}

    problems = check(
        "GET", "/instance/list", query, reply={"rowCount": 3, "httpStatus": 202}
    )

    assert problems == [
        "GET /instance/list reply 202: matches none of InstanceListReply, ErrorBody "
        "(InstanceListReply: 'instances' is a required property @ $; "
        "ErrorBody: 'code' is a required property @ $) @ $"
    ]


def test_a_wrong_field_deep_in_a_reply_is_located() -> None:
    rows = [INSTANCE, {**INSTANCE, "cpu": "two"}]
    reply = {"instances": rows, "rowCount": 2, "httpStatus": 202}

    problems = check(
        "GET", "/instance/list", {"regionCode": "r", "zoneCode": "z"}, reply=reply
    )

    assert len(problems) == 1
    assert "'two' is not of type 'integer' @ $.instances[1].cpu" in problems[0]


def test_a_reply_that_is_both_a_page_and_an_error() -> None:
    reply = {"instances": [], **error_body("InvalidZoneCode.NotNull", 202)}

    problems = check(
        "GET", "/instance/list", {"regionCode": "r", "zoneCode": "z"}, reply=reply
    )

    assert problems == [
        "GET /instance/list reply 202: matches more than one of "
        "InstanceListReply, ErrorBody @ $"
    ]


def test_an_action_reply_without_a_task_id() -> None:
    problems = check(
        "POST",
        "/instance/start",
        body={"ecsResourceUUID": INSTANCE_ID},
        reply={"httpStatus": 202},
    )

    assert len(problems) == 1
    assert problems[0].startswith(
        "POST /instance/start reply 202: matches none of AsyncReply, ErrorBody"
    )
    assert "'asyncTaskUUID' is a required property" in problems[0]
    assert "'asyncTaskInfo' is a required property" in problems[0]


def test_an_error_without_a_message() -> None:
    problems = check("GET", "/region/list", status=500, reply={"code": "InternalError"})

    assert len(problems) == 1
    assert problems[0].startswith(
        "GET /region/list reply 500: matches none of message, msg"
    )


@pytest.mark.parametrize(
    ("content_type", "reply", "what"),
    [
        (JSON, None, "the body is not JSON"),
        (
            "text/html",
            None,
            "content type 'text/html' is not described; the contract "
            "describes application/json",
        ),
        (None, None, "no Content-Type; the contract describes application/json"),
    ],
    ids=["not json", "html", "no content type"],
)
def test_a_reply_that_is_not_json(
    content_type: str | None, reply: Any, what: str
) -> None:
    problems = check(
        "GET", "/region/list", status=502, reply=reply, content_type=content_type
    )

    assert problems == [f"GET /region/list reply 502: {what}"]


def test_a_json_content_type_with_parameters_is_json() -> None:
    problems = check(
        "GET",
        "/region/list",
        reply={"regions": []},
        content_type="application/json; charset=utf-8",
    )

    assert problems == []


# -- speed ---------------------------------------------------------------------


def test_a_typical_exchange_is_checked_quickly() -> None:
    # The fake checks every exchange of the test suite. The bound is loose
    # (measured: about 0.1-0.3 ms for an action, a poll or a detail) so that
    # a busy machine does not fail it; the best of a few rounds is taken.
    method, path, query, body, reply = EXAMPLES["create"]
    check(method, path, query, body, 202, reply)
    rounds = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(50):
            check(method, path, query, body, 202, reply)
        rounds.append((time.perf_counter() - start) / 50)

    assert min(rounds) < 0.002
