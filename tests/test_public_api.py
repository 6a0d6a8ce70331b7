"""The public surface: what each public module exports, sorted and real."""

from __future__ import annotations

import types

import pytest

import lightnode_aio
import lightnode_aio.models
import lightnode_aio.resources
import lightnode_aio.testing


@pytest.mark.parametrize(
    "module",
    [
        lightnode_aio,
        lightnode_aio.models,
        lightnode_aio.resources,
        lightnode_aio.testing,
    ],
    ids=lambda module: module.__name__,
)
def test_all_is_sorted_and_every_name_exists(module: types.ModuleType) -> None:
    names = list(module.__all__)

    assert names == sorted(names, key=lambda name: (not name.isupper(), name))
    assert all(hasattr(module, name) for name in names)


def test_the_contract_names_are_public() -> None:
    for name in (
        "LightNode",
        "Operation",
        "LightNodeError",
        "APIError",
        "AuthenticationError",
        "PermissionDeniedError",
        "NotFoundError",
        "BadRequestError",
        "RateLimitError",
        "ServerError",
        "TransportError",
        "TaskError",
        "TaskFailedError",
        "TaskTimeoutError",
        "InvalidArgumentError",
        "Instance",
    ):
        assert name in lightnode_aio.__all__


def test_invalid_argument_error_is_a_value_error() -> None:
    assert issubclass(lightnode_aio.InvalidArgumentError, ValueError)
    assert issubclass(lightnode_aio.ClientClosedError, RuntimeError)
