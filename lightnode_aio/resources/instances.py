"""``ln.instances``: cloud servers, read and changed (REFERENCE §3.1 to §3.9).

Reads return models. Every change checks its arguments at once, then returns
an :class:`Operation` that sends nothing until it is awaited or started. Each
change method defines what happens once it starts as an inner ``steps``
coroutine; the steps they share (sending a change exactly once, reading the
instance back) are in ``_changes.py``.
"""

from __future__ import annotations

import asyncio
import builtins
import datetime
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

from lightnode_aio._config import OperationKind
from lightnode_aio._exceptions import (
    BadRequestError,
    InvalidArgumentError,
    NotFoundError,
    UnexpectedResponseError,
)
from lightnode_aio._http import Lane
from lightnode_aio._operation import Operation
from lightnode_aio._validation import (
    check_code,
    check_id,
    check_name,
    check_password,
)
from lightnode_aio.models import Instance, InstanceStatus, PendingStatus
from lightnode_aio.resources._base import Resource
from lightnode_aio.resources._changes import (
    find_created,
    read_back,
    submit_once,
    wait_gone,
)

if TYPE_CHECKING:
    from lightnode_aio._client import LightNode

__all__ = ["InstancesResource"]

_DETAIL = "/instance/detail"


class _Seen(NamedTuple):
    """What this client last saw of an instance, for the changes that need
    its region, or its state before they act (see ``InstancesResource``)."""

    region: str | None
    status: InstanceStatus | str | None
    image_id: str | None


_new_seen = tuple.__new__

#: At most this many instances are remembered (about 100 bytes each).
_SEEN_LIMIT = 100_000


