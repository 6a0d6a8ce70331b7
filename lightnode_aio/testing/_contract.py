"""Checks HTTP exchanges against the project's description of the LightNode API.

The fake server is only worth testing against if it answers as the API does,
and the SDK only works if it sends what the API accepts. Both halves are held
against one document, ``openapi.yaml`` beside this module, which records what
is known about the API (REFERENCE.md) and the fake's concrete choices where
upstream is silent. :func:`check_exchange` takes one request and its reply and
returns every way they depart from that document, as readable sentences.

What is checked:

- The request: the path and method are in the contract; every query
  parameter is one the operation declares, the required ones are present and
  not empty, and each value casts to its type and passes its schema (page
  size 1 to 50, the ``ecs-`` id shape, ...); the JSON body is present when
  the operation takes one and matches its schema (required members, types,
  the password and instance name rules, no unknown members).
- The reply, unless the connection was dropped: its status is described for
  the operation, its content type is JSON, its body parsed as JSON, and the
  body matches the schema of that status (the payload key, the records in
  it, the error body).

What is not: headers. The token never reaches this module, so it cannot end
up in a message; the fake checks it itself. A password in a body is checked
like any other member but never quoted: a violation under a ``password``
member says which rule failed, not the value.

openapi-core interprets the document: it finds the operation, the response
for a status and the media type, and builds the OAS 3.1 schema validators
and the query casters. It reads the document through lazily resolved paths,
which made a call to its request and response validators cost about a
millisecond even with cached schema validators. So each operation and each
(status, content type) of its replies is interpreted once, on first use, and
kept; an exchange then costs little more than its JSON Schema validation:
about 0.05 to 0.3 ms for an action, a poll or a detail, and about 0.1 ms per
record of a list page, so a page of 50 instances takes 5 to 6 ms.

Known limitation: the finders, casters and validator factories used here
are openapi-core's inner modules rather than its top-level validators. They
were read from openapi-core 0.23; a release that moves them breaks the
imports below, and a tested version range for the test extra would make that
dependency explicit.

Messages read ``"<METHOD> <path> request: <what> @ <where>"`` or
``"<METHOD> <path> reply <status>: <what> @ <where>"``, where ``<where>`` is
a JSON path into the body (``$.packageConfig.password``) or a query
parameter (``?pageSize``).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, Protocol, cast

from jsonschema_path import SchemaPath
from openapi_core.casting.schemas import oas31_schema_casters_factory
from openapi_core.casting.schemas.casters import SchemaCaster
from openapi_core.casting.schemas.exceptions import CastError
from openapi_core.templating.media_types.exceptions import MediaTypeNotFound
from openapi_core.templating.media_types.finders import MediaTypeFinder
from openapi_core.templating.paths.exceptions import (
    OperationNotFound,
    PathError,
)
from openapi_core.templating.paths.finders import APICallPathFinder
from openapi_core.templating.responses.exceptions import ResponseNotFound
from openapi_core.templating.responses.finders import ResponseFinder
from openapi_core.validation.schemas import oas31_schema_validators_factory
from openapi_core.validation.schemas.exceptions import InvalidSchemaValue
from openapi_core.validation.schemas.validators import SchemaValidator

__all__ = ["SPEC_PATH", "check_exchange"]

#: The description every exchange is checked against.
SPEC_PATH: Final = Path(__file__).with_name("openapi.yaml")

#: Request bodies are JSON (REFERENCE §1.1); the fake refuses anything else.
_REQUEST_MEDIA_TYPE: Final = "application/json"

#: A member whose name holds this word never has its value quoted.
_NEVER_QUOTED: Final = "password"

#: Keywords whose failure is explained by the alternatives they offer.
_CHOICES: Final = frozenset({"oneOf", "anyOf"})

#: Keywords whose messages name members but never quote values.
_NAMES_ONLY: Final = frozenset(
    {"required", "additionalProperties", "unevaluatedProperties", "dependentRequired"}
)

#: Long enough for a pattern or an enum, short enough for a log line.
_MAX_WHAT: Final = 240


def check_exchange(
    method: str,
    path: str,
    query: Mapping[str, str],
    body: Any | None,
    status: int | None,
    content_type: str | None,
    response_body: Any | None,
) -> list[str]:
    """Validates one request and its reply against ``openapi.yaml``.

    Args:
        method: The HTTP method, in any case.
        path: The request path without the query string, case-sensitive
            (``/instance/list``).
        query: The query parameters as sent, one value per name.
        body: The parsed JSON request body, or ``None`` when there was none
            (every GET) or it was not JSON.
        status: The reply's HTTP status, or ``None`` when the connection was
            dropped without a reply; then only the request is checked.
        content_type: The reply's ``Content-Type`` header, if it had one.
        response_body: The parsed JSON reply, or ``None`` when the reply was
            not JSON.

    Returns:
        One human-readable sentence per violation, such as ``"POST
        /instance/stop request: 'ecsResourceUUID' is a required property @
        $"``; empty when the exchange conforms. A request outside the
        contract (unknown path or method) yields one violation and nothing
        else is checked.
    """
    label = f"{method.upper()} {path}"
    operation = _contract().operation(method, path)
    if isinstance(operation, str):
        return [f"{label} request: {operation}"]

    violations = [
        f"{label} request: {problem}"
        for problem in operation.check_request(query, body)
    ]
    if status is not None:
        violations.extend(
            f"{label} reply {status}: {problem}"
            for problem in operation.check_reply(status, content_type, response_body)
        )
    return violations


@functools.cache
def _contract() -> _Contract:
    # Loaded once per process: every request of the test suite comes here.
    return _Contract(SchemaPath.from_file_path(str(SPEC_PATH)))


class _Contract:
    """The loaded description, with each operation interpreted on first use."""

    def __init__(self, spec: SchemaPath) -> None:
        self._spec = spec
        self._finder = APICallPathFinder(spec)
        # The finder matches full URLs against the servers of the document;
        # the fake serves the same paths on another host, so every path is
        # looked up under the documented server.
        self._server = (spec / "servers" / 0 / "url").read_str()
        self._operations: dict[tuple[str, str], _Operation] = {}

    def operation(self, method: str, path: str) -> _Operation | str:
        """Returns the operation for a request, or why there is none."""
        key = (method.lower(), path)
        known = self._operations.get(key)
        if known is not None:
            return known

        try:
            found = self._finder.find(key[0], self._server + path)
        except OperationNotFound:
            return f"the contract has no {method.upper()} operation on this path"
        except PathError:
            return "the path is not in the contract"

        # Only operations that exist are kept, so a stream of wrong paths
        # cannot grow the cache.
        operation = _Operation(self._spec, found.path, found.operation)
        self._operations[key] = operation
        return operation


class _Operation:
    """One operation of the contract, interpreted once and reused."""

    def __init__(self, spec: SchemaPath, path: SchemaPath, operation: SchemaPath):
        self._spec = spec
        self._responses = operation / "responses"
        self._replies: dict[tuple[int, str | None], _Reply | str] = {}

        declared = itertools.chain(
            _items(operation, "parameters"), _items(path, "parameters")
        )
        self._parameters: dict[str, _QueryParameter] = {}
        for parameter in declared:
            # Only query parameters exist in the contract; header ones (the
            # token) are never passed here, so they could not be checked.
            if (parameter / "in").read_str() != "query":
                continue
            name = (parameter / "name").read_str()
            # An operation-level parameter overrides a path-level one.
            self._parameters.setdefault(name, _QueryParameter(spec, parameter))

        self._body_required = False
        self._body: SchemaValidator | None = None
        if "requestBody" in operation:
            request_body = operation / "requestBody"
            self._body_required = (request_body / "required").read_bool(default=False)
            media = MediaTypeFinder(request_body / "content").find(_REQUEST_MEDIA_TYPE)
            self._body = _validator(spec, media.media_type)

    def check_request(self, query: Mapping[str, str], body: Any | None) -> list[str]:
        """Returns the request's violations: its query, then its body."""
        problems: list[str] = []
        for name, parameter in self._parameters.items():
            problems.extend(parameter.check(query.get(name)))
        problems.extend(
            f"the contract declares no such query parameter @ ?{name}"
            for name in query
            if name not in self._parameters
        )

        if self._body is None:
            if body is not None:
                problems.append("the contract describes no body for this request")
        elif body is None:
            if self._body_required:
                problems.append("the JSON body is missing or not JSON")
        else:
            problems.extend(_schema_problems(self._body, body, "$"))
        return problems

    def check_reply(
        self, status: int, content_type: str | None, body: Any | None
    ) -> list[str]:
        """Returns the reply's violations."""
        key = (status, content_type)
        reply = self._replies.get(key)
        if reply is None:
            reply = self._replies[key] = self._interpret_reply(status, content_type)
        if isinstance(reply, str):
            return [reply]

        if reply.validator is None:
            return []
        if body is None:
            return ["the body is not JSON"]
        return _schema_problems(reply.validator, body, "$")

    def _interpret_reply(self, status: int, content_type: str | None) -> _Reply | str:
        try:
            response = ResponseFinder(self._responses).find(str(status))
        except ResponseNotFound:
            return "the contract does not describe this status"
        if "content" not in response:
            return _Reply(validator=None)

        content = response / "content"
        described = ", ".join(content.str_keys())
        if content_type is None:
            return f"no Content-Type; the contract describes {described}"
        try:
            media = MediaTypeFinder(content).find(content_type)
        except MediaTypeNotFound:
            return (
                f"content type {content_type!r} is not described; "
                f"the contract describes {described}"
            )
        return _Reply(validator=_validator(self._spec, media.media_type))


