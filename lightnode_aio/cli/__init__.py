"""The ``lightnode`` command (also ``python -m lightnode_aio``).

Standard library only (argparse); every command runs on the SDK::

    lightnode [--base-url URL] [--json] [-v] [--yes] COMMAND ...

    regions                         the regions on sale and their zones
    packages [--region] [--zone]    plans
    images [--region] [--type]      images
    ssh-keys                        SSH keys
    security-groups [--region]      security groups
    instances list [FILTERS]        servers, in every region unless filtered
    instances show ID               every field of one server
    instances create --name --region --zone --package --image
                     [--ssh-key] [--security-group] [--count N]
    instances start|stop|restart|reinstall|reset-password|delete
                     [ID ... | FILTERS]
    tasks wait ID [--deadline S]    wait for a task and print it
    demo [--count N]                the main job, on a built-in fake API

    FILTERS: --region R --zone Z --status S --name GLOB

The token comes from ``LIGHTNODE_TOKEN`` only (an option would land in the
shell history); passwords from the variable named by ``--password-env`` or a
prompt. Results go to standard output, as tables or with ``--json`` as JSON;
progress, prompts and errors go to standard error. An error is one line,
``lightnode: error: ...``, with a traceback only under ``-vv``.

Exit codes:

====  ===================================================================
0     success
1     partial failure: some servers failed or their outcome is unknown
      (or the task ``tasks wait`` waited for failed)
2     usage error, bad input, or a refused confirmation; nothing changed
3     API or connection error before any work was done (a wrong token, an
      unreachable API, every request refused)
130   interrupted with Ctrl-C
====  ===================================================================
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import traceback
from collections.abc import Iterator, Sequence
from typing import TextIO

from lightnode_aio._exceptions import InvalidArgumentError, LightNodeError
from lightnode_aio.cli._parser import build_parser
from lightnode_aio.cli._runtime import Console, ExitCode, Runtime, UsageError

__all__ = ["ExitCode", "main"]

#: What a shell reports for a process that wrote to a closed pipe (128 +
#: SIGPIPE), as ``lightnode instances list | head`` does.
_BROKEN_PIPE = 141


def main(argv: Sequence[str] | None = None) -> int:
    """Runs one ``lightnode`` command.

    Args:
        argv: The arguments after the program name; ``sys.argv[1:]`` when
            None.

    Returns:
        The exit code (see the module docstring).
    """
    console = Console.from_sys()
    arguments = list(sys.argv[1:] if argv is None else argv)
    if any(arg == "--token" or arg.startswith("--token=") for arg in arguments):
        # Said plainly, and before argparse could echo the value back.
        console.error(
            "--token is not an option: set the LIGHTNODE_TOKEN environment "
            "variable instead, so the token stays out of the shell history"
        )
        return ExitCode.USAGE
    try:
        args = build_parser().parse_args(arguments)
    except SystemExit as done:  # --help, or a usage error already printed
        return done.code if isinstance(done.code, int) else ExitCode.USAGE

    with _logging(args.verbose, console.err):
        return _dispatch(args, console)


def _dispatch(args: argparse.Namespace, console: Console) -> int:
    verbose: int = args.verbose
    try:
        with Runtime(args, console) as runtime:
            return int(args.handler(runtime))
    except KeyboardInterrupt:
        console.note("lightnode: interrupted")
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        _silence(console.out)
        return _BROKEN_PIPE
    except (UsageError, InvalidArgumentError) as error:
        return _fail(console, error, ExitCode.USAGE, verbose)
    except LightNodeError as error:
        return _fail(console, error, ExitCode.ERROR, verbose)
    except Exception as error:  # a bug of ours: still one line, not a traceback
        message = f"unexpected {type(error).__name__}: {error}"
        if verbose < 2:
            message += " (run with -vv for the traceback)"
        return _fail(console, message, ExitCode.ERROR, verbose)


def _fail(
    console: Console, error: BaseException | str, code: ExitCode, verbose: int
) -> int:
    if verbose >= 2 and isinstance(sys.exc_info()[1], BaseException):
        traceback.print_exc(file=console.err)
    console.error(str(error))
    return code


@contextlib.contextmanager
def _logging(verbosity: int, stream: TextIO) -> Iterator[None]:
    """Sends the SDK's log to standard error: INFO with -v, DEBUG with -vv."""
    if verbosity < 1:
        yield
        return
    logger = logging.getLogger("lightnode_aio")
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    previous = logger.level
    logger.setLevel(logging.INFO if verbosity == 1 else logging.DEBUG)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


def _silence(stream: TextIO) -> None:
    # Python flushes standard output again at exit and would report the
    # broken pipe there; pointing it at /dev/null ends that (the recipe of
    # the signal module's documentation).
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
