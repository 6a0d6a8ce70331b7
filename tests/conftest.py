"""Fixtures shared by the whole suite: the fake API, a client aimed at it,
and a guard that no secret ever reaches a log record, error, operation or
model.

Every test talks real HTTP to a `FakeLightNode` on loopback. The fake checks
each exchange against the project's API description, and the `fake` fixture
fails the test if any request the SDK sent, or any reply the fake gave,
broke it.

The client here is tuned for speed, not for production: the fake's tasks take
tens of milliseconds, so polls and retries wait milliseconds, and its limits
are raised far above the real defaults.
"""

from __future__ import annotations

import logging
import secrets
import weakref
from collections.abc import AsyncIterator, Callable, Iterator

import pytest

from lightnode_aio import (
    LightNode,
    LightNodeError,
    Limits,
    Operation,
    PollPolicy,
    RetryPolicy,
    _converter,
    _operation,
)
from lightnode_aio.resources import _base as resources_base
from lightnode_aio.testing import FakeLightNode

#: Passwords the tests use; the log guard looks for each of them.
PASSWORD = "Sup3r-Secret!x"
OTHER_PASSWORD = "An0ther:Secret"
PASSWORDS = (PASSWORD, OTHER_PASSWORD)

#: The token of every fake in the suite, made fresh for each run.
TOKEN = "fake-" + secrets.token_hex(12)

FAST_POLLING = PollPolicy(first_interval=0.02, factor=1.5, max_interval=0.1)
FAST_RETRIES = RetryPolicy(
    max_tries=4, base_delay=0.01, max_delay=0.05, settle_delay=0.5
)
HIGH_LIMITS = Limits(max_in_flight=64, requests_per_second=5000)


def make_client(fake: FakeLightNode, **overrides: object) -> LightNode:
    """A client aimed at the fake, with test-speed policies."""
    options: dict[str, object] = {
        "base_url": fake.url,
        "polling": FAST_POLLING,
        "retry": FAST_RETRIES,
        "limits": HIGH_LIMITS,
    }
    options.update(overrides)
    return LightNode(fake.token, **options)  # type: ignore[arg-type]


@pytest.fixture
async def fake() -> AsyncIterator[FakeLightNode]:
    """A seeded fake API with quick tasks, checked against the contract."""
    async with FakeLightNode(
        token=TOKEN, task_duration=0.05, check_contract=True
    ) as server:
        yield server
        assert server.contract_violations == []


@pytest.fixture
async def ln(fake: FakeLightNode) -> AsyncIterator[LightNode]:
    """A client aimed at the fake, closed after the test."""
    async with make_client(fake) as client:
        yield client


@pytest.fixture(autouse=True)
def no_secrets_anywhere(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Fails the test if the token or a test password shows up in any log
    record (captured at DEBUG), or in the str or repr of any error raised,
    operation made or model built during the test.

    It wraps the constructors of errors and operations and the converter, so
    it sees every one of them in every scenario of the suite, not only in
    the tests that look.
    """
    caplog.set_level(logging.DEBUG)
    seen: list[Callable[[], object]] = []

    def watch(cls: type, *, weakly: bool) -> None:
        original = cls.__init__

        def recording(self: object, *args: object, **kwargs: object) -> None:
            original(self, *args, **kwargs)
            seen.append(weakref.ref(self) if weakly else lambda: self)

        monkeypatch.setattr(cls, "__init__", recording)

    watch(LightNodeError, weakly=False)
    # Weakly: a dropped operation must still be collected, and warn.
    watch(Operation, weakly=True)
    original_structure = _converter.structure

    def structure(record: object, cls: type, *, where: str = "$") -> object:
        model = original_structure(record, cls, where=where)
        seen.append(lambda: model)
        return model

    original_structure_list = _converter.structure_list

    def structure_list(records: object, cls: type, *, where: str) -> object:
        models = original_structure_list(records, cls, where=where)
        seen.append(lambda: models)
        return models

    # Every module that builds models, under the name it imported.
    for module in (_converter, _operation, resources_base):
        monkeypatch.setattr(module, "structure", structure)
    for module in (_converter, resources_base):
        monkeypatch.setattr(module, "structure_list", structure_list)

    yield

    texts = [
        record.getMessage() + repr(record.args) + (record.exc_text or "")
        for record in caplog.records
    ]
    alive = [thing() for thing in seen]
    texts += [str(thing) + repr(thing) for thing in alive if thing is not None]
    for text in texts:
        for secret in (TOKEN, *PASSWORDS):
            assert secret not in text, f"a secret leaked: {text[:200]}"