class _Reply:
    """What a reply of one status and content type must look like."""

    __slots__ = ("validator",)

    def __init__(self, validator: SchemaValidator | None) -> None:
        self.validator = validator


class _QueryParameter:
    """One declared query parameter: its rules, its caster and validator."""

    def __init__(self, spec: SchemaPath, parameter: SchemaPath) -> None:
        self.name = (parameter / "name").read_str()
        self.required = (parameter / "required").read_bool(default=False)
        schema = parameter / "schema"
        self._caster: SchemaCaster = oas31_schema_casters_factory.create(spec, schema)
        self._validator = oas31_schema_validators_factory.create(spec, schema)

    def check(self, value: str | None) -> list[str]:
        """Returns the violations of one value (``None`` when absent)."""
        where = f"?{self.name}"
        if value is None:
            if self.required:
                return [f"a required query parameter is missing @ {where}"]
            return []
        # OpenAPI forbids empty query values unless allowEmptyValue is set,
        # and the API answers an empty code as if it were missing (§1.5).
        if not value:
            return [f"the value is empty @ {where}"]

        try:
            typed = self._caster.cast(value)
        except CastError as err:
            return [f"{value!r} is not of type {err.type!r} @ {where}"]
        return _schema_problems(self._validator, typed, where)


def _items(node: SchemaPath, key: str) -> Iterable[SchemaPath]:
    return node / key if key in node else ()


