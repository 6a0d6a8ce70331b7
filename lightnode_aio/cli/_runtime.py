"""What every command runs on: exit codes, the terminal, the event loop and
the client.

A command runs its network steps through :class:`Runtime`, one
``asyncio.Runner`` that keeps one event loop (and so one client) across
several ``run`` calls. Questions to the user (a password, ``Proceed?``) are
asked between those calls, while no loop is running, so Ctrl-C at a prompt
is a plain ``KeyboardInterrupt`` and nothing in flight is left behind.
"""

from __future__ import annotations

import argparse
import asyncio
import enum
import getpass
import os
import sys
from collections.abc import Coroutine
from types import TracebackType
from typing import Any, Final, TextIO, TypeVar

import attrs

from lightnode_aio._client import TOKEN_VARIABLE, LightNode
from lightnode_aio._config import PollPolicy
from lightnode_aio._validation import check_password

__all__ = [
    "POLLING",
    "Console",
    "ExitCode",
    "Runtime",
    "UsageError",
    "confirm",
    "read_password",
]

T = TypeVar("T")

#: How the command's client polls tasks: the SDK's defaults. The test suite
#: replaces it with a faster policy, since its fake's tasks take milliseconds.
POLLING: PollPolicy = PollPolicy()

_MISSING_TOKEN: Final = (
    f"no API token: set {TOKEN_VARIABLE} in the environment (it is never taken "
    "as an option, which would keep it in the shell history), or try "
    "'lightnode demo', which needs none"
)


class ExitCode(enum.IntEnum):
    """What the exit status of ``lightnode`` says."""

    OK = 0
    """Everything asked for was done."""
    PARTIAL = 1
    """Some servers failed or ended unknown (or a waited-for task failed)."""
    USAGE = 2
    """Bad usage or input, or a confirmation was refused: nothing was changed."""
    ERROR = 3
    """The API or the connection failed before any work was done."""
    INTERRUPTED = 130
    """Ctrl-C (128 + SIGINT, as shells report it)."""


class UsageError(Exception):
    """The command cannot run as asked; its message is the one line shown.

    Nothing was changed on the API when it is raised.
    """


@attrs.define
class Console:
    """The three standard streams of one command.

    Results go to ``out``; progress, questions and errors to ``err``, so
    ``--json`` output stays clean for a pipe.
    """

    out: TextIO
    err: TextIO
    inp: TextIO

    @classmethod
    def from_sys(cls) -> Console:
        """The process's streams, as they are now (pytest swaps them)."""
        return cls(out=sys.stdout, err=sys.stderr, inp=sys.stdin)

    @property
    def interactive(self) -> bool:
        """Whether a person can answer: standard input is a terminal."""
        return _isatty(self.inp)

    @property
    def err_is_terminal(self) -> bool:
        """Whether progress may redraw one line on standard error."""
        return _isatty(self.err)

    def print(self, text: str = "") -> None:
        """Writes a line of results to standard output."""
        self.out.write(text + "\n")
        self.out.flush()

    def note(self, text: str) -> None:
        """Writes a line for the person watching to standard error."""
        self.err.write(text + "\n")
        self.err.flush()

    def error(self, message: str) -> None:
        """Writes the one line that explains a failure."""
        self.note(f"lightnode: error: {message}")


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream
        return False


class Runtime:
    """One command's event loop and, when it needs one, its client.

    Use it as a context manager: leaving it closes the client (cancelling
    nothing that finished) and then the loop.

    Args:
        args: The parsed command line.
        console: Where output goes.
    """

    def __init__(self, args: argparse.Namespace, console: Console) -> None:
        self.args = args
        self.console = console
        self._runner = asyncio.Runner()
        self._client: LightNode | None = None

    def __enter__(self) -> Runtime:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if self._client is not None and not self._client.closed:
                self._runner.run(self._client.close())
        finally:
            self._runner.close()

    @property
    def client(self) -> LightNode:
        """The API client, made on first use from the environment.

        Raises:
            UsageError: ``LIGHTNODE_TOKEN`` is not set.
            InvalidArgumentError: The base URL is not acceptable.
        """
        if self._client is None:
            if not os.environ.get(TOKEN_VARIABLE):
                raise UsageError(_MISSING_TOKEN)
            self._client = LightNode(base_url=self.args.base_url, polling=POLLING)
        return self._client

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Runs one coroutine on the command's loop and returns its result."""
        return self._runner.run(coroutine)


def read_password(console: Console, variable: str | None, *, purpose: str) -> str:
    """Gets a new server password without it ever being an argument.

    From the environment variable named by ``--password-env`` when given;
    otherwise asked twice on the terminal.

    Args:
        console: Tells whether a person can be asked.
        variable: The name given to ``--password-env``, or None.
        purpose: What needs it, for the messages (``"reinstall"``).

    Returns:
        The password, checked against the API's rules.

    Raises:
        UsageError: The variable is unset or empty, nobody can be asked, or
            the two answers differ.
        InvalidArgumentError: It breaks a password rule; the message names
            the rule, never the password.
    """
    if variable is not None:
        password = os.environ.get(variable, "")
        if not password:
            raise UsageError(
                f"--password-env {variable}: that environment variable is "
                "not set or empty"
            )
        return check_password(password)

    if not console.interactive:
        raise UsageError(
            f"{purpose} needs a password and standard input is not a terminal "
            "to ask for it: pass --password-env VAR with the password in the "
            "environment variable VAR"
        )
    password = getpass.getpass("New password: ", stream=console.err)
    check_password(password)
    if getpass.getpass("Repeat the password: ", stream=console.err) != password:
        raise UsageError("the two passwords differ; nothing was done")
    return password


def confirm(console: Console, action: str, listing: str, *, assume_yes: bool) -> None:
    """Asks ``Proceed? [y/N]`` on the terminal before a destructive change.

    Args:
        console: Where to ask.
        action: What is about to happen, e.g. ``delete 3 servers``.
        listing: Which servers, for the question.
        assume_yes: ``--yes`` was given: do not ask.

    Raises:
        UsageError: Nobody can be asked, or the answer was not yes.
    """
    if assume_yes:
        return
    if not console.interactive:
        raise UsageError(
            f"refusing to {action} without a confirmation, and standard input "
            "is not a terminal to ask on: pass --yes"
        )
    console.err.write(f"About to {action}: {listing}\nProceed? [y/N] ")
    console.err.flush()
    answer = console.inp.readline().strip().lower()
    if answer not in ("y", "yes"):
        raise UsageError(f"not confirmed; did not {action}")
