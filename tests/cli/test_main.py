"""``lightnode`` as a whole: options, exit codes, and errors as one line."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys

import pytest

from lightnode_aio.cli import ExitCode, main
from lightnode_aio.testing import FakeLightNode
from tests.cli.conftest import Run


def test_help_documents_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--help"])

    out = capsys.readouterr().out
    assert code == 0
    assert "exit codes:" in out
    for line in (
        "0    success",
        "1    partial failure",
        "2    usage error",
        "3    API",
    ):
        assert line in out
    assert "LIGHTNODE_TOKEN" in out
    assert "--token" not in out


def test_exit_codes_have_their_documented_values() -> None:
    assert [int(code) for code in ExitCode] == [0, 1, 2, 3, 130]


@pytest.mark.parametrize(
    "argv",
    [[], ["instances"], ["instances", "frobnicate"], ["demo", "--count", "0"]],
    ids=["no command", "no subcommand", "unknown subcommand", "bad number"],
)
def test_usage_errors_are_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code = main(argv)

    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("lightnode: error: ")
    assert len(err.splitlines()) == 1


def test_the_token_is_not_an_option(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--token", "fake-secret-value", "regions"])

    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("lightnode: error: --token is not an option: set the ")
    assert "fake-secret-value" not in err


async def test_a_missing_token_explains_where_it_comes_from(
    cli: Run, fake: FakeLightNode, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LIGHTNODE_TOKEN")

    done = await cli("regions")

    assert done.code == 2
    assert done.err.startswith("lightnode: error: no API token: set LIGHTNODE_TOKEN")
    assert "lightnode demo" in done.err
    assert len(done.err.splitlines()) == 1
    assert fake.requests == []


async def test_a_wrong_token_exits_with_3_and_one_line(
    cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIGHTNODE_TOKEN", "fake-wrong-token")

    done = await cli("instances", "list")

    assert done.code == 3
    assert done.out == ""
    assert done.err.startswith("lightnode: error: GET /region/list failed with 401")
    assert len(done.err.splitlines()) == 1
    assert "Traceback" not in done.err
    assert "fake-wrong-token" not in done.err


async def test_a_wrong_token_on_a_change_exits_with_3(
    cli: Run, fake: FakeLightNode, monkeypatch: pytest.MonkeyPatch
) -> None:
    server_id = next(iter(fake.instances))
    monkeypatch.setenv("LIGHTNODE_TOKEN", "fake-wrong-token")

    done = await cli("instances", "restart", server_id, "--json")

    assert done.code == 3
    assert done.json()[0]["outcome"] == "failed"
    assert done.err.splitlines()[-1].startswith("lightnode: error: ")
    assert "401" in done.err.splitlines()[-1]


async def test_a_missing_server_is_an_api_error(cli: Run) -> None:
    done = await cli("instances", "show", "ecs-0000missing")

    assert done.code == 3
    assert done.err == (
        "lightnode: error: GET /instance/detail failed with 404 "
        "[InvalidInstance.NotFound]: The instance ecs-0000missing does not exist\n"
    )


async def test_a_bad_base_url_is_bad_input(cli: Run) -> None:
    done = await cli("--base-url", "http://example.com", "regions")

    assert done.code == 2
    assert "plain http" in done.err


async def test_shared_options_go_before_or_after_the_command(cli: Run) -> None:
    before = await cli("--json", "regions")
    after = await cli("regions", "--json")

    assert before.code == after.code == 0
    assert before.json() == after.json()


async def test_verbose_logs_requests_to_stderr_and_cleans_up(cli: Run) -> None:
    logger = logging.getLogger("lightnode_aio")
    handlers, level = list(logger.handlers), logger.level

    done = await cli("-vv", "regions")

    assert done.code == 0
    assert "DEBUG lightnode_aio._http: GET /region/list -> 202" in done.err
    assert logger.handlers == handlers
    assert logger.level == level


async def test_an_error_under_vv_shows_its_traceback(
    cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIGHTNODE_TOKEN", "fake-wrong-token")

    done = await cli("regions", "-vv")

    assert done.code == 3
    assert "Traceback" in done.err
    assert done.err.splitlines()[-1].startswith("lightnode: error: ")


@pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT")
@pytest.mark.timeout(60)
def test_ctrl_c_exits_with_130_and_one_line() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIGHTNODE_")}
    with subprocess.Popen(
        [sys.executable, "-m", "lightnode_aio", "demo", "--task-duration", "30"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        # Started from a shell without job control, SIGINT may be ignored.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    ) as process:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("LightNode demo:")
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)

    assert process.returncode == 130
    assert err.splitlines()[-1] == "lightnode: interrupted"
    assert "Traceback" not in err
