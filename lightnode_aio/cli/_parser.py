"""The command line: every command, its options, and the function it runs.

The options every command shares (``--base-url``, ``--json``, ``-v``,
``--yes``) are accepted both before the command and after it: each
subcommand repeats them with a suppressed default, so a value given after
the command wins and one given before is not overwritten.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Final, NoReturn

from lightnode_aio.cli import _changes, _demo, _reads
from lightnode_aio.cli._runtime import Runtime
from lightnode_aio.models import ImageType

__all__ = ["EPILOG", "build_parser"]

EPILOG: Final = """\
The API token is read from LIGHTNODE_TOKEN only, never from an option, so it
stays out of the shell history. Passwords are read from the variable named by
--password-env, or asked for on the terminal.

exit codes:
  0    success
  1    partial failure: some servers failed or their outcome is unknown
  2    usage error, bad input, or a refused confirmation; nothing was changed
  3    API or connection error: nothing was done (e.g. a wrong token)
  130  interrupted (Ctrl-C)
"""

_FILTERS_HELP: Final = (
    "Name the servers by id, or pick them with filters (not both). Stopping, "
    "restarting, reinstalling or resetting the password of more than one "
    "server, and any delete, asks 'Proceed? [y/N]' unless --yes."
)


class _Parser(argparse.ArgumentParser):
    """An argparse parser whose usage errors are one line."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"lightnode: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    """The ``lightnode`` parser; each command sets ``handler``."""
    parser = _Parser(
        prog="lightnode",
        description="Manage LightNode cloud servers from the command line.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_shared(parser, suppress=False)
    shared = _Parser(add_help=False)
    _add_shared(shared, suppress=True)
    commands = _Commands(parser, "command", shared)

    commands.add("regions", "list the regions on sale and their zones", _reads.regions)

    packages = commands.add(
        "packages", "list the plans servers are created with", _reads.packages
    )
    _add_place(packages)

    images = commands.add("images", "list the images servers can run", _reads.images)
    images.add_argument("--region", help="only images of this region")
    images.add_argument(
        "--type",
        help="only images of this type: " + ", ".join(kind.value for kind in ImageType),
    )

    commands.add("ssh-keys", "list the account's SSH keys", _reads.ssh_keys)

    groups = commands.add(
        "security-groups", "list the security groups", _reads.security_groups
    )
    groups.add_argument("--region", help="only groups of this region")

    instances = commands.add("instances", "list, show, create and change servers")
    _add_instance_commands(_Commands(instances, "instances_command", shared))

    tasks = commands.add("tasks", "follow the API's asynchronous tasks")
    wait = _Commands(tasks, "tasks_command", shared).add(
        "wait", "wait for a task to end and print it", _reads.tasks_wait
    )
    wait.add_argument("id", metavar="ID", help="the task id")
    wait.add_argument(
        "--deadline",
        type=_seconds,
        metavar="S",
        help="give up after S seconds (default: an hour)",
    )

    demo = commands.add(
        "demo",
        "run servers through create, reinstall, stop and delete on a built-in "
        "fake API (no token needed)",
        _demo.demo,
    )
    demo.add_argument(
        "--count", type=_count, default=20, metavar="N", help="servers (default 20)"
    )
    demo.add_argument(
        "--task-duration",
        type=_seconds,
        default=1.0,
        metavar="S",
        help="seconds each fake task runs (default 1.0)",
    )
    return parser


class _Commands:
    """The subcommands of one parser, each given the shared options."""

    def __init__(self, parser: _Parser, dest: str, shared: _Parser) -> None:
        self._group = parser.add_subparsers(
            dest=dest, required=True, metavar="COMMAND", parser_class=_Parser
        )
        self._shared = shared

    def add(
        self, name: str, summary: str, handler: Callable[[Runtime], int] | None = None
    ) -> _Parser:
        parser = self._group.add_parser(
            name,
            help=summary,
            description=summary[0].upper() + summary[1:] + ".",
            parents=[self._shared],
        )
        if handler is not None:
            parser.set_defaults(handler=handler)
        return parser


def _add_instance_commands(commands: _Commands) -> None:
    listing = commands.add(
        "list", "list servers, in every region unless filtered", _reads.instances_list
    )
    _add_filters(listing)

    show = commands.add("show", "show every field of one server", _reads.instances_show)
    show.add_argument("id", metavar="ID", help="the instance id (ecs-...)")

    create = commands.add("create", "create one server or several", _changes.create)
    for option, help_text in (
        ("--name", "its name; with --count N, servers NAME-1 to NAME-N"),
        ("--region", "the region code"),
        ("--zone", "the zone code"),
        ("--package", "the plan's code (see 'lightnode packages')"),
        ("--image", "the image id (see 'lightnode images')"),
    ):
        create.add_argument(option, required=True, help=help_text)
    create.add_argument("--ssh-key", metavar="ID", help="an SSH key to log in with")
    create.add_argument("--security-group", metavar="ID", help="a security group")
    create.add_argument(
        "--count", type=_count, default=1, metavar="N", help="servers (default 1)"
    )
    _add_password(create, "optional with --ssh-key")
    _add_run_options(create)

    for name, summary, handler in (
        ("start", "start servers", _changes.start),
        ("stop", "stop servers", _changes.stop),
        ("restart", "restart servers", _changes.restart),
        ("reinstall", "reinstall servers' systems (wipes them)", _changes.reinstall),
        ("reset-password", "set a new root password", _changes.reset_password),
        ("delete", "delete servers and their data for good", _changes.delete),
    ):
        parser = commands.add(name, summary, handler)
        parser.epilog = _FILTERS_HELP
        parser.add_argument(
            "ids", nargs="*", metavar="ID", help="instance ids (ecs-...)"
        )
        _add_filters(parser)
        _add_run_options(parser)
        if name == "stop":
            parser.add_argument(
                "--force", action="store_true", help="power off without a shutdown"
            )
        if name == "reinstall":
            parser.add_argument(
                "--image", required=True, help="the image id to install"
            )
            parser.add_argument("--ssh-key", metavar="ID", help="an SSH key to install")
        if name in ("reinstall", "reset-password"):
            _add_password(parser, "required")


def _add_password(parser: argparse.ArgumentParser, note: str) -> None:
    parser.add_argument(
        "--password-env",
        metavar="VAR",
        help=f"read the new password from environment variable VAR ({note}); "
        "without it the password is asked on the terminal",
    )


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--concurrency",
        type=_count,
        default=10,
        metavar="N",
        help="servers changed at once (default 10)",
    )
    parser.add_argument(
        "--deadline",
        type=_seconds,
        metavar="S",
        help="seconds each server's change may take (default: the SDK's)",
    )


def _add_shared(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    def default(value: object) -> object:
        return argparse.SUPPRESS if suppress else value

    parser.add_argument(
        "--base-url",
        default=default(None),
        metavar="URL",
        help="the API's address (default: LIGHTNODE_BASE_URL, or the real API)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        default=default(False),
        help="print JSON instead of tables",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=default(0),
        help="log to standard error: -v retries and slow-downs, -vv every request",
    )
    parser.add_argument(
        "--yes",
        action="store_true",
        default=default(False),
        help="do not ask before destructive changes",
    )


def _add_place(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--region", help="only this region")
    parser.add_argument("--zone", help="only this zone")


def _add_filters(parser: argparse.ArgumentParser) -> None:
    _add_place(parser)
    parser.add_argument(
        "--status", help="only servers in this state (STARTED, STOPPED, ...)"
    )
    parser.add_argument(
        "--name", metavar="GLOB", help="only servers whose name matches, e.g. 'web-*'"
    )


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a positive number of seconds"
        )
    return value
