"""The users' pytest fixtures, run the way a user runs them: in a pytest
session of their own, enabled from a conftest.py, under pytest-asyncio."""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import textwrap
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

# Hypothesis's plugin imports much of Hypothesis at the end of every session,
# and a run in process forgets it again; the user's tests have no use for it.
OPTIONS = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest")

CONFTEST = 'pytest_plugins = ["lightnode_aio.testing.pytest_plugin"]\n'

# Each test of the user's file checks that the fixtures of the test before
# it were closed and that it got fresh ones.
LIFETIME = """
import pytest

from lightnode_aio import LightNode
from lightnode_aio.testing import FakeLightNode

seen: list[tuple[LightNode, FakeLightNode]] = []


@pytest.mark.asyncio
@pytest.mark.parametrize("round", [1, 2])
async def test_fresh_fixtures_each_time(
    lightnode_client: LightNode, lightnode_fake: FakeLightNode, round: int
) -> None:
    assert lightnode_client.base_url == lightnode_fake.url
    assert await lightnode_client.regions.list()
    for client, fake in seen:
        assert client.closed
        assert client is not lightnode_client and fake is not lightnode_fake
    seen.append((lightnode_client, lightnode_fake))
"""


def _documented_example() -> str:
    """The complete test shown in the plugin's docstring, as a file.

    The module is read, not imported: the user's session imports it, and
    pytest rewrites its asserts only if nothing imported it before.
    """
    spec = importlib.util.find_spec("lightnode_aio.testing.pytest_plugin")
    assert spec is not None and spec.origin is not None
    doc = ast.get_docstring(ast.parse(Path(spec.origin).read_text()))
    assert doc is not None
    block = doc.split("A complete test::\n", 1)[1].split("\n(With", 1)[0]
    return textwrap.dedent(block)


def _user_project(
    pytester: pytest.Pytester, mode: str = "strict", *, enable: bool = True
) -> None:
    if enable:
        pytester.makeconftest(CONFTEST)
    pytester.makeini(
        textwrap.dedent(
            f"""\
            [pytest]
            asyncio_mode = {mode}
            asyncio_default_fixture_loop_scope = function
            filterwarnings = error
            """
        )
    )


@pytest.mark.parametrize("mode", ["strict", "auto"])
def test_the_documented_example_passes(pytester: pytest.Pytester, mode: str) -> None:
    _user_project(pytester, mode)
    pytester.makepyfile(test_user=_documented_example())

    result = pytester.runpytest(*OPTIONS)

    result.assert_outcomes(passed=1)


def test_every_test_gets_fresh_fixtures_closed_after_it(
    pytester: pytest.Pytester,
) -> None:
    _user_project(pytester)
    pytester.makepyfile(test_lifetime=LIFETIME)

    result = pytester.runpytest(*OPTIONS)

    result.assert_outcomes(passed=2)


def test_the_fixtures_exist_only_where_asked_for(pytester: pytest.Pytester) -> None:
    _user_project(pytester, enable=False)
    pytester.makepyfile(test_plain="def test_needs_it(lightnode_fake):\n    pass\n")

    result = pytester.runpytest(*OPTIONS)

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'lightnode_fake' not found*"])


def test_the_plugin_is_not_an_entry_point() -> None:
    plugins = importlib.metadata.entry_points(group="pytest11")

    assert not [p for p in plugins if p.value.startswith("lightnode_aio")]
