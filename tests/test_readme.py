"""Every code block of the README runs, against the fake.

The blocks are taken from README.md in order. Python snippets run in one
shared namespace with top-level ``await``, as a reader would type them into
``python -m asyncio``, given an open client ``ln``, a password ``pw`` and a
``server_id`` (the README says so). A Python block that is a whole program
(it calls ``asyncio.run``) runs as a script. A ``test_*`` coroutine a block
defines is awaited. Console lines run the ``lightnode`` command in process
or the example scripts; the install steps (``python3 -m venv``, ``pip``,
``pytest``) are skipped, since they are what CI itself runs. Placeholders
the README must show (``ecs-...``, ``img-...``, ``TASK_ID``, a password's
``...``) are filled in with real values from the fake.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import os
import re
import shlex
import sys
from pathlib import Path
from typing import Any

import pytest

import lightnode_aio
from lightnode_aio import fleet
from lightnode_aio.cli import _runtime
from lightnode_aio.cli import main as cli_main
from lightnode_aio.testing import FakeLightNode
from tests.conftest import FAST_POLLING, PASSWORD, make_client

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.MULTILINE | re.DOTALL)
SKIPPED_STEPS = ("python3 -m venv", ". .venv/bin/activate", "pip install", "pytest")


def blocks() -> list[tuple[str, str]]:
    """The README's fenced blocks that have a language, in order."""
    return [(m[1], m[2]) for m in BLOCK.finditer(README.read_text())]


def test_the_readme_has_the_blocks_this_test_runs() -> None:
    languages = [language for language, _ in blocks()]

    assert languages.count("python") >= 10
    assert languages.count("console") >= 3
    assert set(languages) <= {"python", "console"}


@pytest.mark.timeout(180)
async def test_every_readme_block_runs(
    fake: FakeLightNode, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIGHTNODE_TOKEN", fake.token)
    monkeypatch.setenv("LIGHTNODE_BASE_URL", fake.url)
    monkeypatch.setattr(_runtime, "POLLING", FAST_POLLING)
    stopped = fake.add_instance(
        region="tr-ist-1", zone="tr-ist-1-a", name="readme-1", status="STOPPED"
    )["ecsResourceUUID"]
    image = next(
        i["imageResourceUUID"] for i in fake.images if i["regionCode"] == "tr-ist-1"
    )
    ran = 0

    async with make_client(fake) as ln:
        task_id = await ln.instances.start(stopped).submitted()
        fill = {"ecs-...": stopped, "img-...": image, "TASK_ID": task_id}
        namespace: dict[str, Any] = {
            name: getattr(lightnode_aio, name) for name in lightnode_aio.__all__
        }
        namespace.update(
            asyncio=asyncio, fleet=fleet, ln=ln, pw=PASSWORD, server_id=stopped
        )
        for language, code in blocks():
            if language == "python" and "asyncio.run(" in code:
                ran += await _run_script(code)
            elif language == "python":
                ran += await _run_snippet(code, namespace)
            else:
                ran += await _run_console(code, fill)

    assert ran >= 15


async def _run_snippet(code: str, namespace: dict[str, Any]) -> int:
    flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    compiled = compile(code, "<README>", "exec", flags=flags)
    result = eval(compiled, namespace)  # noqa: S307 (the README's own code)
    if inspect.iscoroutine(result):
        await result
    for name, value in list(namespace.items()):
        if name.startswith("test_") and inspect.iscoroutinefunction(value):
            await value()
            del namespace[name]
    return 1


async def _run_script(code: str) -> int:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        code,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=dict(os.environ),
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode()
    assert out
    return 1


async def _run_console(code: str, fill: dict[str, str]) -> int:
    ran = 0
    for raw_line in code.splitlines():
        line = raw_line.split("#")[0].strip()  # no README command holds a "#"
        for placeholder, value in fill.items():
            line = line.replace(placeholder, value)
        for step in filter(None, (part.strip() for part in line.split("&&"))):
            if step.startswith(SKIPPED_STEPS):
                continue
            ran += await _run_step(step)
    return ran


async def _run_step(step: str) -> int:
    words = shlex.split(step)
    env: dict[str, str] = {}
    while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
        name, _, value = words.pop(0).partition("=")
        env[name] = PASSWORD if value == "..." else value
    os.environ.update(env)
    try:
        if words[0] == "lightnode":
            code = await asyncio.to_thread(cli_main, [*words[1:], "--yes"])
        elif words[:2] == ["python", "-m"] or words[0] == "python":
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                *words[1:],
                cwd=README.parent,
                stdout=asyncio.subprocess.DEVNULL,
                env={k: v for k, v in os.environ.items() if k != "LIGHTNODE_TOKEN"},
            )
            code = await asyncio.wait_for(process.wait(), timeout=120)
        else:
            raise AssertionError(
                f"the README runs a command this test does not know: {step}"
            )
    finally:
        for name in env:
            os.environ.pop(name, None)
    assert code == 0, step
    return 1