class InstancesResource(Resource):
    """Servers: list, read, create, power, reinstall, delete.

    It remembers, for each instance it listed or read, the region, power
    state and image. A region never changes, so a reinstall or password
    reset of a server the client has seen needs no read before it is sent
    (REFERENCE §3.6 and §3.8 carry the region in the request); the state is
    only a hint, checked by the API itself.
    """

    def __init__(self, client: LightNode) -> None:
        super().__init__(client)
        self._seen: dict[str, _Seen] = {}

    def _remember(self, server: Instance) -> Instance:
        seen = self._seen
        if len(seen) >= _SEEN_LIMIT and server.id not in seen:
            del seen[next(iter(seen))]  # the oldest entry
        # tuple.__new__ builds the named tuple without its Python-level
        # __new__: this runs for every row of every listing.
        seen[server.id] = _new_seen(
            _Seen, (server.region, server.status, server.image_id)
        )
        return server

    # --- reads ---------------------------------------------------------------

    async def list(self, *, region: str, zone: str) -> list[Instance]:
        """Lists every instance in one zone, all pages.

        Calls ``GET /instance/list`` page by page with the largest page size,
        since the API otherwise returns 10 rows and says nothing
        (REFERENCE §1.7). An instance that moves between pages while they
        are read is returned once.

        Args:
            region: The region code; the API requires it.
            zone: The zone code; the API requires it.

        Raises:
            InvalidArgumentError: A code is empty or malformed.
            APIError: The API refused.
            TransportError: The API could not be reached.
        """
        servers: builtins.list[Instance] = []
        listed: set[str] = set()
        async for page in self._zone_pages(region, zone):
            servers.extend(self._new_rows(page, listed))
        return servers

    async def iter(self, *, region: str, zone: str) -> AsyncIterator[Instance]:
        """Yields every instance in one zone, fetching a page at a time.

        Same arguments and errors as :meth:`list`.
        """
        listed: set[str] = set()
        async for page in self._zone_pages(region, zone):
            for server in self._new_rows(page, listed):
                yield server

    def _zone_pages(
        self, region: str, zone: str
    ) -> AsyncIterator[builtins.list[Instance]]:
        params: dict[str, str | int] = {
            "regionCode": check_code(region, "region"),
            "zoneCode": check_code(zone, "zone"),
        }
        return self._pages("/instance/list", params, ("instances",), Instance)

    def _new_rows(
        self, page: builtins.list[Instance], listed: set[str]
    ) -> builtins.list[Instance]:
        """The rows of a page not listed before, remembered. A server that
        moves between pages while they are read is returned once."""
        fresh = []
        for server in page:
            if server.id not in listed:
                listed.add(server.id)
                fresh.append(self._remember(server))
        return fresh

    async def list_all(
        self,
        *,
        extra_zones: Iterable[tuple[str, str]] = (),
        concurrency: int = 4,
    ) -> builtins.list[Instance]:
        """Lists every instance of the account, in every region and zone.

        The API lists instances one zone at a time, so this reads
        ``/region/list`` and then lists each zone, a few at a time.

        A region that sold out is dropped from ``/region/list`` while its
        servers still run (REFERENCE §3.9); name such zones in
        ``extra_zones`` to include them.

        Args:
            extra_zones: More ``(region, zone)`` pairs to list.
            concurrency: Zones listed at the same time (the client's limits
                apply on top).

        Returns:
            The instances, zone by zone in the order of ``/region/list`` and
            then ``extra_zones``, each instance once.

        Raises:
            InvalidArgumentError: An extra zone or the concurrency is invalid.
            APIError: The API refused one of the listings.
            TransportError: The API could not be reached.
        """
        extra = [
            (check_code(region, "extra_zones"), check_code(zone, "extra_zones"))
            for region, zone in extra_zones
        ]
        if not isinstance(concurrency, int) or concurrency < 1:
            raise InvalidArgumentError(
                f"concurrency must be a positive integer, not {concurrency!r}",
                argument="concurrency",
            )
        zones = [
            (region.code, zone.code)
            for region in await self._client.regions.list()
            for zone in region.zones
        ]
        zones += [pair for pair in extra if pair not in zones]

        gate = asyncio.Semaphore(concurrency)

        async def one_zone(region: str, zone: str) -> builtins.list[Instance]:
            async with gate:
                return await self.list(region=region, zone=zone)

        try:
            async with asyncio.TaskGroup() as group:
                listings = [group.create_task(one_zone(*pair)) for pair in zones]
        except BaseExceptionGroup as failures:
            # The first failure is the one to report; the group has already
            # cancelled and awaited the other listings.
            raise failures.exceptions[0] from None

        unique: dict[str, Instance] = {}
        for listing in listings:
            for server in listing.result():
                unique.setdefault(server.id, server)
        return list(unique.values())

    def get(
        self, instance_id: str, *, region: str | None = None, zone: str | None = None
    ) -> Coroutine[Any, Any, Instance]:
        """Reads one instance (a coroutine: ``await ln.instances.get(...)``).

        Calls ``GET /instance/detail``.

        Args:
            instance_id: The instance id (``ecs-...``).
            region: Optionally the instance's region code, sent as a hint.
            zone: Optionally its zone code, sent as a hint.

        Raises:
            InvalidArgumentError: The id is empty or of another kind.
            NotFoundError: No such instance (any more).
            APIError: The API refused.
            TransportError: The API could not be reached.
        """
        return self._detail(instance_id, region=region, zone=zone, lane="new")

    async def _detail(
        self,
        instance_id: str,
        *,
        region: str | None = None,
        zone: str | None = None,
        lane: Lane,
    ) -> Instance:
        """``get``, in a chosen lane of the transport: the reads that finish
        a change already accepted go in the ``ongoing`` lane."""
        params: dict[str, str | int] = {
            "ecsResourceUUID": check_id(instance_id, "instance", "instance_id")
        }
        if region is not None:
            params["regionCode"] = check_code(region, "region")
        if zone is not None:
            params["zoneCode"] = check_code(zone, "zone")
        reply = await self._get(_DETAIL, params, lane=lane)

        # Every client reads ``instance``; one also accepts the bare record
        # (REFERENCE §3.7). An empty ``instance`` means there is none.
        record: Any = reply.get("instance")
        where = "$.instance"
        if record is None and "ecsResourceUUID" in reply:
            record, where = reply, "$"
        if not record:
            raise NotFoundError(
                f"GET {_DETAIL}: instance {instance_id} was not found",
                status=404,
                method="GET",
                path=_DETAIL,
            )
        return self._remember(
            self._decode(
                reply, record, Instance, method="GET", path=_DETAIL, where=where
            )
        )

    # --- changes ---------------------------------------------------------------

    def create(
        self,
        *,
        name: str,
        region: str,
        zone: str,
        package: str,
        image: str,
        password: str | None = None,
        ssh_key: str | None = None,
        security_group: str | None = None,
        wait_for_ip: bool = True,
        deadline: float | None = None,
    ) -> Operation[Instance]:
        """Creates an instance.

        Calls ``POST /instance/create`` with a ``packageConfig`` body
        (REFERENCE §3.1), waits for its task, and reads the instance back:
        idle, and with its public IP, which the API may assign a while after
        the task (REFERENCE §3.1).

        If the task fails, the API may leave the half-made instance behind;
        ``TaskFailedError.instance_id`` names it, for ``delete``.

        Args:
            name: The instance name: letters, digits and ``-``, at most 64.
            region: The region code.
            zone: The zone code.
            package: The plan's ``packageCode`` (``packages.list``).
            image: The image id (``img-...``).
            password: The root/Administrator password (REFERENCE §1.9).
            ssh_key: An SSH key id, instead of or with a password.
            security_group: A security group id (``fw-...``).
            wait_for_ip: Wait for the public IP before returning.
            deadline: Seconds it may take in all (default: the client's
                ``Deadlines.create``).

        Returns:
            The operation; awaiting it returns the new :class:`Instance`.

        Raises:
            InvalidArgumentError: Raised here, at once, for an argument the
                API would refuse; nothing is sent.
        """
        config: dict[str, Any] = {
            "packageCode": check_code(package, "package"),
            "regionCode": check_code(region, "region"),
            "zoneCode": check_code(zone, "zone"),
            "instanceName": check_name(name),
            "imageResourceUUID": check_id(image, "image", "image"),
        }
        if password is None and ssh_key is None:
            raise InvalidArgumentError(
                "create needs a password or an ssh_key to log in with",
                argument="password",
            )
        if password is not None:
            config["password"] = check_password(password)
        config["sshKeyUUID"] = (
            check_id(ssh_key, "SSH key", "ssh_key") if ssh_key is not None else None
        )
        if security_group is not None:
            config["firewallUUID"] = check_id(
                security_group, "security group", "security_group"
            )
        secrets = (password,) if password else ()

        async def steps(op: Operation[Instance]) -> Instance:
            sent_at = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)

            async def find() -> str | None:
                return await find_created(
                    self, name=name, region=region, zone=zone, sent_at=sent_at
                )

            async def took_effect() -> bool:
                op.instance_id = await find()
                return op.instance_id is not None

            task_id = await submit_once(
                op,
                "/instance/create",
                {"packageConfig": config},
                took_effect=took_effect,
                secrets=secrets,
            )
            if task_id is not None:
                task = await op.wait_for_task(task_id)
                op.instance_id = op.instance_id or task.instance_id
            # The nested reply names the new instance; a flat one may not, nor
            # the task (REFERENCE §1.6, §3.12). Its name then finds it.
            op.instance_id = op.instance_id or await find()
            if op.instance_id is None:
                raise UnexpectedResponseError(
                    f"the create of {name!r} succeeded, but no instance of that "
                    f"name is listed in {zone}",
                    status=200,
                    method="POST",
                    path="/instance/create",
                )
            return await read_back(self, op.instance_id, need_ip=wait_for_ip)

        return self._operation("create", None, deadline, steps)

    def delete(
        self, instance_id: str, *, deadline: float | None = None
    ) -> Operation[None]:
        """Deletes (releases) an instance. Its data is gone for good.

        Calls ``POST /instance/release`` (REFERENCE §3.2) and waits for its
        task.

        Returns:
            The operation; awaiting it returns None.

        Raises:
            InvalidArgumentError: Raised here, at once, for a bad id.
        """
        check_id(instance_id, "instance", "instance_id")

        async def took_effect() -> bool:
            try:
                server = await self.get(instance_id)
            except NotFoundError:
                return True
            return server.pending_status == PendingStatus.RELEASING

        async def steps(op: Operation[None]) -> None:
            task_id = await submit_once(
                op,
                "/instance/release",
                {"ecsResourceUUID": instance_id},
                took_effect=took_effect,
            )
            if task_id is None:
                await wait_gone(self, instance_id)
            else:
                await op.wait_for_task(task_id)

        return self._operation("delete", instance_id, deadline, steps)

    def start(
        self, instance_id: str, *, deadline: float | None = None
    ) -> Operation[Instance]:
        """Starts a stopped instance.

        Calls ``POST /instance/start`` (REFERENCE §3.4), waits for its task,
        and reads the instance back until it shows ``STARTED`` and idle.

        Raises:
            InvalidArgumentError: Raised here, at once, for a bad id.
        """
        return self._power("start", "/instance/start", instance_id, {}, deadline)

    def stop(
        self, instance_id: str, *, force: bool = False, deadline: float | None = None
    ) -> Operation[Instance]:
        """Stops an instance; ``force`` powers it off without a shutdown.

        Calls ``POST /instance/stop`` (REFERENCE §3.3), waits for its task,
        and reads the instance back until it shows ``STOPPED`` and idle.

        Raises:
            InvalidArgumentError: Raised here, at once, for a bad id.
        """
        if not isinstance(force, bool):
            raise InvalidArgumentError("force must be True or False", argument="force")
        extra = {"forceStop": True} if force else {}
        return self._power("stop", "/instance/stop", instance_id, extra, deadline)

    def restart(
        self, instance_id: str, *, deadline: float | None = None
    ) -> Operation[Instance]:
        """Restarts an instance.

        Calls ``POST /instance/restart`` (REFERENCE §3.5), waits for its
        task, and reads the instance back until it shows ``STARTED`` and idle.

        Raises:
            InvalidArgumentError: Raised here, at once, for a bad id.
        """
        return self._power("restart", "/instance/restart", instance_id, {}, deadline)

    def reset_password(
        self, instance_id: str, *, password: str, deadline: float | None = None
    ) -> Operation[Instance]:
        """Sets a new root/Administrator password.

        Reads the instance for its region, which the documented request
        carries (REFERENCE §3.6), then calls
        ``POST /instance/modifyInstancePassword``, waits for its task, and
        reads the instance back until it is idle.

        Raises:
            InvalidArgumentError: Raised here, at once, for a bad id or a
                password outside the rules; the message never shows it.
        """
        check_id(instance_id, "instance", "instance_id")
        check_password(password)

        async def steps(op: Operation[Instance]) -> Instance:
            seen = self._seen.get(instance_id) or _Seen(
                (await self.get(instance_id)).region, None, None
            )
            body = {"ecsResourceUUID": instance_id, "password": password}
            if seen.region:
                body["regionCode"] = seen.region
            # Setting the same password twice does no harm, so a lost reply
            # is settled by whether a reset is under way, else by resending.
            task_id = await submit_once(
                op,
                "/instance/modifyInstancePassword",
                body,
                took_effect=self._busy_check(instance_id),
                secrets=(password,),
            )
            if task_id is not None:
                await op.wait_for_task(task_id)
            return await read_back(self, instance_id)

        return self._operation("reset_password", instance_id, deadline, steps)

    def reinstall(
        self,
        instance_id: str,
        *,
        image: str,
        password: str,
        ssh_key: str | None = None,
        stop_first: bool = True,
        deadline: float | None = None,
    ) -> Operation[Instance]:
        """Reinstalls the operating system. The system disk is wiped.

        The API refuses to reinstall a running server (REFERENCE §3.8), so by
        default a running instance is stopped first, as part of this one
        operation. Then ``POST /instance/reinstallSystem`` is sent with the
        instance's region, its task waited for, and the instance read back
        until it is idle.

        Args:
            instance_id: The instance id (``ecs-...``).
            image: The image id to install (``img-...``).
            password: The new root/Administrator password.
            ssh_key: An SSH key id to install as well.
            stop_first: Stop a running instance first. With False, a running
                instance makes the API refuse with ``BadRequestError``.
            deadline: Seconds it may take in all, the stop included (default:
                the client's ``Deadlines.reinstall``).

        Raises:
            InvalidArgumentError: Raised here, at once, for an argument the
                API would refuse; nothing is sent.
        """
        check_id(instance_id, "instance", "instance_id")
        check_id(image, "image", "image")
        check_password(password)
        key = check_id(ssh_key, "SSH key", "ssh_key") if ssh_key is not None else None

        async def steps(op: Operation[Instance]) -> Instance:
            # A server this client has not seen is read first: its region
            # goes into the request. A server it has seen is taken as last
            # seen; if it was running after all, the API refuses (REFERENCE
            # §3.8) and the server is then read, stopped and sent again.
            seen, fresh = self._seen.get(instance_id), False
            if seen is None:
                seen, fresh = self._as_seen(await self.get(instance_id)), True
            if stop_first and seen.status != InstanceStatus.STOPPED:
                seen, fresh = await self._stopped(op, instance_id), True
            body: dict[str, Any] = {
                "ecsResourceUUID": instance_id,
                "imageResourceUUID": image,
                "password": password,
                "sshKeyResourceUUID": key,
            }
            if seen.region:
                body["regionCode"] = seen.region
            try:
                task_id = await self._send_reinstall(op, body, seen)
            except BadRequestError:
                if fresh or not stop_first:
                    raise
                server = await self.get(instance_id)
                if server.status == InstanceStatus.STOPPED and not server.is_busy:
                    raise  # refused for another reason than running
                seen = await self._stopped(op, instance_id)
                task_id = await self._send_reinstall(op, body, seen)
            if task_id is not None:
                await op.wait_for_task(task_id)
            return await read_back(self, instance_id)

        return self._operation("reinstall", instance_id, deadline, steps)

    # --- shared by the changes ---------------------------------------------

    @staticmethod
    def _as_seen(server: Instance) -> _Seen:
        return _Seen(server.region, server.status, server.image_id)

    async def _stopped(self, op: Operation[Any], instance_id: str) -> _Seen:
        """Stops the instance as a step of ``op``, within its deadline. An
        instance that turns out to be stopped already (the API refuses the
        stop) is fine as it is."""
        stop = self.stop(instance_id, deadline=op.deadline)
        try:
            return self._as_seen(await stop.run_within(op))
        except BadRequestError:
            server = await self.get(instance_id)
            if server.status != InstanceStatus.STOPPED or server.is_busy:
                raise
            return self._as_seen(server)

    async def _send_reinstall(
        self, op: Operation[Any], body: dict[str, Any], before: _Seen
    ) -> str | None:
        instance_id = body["ecsResourceUUID"]

        async def took_effect() -> bool:
            # Busy means under way. Idle, it took effect only if the server
            # changed since it was last seen: a reinstall boots it again, or
            # puts another image on it.
            now = await self.get(instance_id)
            return now.is_busy or (
                now.status != before.status or now.image_id != before.image_id
            )

        return await submit_once(
            op,
            "/instance/reinstallSystem",
            body,
            took_effect=took_effect,
            secrets=(body["password"],),
        )

    def _power(
        self,
        kind: OperationKind,
        path: str,
        instance_id: str,
        extra: dict[str, Any],
        deadline: float | None,
    ) -> Operation[Instance]:
        check_id(instance_id, "instance", "instance_id")
        expected = InstanceStatus.STOPPED if kind == "stop" else InstanceStatus.STARTED

        async def took_effect() -> bool:
            server = await self.get(instance_id)
            if server.is_busy:
                return True
            # A restart leaves no trace once done, and restarting twice does
            # no harm, so an idle server means: send it again.
            return kind != "restart" and server.status == expected

        async def steps(op: Operation[Instance]) -> Instance:
            task_id = await submit_once(
                op,
                path,
                {"ecsResourceUUID": instance_id, **extra},
                took_effect=took_effect,
            )
            if task_id is not None:
                await op.wait_for_task(task_id)
            return await read_back(self, instance_id, status=expected)

        return self._operation(kind, instance_id, deadline, steps)

    def _operation(
        self,
        kind: OperationKind,
        instance_id: str | None,
        deadline: float | None,
        steps: Callable[[Operation[Any]], Coroutine[Any, Any, Any]],
    ) -> Operation[Any]:
        client = self._client
        client._ensure_open()
        if deadline is not None and (
            not isinstance(deadline, int | float) or deadline <= 0
        ):
            raise InvalidArgumentError(
                f"deadline must be a positive number of seconds, not {deadline!r}",
                argument="deadline",
            )
        return Operation(
            kind=kind,
            instance_id=instance_id,
            deadline=client.deadlines.for_kind(kind) if deadline is None else deadline,
            steps=steps,
            client=client,
        )

    def _busy_check(self, instance_id: str) -> Callable[[], Awaitable[bool]]:
        """A ``took_effect`` check: the change is under way if the instance
        is busy (for changes that leave no other trace)."""

        async def took_effect() -> bool:
            return (await self.get(instance_id)).is_busy

        return took_effect