def _validator(spec: SchemaPath, media_type: SchemaPath) -> SchemaValidator | None:
    if "schema" not in media_type:
        return None
    return oas31_schema_validators_factory.create(spec, media_type / "schema")


# Explaining failures --------------------------------------------------------


class _SchemaError(Protocol):
    """The parts of a jsonschema ``ValidationError`` the messages use."""

    message: str
    validator: str
    validator_value: Any
    instance: Any
    absolute_path: Sequence[str | int]
    relative_schema_path: Sequence[str | int]
    context: list[_SchemaError]


def _schema_problems(validator: SchemaValidator, value: Any, root: str) -> list[str]:
    try:
        validator.validate(value)
    except InvalidSchemaValue as err:
        errors = cast("Iterable[_SchemaError]", err.schema_errors)
        return [_describe(error, root) for error in errors]
    return []


def _describe(error: _SchemaError, root: str) -> str:
    return f"{_what(error, root)} @ {_where(root, error.absolute_path)}"


def _where(root: str, path: Iterable[str | int]) -> str:
    text = root
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part.isidentifier():
            text += f".{part}"
        else:
            text += f"[{part!r}]"
    return text


def _what(error: _SchemaError, root: str) -> str:
    if error.validator in _CHOICES:
        return _what_choice(error, root)

    hidden = [
        part
        for part in error.absolute_path
        if isinstance(part, str) and _NEVER_QUOTED in part.lower()
    ]
    if hidden:
        return f"the {hidden[-1]} (not shown) breaks the {error.validator!r} rule"

    # jsonschema quotes the failing value. An object or a list would bury
    # the point and may hold a password further down, so only messages that
    # name members, never values, are kept for them.
    if isinstance(error.instance, dict | list) and error.validator not in _NAMES_ONLY:
        kind = "the object" if isinstance(error.instance, dict) else "the array"
        if error.validator == "type":
            return f"{kind} is not of type {error.validator_value!r}"
        rule = _shorten(f"{error.validator_value!r}")
        return f"{kind} breaks the {error.validator!r} rule {rule}"
    return _shorten(error.message)


def _what_choice(error: _SchemaError, root: str) -> str:
    """Explains a failed oneOf or anyOf by the best reason of each branch."""
    branches: Sequence[Any] = error.validator_value
    names = [_branch_name(branch, index) for index, branch in enumerate(branches)]
    listed = ", ".join(names)
    if not error.context:
        # oneOf fails without context when more than one branch matches.
        return f"matches more than one of {listed}"

    reasons: dict[int, list[_SchemaError]] = {}
    for sub in error.context:
        reasons.setdefault(int(sub.relative_schema_path[0]), []).append(sub)
    explained = [
        f"{names[index]}: {_describe(_most_telling(subs), root)}"
        for index, subs in sorted(reasons.items())
    ]
    return f"matches none of {listed} ({'; '.join(explained)})"


def _branch_name(branch: Any, index: int) -> str:
    if isinstance(branch, Mapping):
        if "$ref" in branch:
            return str(branch["$ref"]).rsplit("/", 1)[-1]
        if "title" in branch:
            return str(branch["title"])
        if "type" in branch:
            return str(branch["type"])
    return f"option {index + 1}"


def _most_telling(errors: Sequence[_SchemaError]) -> _SchemaError:
    # A plain failure says more than a nested choice, and a failure near the
    # top (a missing payload key) more than one deep inside a record.
    return min(
        errors,
        key=lambda error: (error.validator in _CHOICES, len(error.absolute_path)),
    )


def _shorten(text: str) -> str:
    if len(text) <= _MAX_WHAT:
        return text
    return text[: _MAX_WHAT - 3] + "..."
