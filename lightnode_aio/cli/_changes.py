"""The commands that change servers, on one server or many.

Every change runs through :func:`lightnode_aio.fleet.map`, whether it names
one server or a hundred: at most ``--concurrency`` at once, progress on
standard error, and one outcome per server on standard output. A command
goes through the same steps each time:

1. read what is needed locally (a password), before anything is sent;
2. find the servers: the ids given, or the servers a filter matches;
3. ask ``Proceed?`` for a destructive change, unless ``--yes``;
4. run the fleet, then print the outcomes and pick the exit code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

import attrs

from lightnode_aio import fleet
from lightnode_aio._client import LightNode
from lightnode_aio._exceptions import InvalidArgumentError
from lightnode_aio._operation import Operation
from lightnode_aio._validation import check_id, check_name
from lightnode_aio.cli._progress import Progress
from lightnode_aio.cli._reads import Filters, find_instances
from lightnode_aio.cli._render import Column, dump_json, table
from lightnode_aio.cli._runtime import (
    ExitCode,
    Runtime,
    UsageError,
    confirm,
    read_password,
)
from lightnode_aio.models import Instance

__all__ = [
    "create",
    "delete",
    "exit_code",
    "reinstall",
    "reset_password",
    "restart",
    "run_fleet",
    "start",
    "stop",
]

#: Confirmed when they touch more than one server.
_DESTRUCTIVE_IN_BULK: Final = frozenset(
    {"stop", "restart", "reinstall", "reset-password"}
)
#: Confirmed always: the server and its data are gone for good.
_ALWAYS_CONFIRMED: Final = frozenset({"delete"})
#: Servers named in the confirmation question before "and N more".
_NAMED_IN_QUESTION: Final = 5


@attrs.frozen
class Target:
    """A server a change is aimed at; its name is known when a filter found it."""

    id: str
    name: str | None = None

    def __str__(self) -> str:
        return f"{self.id} ({self.name})" if self.name else self.id


MakeOperation = Callable[[LightNode, str], Operation[Any]]


def start(rt: Runtime) -> int:
    """``lightnode instances start``."""
    deadline = rt.args.deadline
    return _change(
        rt, "start", lambda ln, id_: ln.instances.start(id_, deadline=deadline)
    )


def stop(rt: Runtime) -> int:
    """``lightnode instances stop [--force]``."""
    force, deadline = rt.args.force, rt.args.deadline
    return _change(
        rt,
        "stop",
        lambda ln, id_: ln.instances.stop(id_, force=force, deadline=deadline),
    )


def restart(rt: Runtime) -> int:
    """``lightnode instances restart``."""
    deadline = rt.args.deadline
    return _change(
        rt, "restart", lambda ln, id_: ln.instances.restart(id_, deadline=deadline)
    )


def delete(rt: Runtime) -> int:
    """``lightnode instances delete``: always confirmed."""
    deadline = rt.args.deadline
    return _change(
        rt, "delete", lambda ln, id_: ln.instances.delete(id_, deadline=deadline)
    )


def reinstall(rt: Runtime) -> int:
    """``lightnode instances reinstall --image IMG``: a new system disk."""
    args = rt.args
    image = check_id(args.image, "image", "--image")
    ssh_key = check_id(args.ssh_key, "SSH key", "--ssh-key") if args.ssh_key else None
    password = read_password(rt.console, args.password_env, purpose="reinstall")

    def make(ln: LightNode, instance_id: str) -> Operation[Instance]:
        return ln.instances.reinstall(
            instance_id,
            image=image,
            password=password,
            ssh_key=ssh_key,
            deadline=args.deadline,
        )

    return _change(rt, "reinstall", make)


def reset_password(rt: Runtime) -> int:
    """``lightnode instances reset-password``."""
    deadline = rt.args.deadline
    password = read_password(rt.console, rt.args.password_env, purpose="reset-password")

    def make(ln: LightNode, instance_id: str) -> Operation[Instance]:
        return ln.instances.reset_password(
            instance_id, password=password, deadline=deadline
        )

    return _change(rt, "reset-password", make)


def create(rt: Runtime) -> int:
    """``lightnode instances create``: one server, or ``--count`` of them
    named NAME-1 to NAME-N."""
    args = rt.args
    names = (
        [args.name]
        if args.count == 1
        else [f"{args.name}-{n}" for n in range(1, args.count + 1)]
    )
    for name in names:
        check_name(name, "--name")
    password = None
    if args.password_env is not None or args.ssh_key is None:
        password = read_password(rt.console, args.password_env, purpose="create")
    client = rt.client

    def make(name: str) -> Operation[Instance]:
        return client.instances.create(
            name=name,
            region=args.region,
            zone=args.zone,
            package=args.package,
            image=args.image,
            password=password,
            ssh_key=args.ssh_key,
            security_group=args.security_group,
            deadline=args.deadline,
        )

    result = rt.run(run_fleet(rt, "create", make, names))
    return _report(rt, "create", result, names)


def _change(rt: Runtime, verb: str, make: MakeOperation) -> int:
    targets = _targets(rt)
    if not targets:
        rt.console.note(f"{verb}: no server matches the filters; nothing to do")
        _print_outcomes(rt, [])
        return ExitCode.OK
    if verb in _ALWAYS_CONFIRMED or (verb in _DESTRUCTIVE_IN_BULK and len(targets) > 1):
        _confirm(rt, verb, targets)

    client = rt.client
    result = rt.run(run_fleet(rt, verb, lambda t: make(client, t.id), targets))
    return _report(rt, verb, result, targets)


def _targets(rt: Runtime) -> list[Target]:
    """The servers named by id, or found by the filters (never both)."""
    args = rt.args
    filters = Filters.from_args(args)
    if args.ids and filters.given:
        raise UsageError("give either instance ids or filters, not both")
    if args.ids:
        unique = dict.fromkeys(check_id(id_, "instance", "ID") for id_ in args.ids)
        return [Target(id_) for id_ in unique]
    if not filters.given:
        raise UsageError(
            "name the servers: instance ids, or a filter "
            "(--region, --zone, --status, --name)"
        )
    servers = rt.run(find_instances(rt.client, filters))
    return [Target(server.id, server.name) for server in servers]


def _confirm(rt: Runtime, verb: str, targets: Sequence[Target]) -> None:
    named = ", ".join(str(target) for target in targets[:_NAMED_IN_QUESTION])
    more = len(targets) - _NAMED_IN_QUESTION
    if more > 0:
        named += f" and {more} more"
    noun = "server" if len(targets) == 1 else "servers"
    action = f"{verb} {len(targets)} {noun}"
    confirm(rt.console, action, named, assume_yes=rt.args.yes)


async def run_fleet(
    rt: Runtime,
    verb: str,
    make: Callable[[Any], Operation[Any]],
    items: Sequence[Any],
    *,
    concurrency: int | None = None,
) -> fleet.FleetResult[Any]:
    """Runs one operation per item with progress on standard error."""
    progress = Progress(
        rt.console.err, verb, len(items), redraw=rt.console.err_is_terminal
    )
    progress.start()
    try:
        return await fleet.map(
            make,
            items,
            concurrency=concurrency or rt.args.concurrency,
            on_event=progress,
        )
    finally:
        progress.finish()


def exit_code(result: fleet.FleetResult[Any]) -> ExitCode:
    """0 when all succeeded; 3 when none got as far as the API accepting it
    (a bad token, an unreachable API, a refusal of every request); 1 else."""
    if result.ok:
        return ExitCode.OK
    bad = [*result.failed, *result.unknown]
    if result.succeeded or result.unknown or any(o.task_id for o in bad):
        return ExitCode.PARTIAL
    if all(isinstance(o.error, InvalidArgumentError) for o in bad):
        return ExitCode.USAGE
    return ExitCode.ERROR


@attrs.frozen(kw_only=True)
class _Row:
    """One outcome, flattened for the table and the JSON."""

    id: str | None
    name: str | None
    outcome: str
    task_id: str | None
    error: str | None
    instance: Instance | None


_OUTCOME_COLUMNS: Sequence[Column[_Row]] = (
    Column("ID", lambda r: r.id),
    Column("NAME", lambda r: r.name),
    Column("OUTCOME", lambda r: r.outcome),
    Column("STATUS", lambda r: r.instance.status if r.instance else None),
    Column("PUBLIC IP", lambda r: r.instance.public_ip if r.instance else None),
    Column("TASK", lambda r: r.task_id),
    Column("ERROR", lambda r: r.error),
)


def _report(
    rt: Runtime, verb: str, result: fleet.FleetResult[Any], items: Sequence[Any]
) -> int:
    rows = _rows(result, items)
    _print_outcomes(rt, rows)
    rt.console.note(f"{verb}: {result}")
    for outcome in result.unknown:
        if outcome.task_id:
            rt.console.note(
                f"{verb}: {outcome.instance_id or outcome.key} is still unknown; "
                f"follow it with: lightnode tasks wait {outcome.task_id}"
            )
    code = exit_code(result)
    if code in (ExitCode.ERROR, ExitCode.USAGE):
        first = next(o.error for o in (*result.failed, *result.unknown))
        rt.console.error(str(first))
    return code


def _rows(result: fleet.FleetResult[Any], items: Sequence[Any]) -> list[_Row]:
    """Every outcome in the order the items were given."""
    order = {item: position for position, item in enumerate(items)}
    labelled = [
        (label, outcome)
        for label, outcomes in (
            ("succeeded", result.succeeded),
            ("failed", result.failed),
            ("unknown", result.unknown),
            ("skipped", result.skipped),
        )
        for outcome in outcomes
    ]
    labelled.sort(key=lambda pair: order.get(pair[1].key, len(order)))
    return [_row(label, outcome) for label, outcome in labelled]


def _row(label: str, outcome: fleet.Outcome[Any]) -> _Row:
    key = outcome.key
    instance = outcome.result if isinstance(outcome.result, Instance) else None
    instance_id: str | None = outcome.instance_id
    name: str | None = None
    if isinstance(key, Target):
        instance_id, name = key.id, key.name
    else:  # a create, keyed by the name asked for
        name = str(key)
    if instance is not None:
        instance_id, name = instance.id, instance.name
    return _Row(
        id=instance_id,
        name=name,
        outcome=label,
        task_id=outcome.task_id,
        error=str(outcome.error) if outcome.error else None,
        instance=instance,
    )


def _print_outcomes(rt: Runtime, rows: list[_Row]) -> None:
    if rt.args.json:
        rt.console.print(dump_json(rows))
    else:
        rt.console.print(table(_OUTCOME_COLUMNS, rows))
