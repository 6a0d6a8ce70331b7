"""The fake's world: what exists, what is running, and what tasks do to it.

Everything the fake server knows lives in one `World`: regions and their
zones, packages, images, SSH keys, firewalls, instances, and the asynchronous
tasks that mutations start. The module is pure data and logic; it knows
nothing about HTTP. A refusal is raised as `ApiError`, which the server turns
into the API's error body.

Time comes from a clock function (the running loop's clock). Tasks are not
driven by timers: every task end and every late public IP is an event on a
timeline (a heap), and `World.advance` applies the events that are due. The
server advances the world before it answers anything, so an effect is applied
exactly once, in the order the events fall due, and a task that reports
FINISHED has always had its effect applied already.

Per-request work is a few dict lookups. Only the list endpoints look at many
rows, and `/instance/list` reads one zone's index, never every instance.
"""

from __future__ import annotations

import heapq
import itertools
import random
import re
import string
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Final

import attrs

__all__ = [
    "KINDS",
    "OUTCOMES",
    "ApiError",
    "Region",
    "TaskRecord",
    "World",
    "Zone",
]

#: Every kind of mutation, as `plan_task`, `task_durations` and the reply
#: shape switches name them.
KINDS: Final = (
    "create",
    "delete",
    "start",
    "stop",
    "restart",
    "reset_password",
    "reinstall",
)

#: The final results a task can be planned to reach (REFERENCE §6).
OUTCOMES: Final = ("SUCCESS", "FAIL", "CANCEL")

# The ecsPendingStatus an instance shows while a task of each kind runs.
_PENDING: Final = {
    "create": "CREATING",
    "delete": "RELEASING",
    "start": "STARTING",
    "stop": "STOPPING",
    "restart": "RESTARTING",
    "reset_password": "RESETTING_PASSWORD",
    "reinstall": "REINSTALLING",
}

_DEFAULT_MESSAGES: Final = {
    "FAIL": "The task failed on the host",
    "CANCEL": "The task was cancelled",
}

# REFERENCE §1.9, the strictest reading that every doc version accepts: the
# backtick of the old Chinese page is left out, as the English pages do.
_PASSWORD_SPECIALS: Final = "()~!@#$*-+={}[]:;,.?/"  # noqa: S105 - a rule, not a secret
_PASSWORD_ALPHABET: Final = frozenset(
    string.ascii_letters + string.digits + _PASSWORD_SPECIALS
)
_PASSWORD_RULE: Final = (
    "The password must be 8-30 characters long and contain an uppercase "
    "letter, a lowercase letter, a digit and one of " + _PASSWORD_SPECIALS
)

# REFERENCE §1.10: at most 64 letters, digits and '-'; the first character
# must not be '-' (one client's rule, which the fake adopts).
_NAME_PATTERN: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,63}")

# The API reports times as "YYYY-MM-DD HH:MM:SS" without a zone (REFERENCE
# §4); one client reads them as Asia/Shanghai time, so the fake writes UTC+8.
_API_TZ: Final = timezone(timedelta(hours=8))
_TIME_FORMAT: Final = "%Y-%m-%d %H:%M:%S"

_ID_ALPHABET: Final = string.ascii_lowercase + string.digits


class ApiError(Exception):
    """A request the fake refuses, answered with the API's error body.

    Attributes:
        status: The HTTP status of the answer.
        code: The API's string error name, such as
            ``"InvalidInstance.NotFound"``.
        message: Human-readable text; never holds a password.
        in_body: When true the refusal is reported inside a 2xx reply, as
            `/instance/list` does for missing codes (REFERENCE §1.5).
    """

    def __init__(
        self, status: int, code: str, message: str, *, in_body: bool = False
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.in_body = in_body


def format_api_time(moment: datetime) -> str:
    """Render a moment the way the API writes times (UTC+8, no zone)."""
    return moment.astimezone(_API_TZ).strftime(_TIME_FORMAT)


def password_ok(password: str) -> bool:
    """Tell whether a password follows the rules of REFERENCE §1.9."""
    return (
        8 <= len(password) <= 30
        and set(password) <= _PASSWORD_ALPHABET
        and any(c.isupper() for c in password)
        and any(c.islower() for c in password)
        and any(c.isdigit() for c in password)
        and any(c in _PASSWORD_SPECIALS for c in password)
    )


def name_ok(name: str) -> bool:
    """Tell whether an instance name follows the rules of REFERENCE §1.10."""
    return _NAME_PATTERN.fullmatch(name) is not None


@attrs.frozen
class Zone:
    """One zone of a region.

    Attributes:
        code: The zone code, such as ``"ru-moscow-1-a"``.
        name: The display name.
    """

    code: str
    name: str

    def to_api(self) -> dict[str, Any]:
        """Return the zone as `/region/list` shows it."""
        return {"zoneCode": self.code, "zoneName": self.name}


@attrs.define
class Region:
    """One region of the world, on sale or sold out.

    A sold-out region is missing from `/region/list`, yet its zones still
    list their instances (REFERENCE §3.9). Set `on_sale` at any time.

    Attributes:
        code: The region code, such as ``"ru-moscow-1"``.
        name: The display name.
        zones: The region's zones.
        on_sale: Whether the region is listed and accepts new instances.
    """

    code: str
    name: str
    zones: list[Zone]
    on_sale: bool = True

    def zone(self, code: str) -> Zone | None:
        """Return the zone with this code, or None."""
        for zone in self.zones:
            if zone.code == code:
                return zone
        return None

    def to_api(self) -> dict[str, Any]:
        """Return the region as `/region/list` shows it."""
        return {
            "regionCode": self.code,
            "regionName": self.name,
            "zones": [zone.to_api() for zone in self.zones],
        }


@attrs.define
class TaskRecord:
    """One asynchronous task, as the fake keeps it.

    Attributes:
        id: The asyncTaskUUID.
        kind: One of `KINDS`.
        instance_id: The ecsResourceUUID the task works on.
        outcome: The processResult it ends with: SUCCESS, FAIL or CANCEL.
        message: The errorMessage reported on FAIL and CANCEL.
        started: Loop time at submission.
        duration: Seconds from submission to the end.
        retry_phases: How many leading parts of the run report RETRY.
        finished: Loop time the end was applied at (the planned end time),
            or None while the task runs.
        polls: How many times `/asynctask/getResult` asked about it.
    """

    id: str
    kind: str
    instance_id: str
    outcome: str
    message: str | None
    started: float
    duration: float
    retry_phases: int = 0
    finished: float | None = None
    polls: int = 0

    @property
    def ends(self) -> float:
        """Loop time at which the task reaches its end."""
        return self.started + self.duration

    def to_api(self, now: float) -> dict[str, Any]:
        """Return the task as `/asynctask/getResult` shows it at `now`."""
        info: dict[str, Any] = {
            "asyncTaskUUID": self.id,
            "ecsResourceUUID": self.instance_id,
        }
        if self.finished is not None:
            info["taskStatus"] = "FINISHED"
            info["processResult"] = self.outcome
            if self.outcome != "SUCCESS":
                info["errorMessage"] = self.message or ""
            return info

        info["taskStatus"] = "PROCESSING"
        # REFERENCE §6: RETRY is an intermediate result paired with
        # PROCESSING. The run is split into retry_phases + 1 equal parts and
        # the RETRY parts come first.
        if self.retry_phases:
            part = self.duration / (self.retry_phases + 1)
            if now < self.started + part * self.retry_phases:
                info["processResult"] = "RETRY"
        return info


@attrs.frozen
class _Plan:
    seq: int
    outcome: str
    duration: float | None
    retry_phases: int
    message: str | None


class _Index:
    """Look rows of a public list up by one key, in constant time.

    Tests may append to or edit the lists (`fake.images.append(...)`), so
    the index is a cache: it is rebuilt when the list's length changes, a
    lookup misses, or a found row's key was edited.

    Known limitation: a row replaced in place (``images[3] = other``) keeps
    its old id findable until the next rebuild; rebuilding on every lookup
    would lift that at the price of a scan per request.
    """

    def __init__(self, rows: list[dict[str, Any]], key: str) -> None:
        self._rows = rows
        self._key = key
        self._map: dict[str, list[dict[str, Any]]] = {}
        self._size = -1

    def find(self, value: str) -> list[dict[str, Any]]:
        """Return every row whose key equals `value`."""
        if len(self._rows) != self._size:
            self._rebuild()
        found = self._map.get(value)
        if found is None or any(row.get(self._key) != value for row in found):
            self._rebuild()
            found = self._map.get(value)
        return found or []

    def _rebuild(self) -> None:
        self._map = defaultdict(list)
        for row in self._rows:
            self._map[str(row.get(self._key))].append(row)
        self._map = dict(self._map)
        self._size = len(self._rows)


class World:
    """The whole state of one fake LightNode account.

    Args:
        seed: Seeds every random choice: ids, addresses, seeded data.
        clock: Returns the current loop time in seconds.
        task_duration: Seconds every task runs unless planned otherwise.
        ip_delay: Seconds between a create's success and its public IP.
    """

    def __init__(
        self,
        *,
        seed: int,
        clock: Callable[[], float],
        task_duration: float,
        ip_delay: float,
    ) -> None:
        self.rng = random.Random(seed)
        self.clock = clock
        self.task_duration = task_duration
        self.task_durations: dict[str, float] = {}
        self.ip_delay = ip_delay

        self.regions: list[Region] = []
        self.packages: list[dict[str, Any]] = []
        self.images: list[dict[str, Any]] = []
        self.ssh_keys: list[dict[str, Any]] = []
        self.firewalls: list[dict[str, Any]] = []
        self.instances: dict[str, dict[str, Any]] = {}
        self.tasks: dict[str, TaskRecord] = {}

        self.effects: list[tuple[str, str]] = []
        self.submissions: Counter[tuple[str, str]] = Counter()
        self.poll_counts: Counter[str] = Counter()

        self._packages_by_code = _Index(self.packages, "packageCode")
        self._images_by_id = _Index(self.images, "imageResourceUUID")
        self._keys_by_id = _Index(self.ssh_keys, "sshKeyUUID")
        self._firewalls_by_id = _Index(self.firewalls, "firewallUUID")
        # Instance ids per zone code, in creation order; a dict keeps the
        # order and removes in constant time.
        self._by_zone: dict[str, dict[str, None]] = defaultdict(dict)
        self._plans: dict[str | None, deque[_Plan]] = defaultdict(deque)
        self._plan_seq = itertools.count()
        # (due time, sequence, event, id): "task" ends a task, "ip" gives an
        # instance its public address.
        self._timeline: list[tuple[float, int, str, str]] = []
        self._event_seq = itertools.count()
        # Passwords are kept apart from every record the fake shows, so that
        # no listing, log or task record can ever hold one.
        self._passwords: dict[str, str] = {}
        self._pending_passwords: dict[str, str] = {}
        self._task_params: dict[str, dict[str, Any]] = {}
        self._address_seq = itertools.count(1)

    # -- ids and addresses -------------------------------------------------

    def new_id(self, prefix: str) -> str:
        """Draw a fresh id shaped like the API's (REFERENCE §1.8).

        The API's ids read like ``ecs-wr00007bgadt``: two characters, four
        zeros, six characters. The fake draws the same shape from its seeded
        generator, so the same calls give the same ids.
        """
        while True:
            head = "".join(self.rng.choices(_ID_ALPHABET, k=2))
            tail = "".join(self.rng.choices(_ID_ALPHABET, k=6))
            candidate = f"{prefix}{head}0000{tail}"
            if candidate not in self.instances and candidate not in self.tasks:
                return candidate

    def new_public_ip(self) -> str:
        """Return a public IPv4 address never handed out before."""
        n = next(self._address_seq)
        host, rest = n % 254 + 1, n // 254
        return f"45.{rest // 256 % 200 + 10}.{rest % 256}.{host}"

    def new_internal_ip(self) -> str:
        """Return a private IPv4 address."""
        return f"10.{self.rng.randrange(0, 64)}.{self.rng.randrange(0, 256)}." + str(
            self.rng.randrange(2, 255)
        )

    # -- building the world ------------------------------------------------

    def add_region(
        self,
        code: str,
        name: str,
        zones: Iterable[tuple[str, str]],
        *,
        on_sale: bool = True,
    ) -> Region:
        """Add a region with its zones and return it."""
        if self.region(code) is not None:
            raise ValueError(f"region {code!r} already exists")
        region = Region(
            code=code,
            name=name,
            zones=[Zone(code=z, name=n) for z, n in zones],
            on_sale=on_sale,
        )
        self.regions.append(region)
        return region

    def region(self, code: str) -> Region | None:
        """Return the region with this code, on sale or not, or None."""
        for region in self.regions:
            if region.code == code:
                return region
        return None

    def add_package(
        self,
        *,
        region: str,
        zone: str = "",
        code: str | None = None,
        cpu: int = 1,
        memory: int = 1,
        system_disk: int = 25,
        data_disk: int = 0,
        bandwidth: int = 100,
        free_flow: int = 1000,
        charge_mode: str = "PayByTraffic",
    ) -> dict[str, Any]:
        """Add a package (plan) and return its API-shaped record.

        An empty `zone` makes the package valid in every zone of the region.
        """
        self._require_zone(region, zone or None)
        suffix = "bw" if charge_mode == "PayByBandwidth" else "tf"
        record = {
            "packageCode": code or f"{zone or region}-{cpu}c{memory}g-{suffix}",
            "regionCode": region,
            "zoneCode": zone,
            "cpu": cpu,
            "memory": memory,
            "systemDiskSize": system_disk,
            "dataDiskSize": data_disk,
            "bandwidth": bandwidth,
            "freeFlow": free_flow,
            "publicIpChargeMode": charge_mode,
        }
        self.packages.append(record)
        return record

    def add_image(
        self,
        *,
        region: str,
        name: str,
        image_type: str = "System",
        os_version: str = "linux",
        distro: str | None = None,
        image_id: str | None = None,
    ) -> dict[str, Any]:
        """Add an image to a region and return its API-shaped record."""
        self._require_zone(region, None)
        windows = os_version == "windows"
        record = {
            "imageResourceUUID": image_id or self.new_id("img-"),
            "imageName": name,
            "imageType": image_type,
            "osVersion": os_version,
            "osVersionDetail": distro or name,
            "osDistroVersion": distro or name,
            "imageAccount": "Administrator" if windows else "root",
            "regionCode": region,
        }
        self.images.append(record)
        return record

    def add_ssh_key(
        self, name: str, *, created: datetime | None = None
    ) -> dict[str, Any]:
        """Add an SSH key to the account and return its API-shaped record."""
        fingerprint = "".join(
            self.rng.choices(string.ascii_letters + string.digits + "+/", k=43)
        )
        record = {
            "sshKeyUUID": self.new_id("key-"),
            "sshKeyName": name,
            "fingerprint": f"SHA256:{fingerprint}",
            "createTime": format_api_time(created or datetime.now(UTC)),
        }
        self.ssh_keys.append(record)
        return record

    def add_firewall(
        self, *, region: str, name: str, created: datetime | None = None
    ) -> dict[str, Any]:
        """Add a firewall (security group) and return its API-shaped record."""
        self._require_zone(region, None)
        record = {
            "firewallUUID": self.new_id("fw-"),
            "firewallName": name,
            "firewallStatus": "AVAILABLE",
            "regionCode": region,
            "createTime": format_api_time(created or datetime.now(UTC)),
        }
        self.firewalls.append(record)
        return record

    def add_instance(
        self,
        *,
        region: str,
        zone: str,
        name: str | None = None,
        status: str = "STARTED",
        created: datetime | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Add an idle instance and return its live, API-shaped record.

        The plan and image default to the first ones the zone offers; any
        keyword in `fields` sets (or adds) that record field verbatim.
        """
        the_region, the_zone = self._require_zone(region, zone)
        assert the_zone is not None
        package = next(iter(self.packages_in(region, zone)), None)
        image = next(iter(self.images_in(region)), None)
        born = created or datetime.now(UTC)
        instance_id = fields.pop("ecsResourceUUID", None) or self.new_id("ecs-")
        record = self._instance_record(
            instance_id=instance_id,
            name=name or f"vm-{len(self._by_zone[zone]) + 1:03d}",
            region=the_region,
            zone=the_zone,
            package=package,
            image=image,
            born=born,
        )
        record["ecsStatus"] = status
        record["publicIpAddress"] = self.new_public_ip()
        record.update(fields)
        self._insert(record)
        return record

    def packages_in(self, region: str, zone: str | None) -> list[dict[str, Any]]:
        """Return the packages usable in a region (and zone, when given)."""
        return [
            p
            for p in self.packages
            if p.get("regionCode") == region
            and (zone is None or p.get("zoneCode") in ("", zone))
        ]

    def images_in(self, region: str) -> list[dict[str, Any]]:
        """Return the images of a region."""
        return [i for i in self.images if i.get("regionCode") == region]

    # -- reading -----------------------------------------------------------

    def region_list(self) -> list[dict[str, Any]]:
        """Return the regions on sale, as `/region/list` shows them."""
        return [r.to_api() for r in self.regions if r.on_sale]

    def package_list(
        self, region: str | None, zone: str | None
    ) -> list[dict[str, Any]]:
        """Return the packages matching the optional filters."""
        if region is not None:
            self._known_region(region)
        zone_region = None
        if zone is not None:
            zone_region = self._zone_owner(zone)
            if zone_region is None or region not in (None, zone_region.code):
                raise _zone_not_found(zone)
        wanted = region or (zone_region.code if zone_region else None)
        return [
            p
            for p in self.packages
            if (wanted is None or p.get("regionCode") == wanted)
            and (zone is None or p.get("zoneCode") in ("", zone))
        ]

    def image_list(
        self, region: str | None, image_type: str | None
    ) -> list[dict[str, Any]]:
        """Return the images matching the optional filters."""
        if region is not None:
            self._known_region(region)
        return [
            i
            for i in self.images
            if (region is None or i.get("regionCode") == region)
            and (image_type is None or i.get("imageType") == image_type)
        ]

    def firewall_list(self, region: str | None) -> list[dict[str, Any]]:
        """Return the firewalls of a region, or of every region."""
        if region is not None:
            self._known_region(region)
        return [
            f for f in self.firewalls if region is None or f.get("regionCode") == region
        ]

    def instance_page(
        self, region: str, zone: str, page: int, page_size: int
    ) -> tuple[list[dict[str, Any]], int]:
        """Return one page of a zone's instances and the zone's total."""
        self._known_region(region)
        owner = self._zone_owner(zone)
        if owner is None or owner.code != region:
            raise _zone_not_found(zone)

        # Skip ids a test removed from `instances` by hand.
        ids = [i for i in self._by_zone.get(zone, ()) if i in self.instances]
        start = (page - 1) * page_size
        rows = [self.instances[i] for i in ids[start : start + page_size]]
        return rows, len(ids)

    def instance(self, instance_id: str) -> dict[str, Any]:
        """Return an instance's live record.

        Raises:
            ApiError: 404 ``InvalidInstance.NotFound`` for an unknown id.
        """
        record = self.instances.get(instance_id)
        if record is None:
            raise ApiError(
                404,
                "InvalidInstance.NotFound",
                f"The instance {instance_id} does not exist",
            )
        return record

    def task_info(self, task_id: str, now: float) -> dict[str, Any]:
        """Return a task's state at `now` and count the poll.

        Raises:
            ApiError: 404 ``InvalidAsyncTask.NotFound`` for an unknown id.
        """
        self.poll_counts[task_id] += 1
        task = self.tasks.get(task_id)
        if task is None:
            raise ApiError(
                404,
                "InvalidAsyncTask.NotFound",
                f"The async task {task_id} does not exist",
            )
        task.polls += 1
        return task.to_api(now)

    def password_matches(self, instance_id: str, password: str) -> bool:
        """Tell whether an instance's current password is `password`."""
        return self._passwords.get(instance_id) == password

    # -- planning ----------------------------------------------------------

    def plan(
        self,
        kind: str | None,
        *,
        outcome: str,
        duration: float | None,
        retry_phases: int,
        message: str | None,
    ) -> None:
        """Queue how the next task of `kind` (or of any kind) will run."""
        if kind is not None and kind not in KINDS:
            raise ValueError(f"unknown task kind {kind!r}; expected one of {KINDS}")
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}; expected {OUTCOMES}")
        if duration is not None and duration < 0:
            raise ValueError("duration must not be negative")
        if retry_phases < 0:
            raise ValueError("retry_phases must not be negative")
        self._plans[kind].append(
            _Plan(next(self._plan_seq), outcome, duration, retry_phases, message)
        )

    def _take_plan(self, kind: str) -> _Plan | None:
        # The oldest plan that applies wins, whether it named this kind or
        # any kind.
        own, anything = self._plans.get(kind), self._plans.get(None)
        if own and (not anything or own[0].seq < anything[0].seq):
            return own.popleft()
        if anything:
            return anything.popleft()
        return None

    # -- mutations ---------------------------------------------------------

    def create(
        self,
        *,
        package: str,
        region: str,
        zone: str,
        name: str,
        image: str,
        password: str | None,
        ssh_key: str | None,
        firewall: str | None,
    ) -> TaskRecord:
        """Create an instance (it exists at once) and start its task.

        Raises:
            ApiError: 400 for a missing login, a bad name or password, or an
                unknown region, zone, package, image, SSH key or firewall.
        """
        if password is None and ssh_key is None:
            raise ApiError(
                400,
                "MissingParameter.password",
                "Either a password or an sshKeyUUID is required",
            )
        _check_name(name)
        if password is not None:
            _check_password(password)

        the_region = self._region_on_sale(region)
        the_zone = the_region.zone(zone)
        if the_zone is None:
            raise _zone_not_found(zone)
        the_package = self._package(package, region, zone)
        the_image = self._image(image, region)
        if ssh_key is not None:
            self._ssh_key(ssh_key)
        if firewall is not None:
            self._firewall(firewall, region)

        record = self._instance_record(
            instance_id=self.new_id("ecs-"),
            name=name,
            region=the_region,
            zone=the_zone,
            package=the_package,
            image=the_image,
            born=datetime.now(UTC),
        )
        # REFERENCE §3.1: the instance exists (and can be released) from the
        # moment the create is accepted, even if its task later fails.
        record["ecsStatus"] = "STOPPED"
        self._insert(record)
        params = {"password": password} if password is not None else {}
        return self._start_task("create", record, params)

    def act(
        self,
        kind: str,
        instance_id: str,
        *,
        region: str | None = None,
        zone: str | None = None,
        image: str | None = None,
        password: str | None = None,
        ssh_key: str | None = None,
    ) -> TaskRecord:
        """Start a task of `kind` (anything but create) on an instance.

        Raises:
            ApiError: 404 for an unknown instance; 400 for a bad password,
                an unknown image or key, a busy instance, or an instance in
                the wrong power state.
        """
        if password is not None:
            _check_password(password)
        record = self._instance_at(instance_id, region, zone)
        params: dict[str, Any] = {}
        if kind == "reinstall":
            assert image is not None
            params["image"] = self._image(image, record["regionCode"])
            if ssh_key is not None:
                self._ssh_key(ssh_key)
        if password is not None:
            params["password"] = password

        if record.get("ecsPendingStatus", "NONE") != "NONE":
            raise ApiError(
                400,
                "IncorrectInstanceStatus.Busy",
                f"The instance {instance_id} is busy with "
                f"{record.get('ecsPendingStatus')}",
            )
        _check_power_state(kind, record)
        return self._start_task(kind, record, params)

    def _start_task(
        self, kind: str, record: dict[str, Any], params: dict[str, Any]
    ) -> TaskRecord:
        plan = self._take_plan(kind)
        duration = self.task_durations.get(kind, self.task_duration)
        if plan is not None and plan.duration is not None:
            duration = plan.duration
        outcome = plan.outcome if plan is not None else "SUCCESS"
        message = plan.message if plan is not None else None
        if outcome != "SUCCESS" and message is None:
            message = _DEFAULT_MESSAGES[outcome]

        task = TaskRecord(
            id=self.new_id(""),
            kind=kind,
            instance_id=record["ecsResourceUUID"],
            outcome=outcome,
            message=message,
            started=self.clock(),
            duration=max(0.0, duration),
            retry_phases=plan.retry_phases if plan is not None else 0,
        )
        self.tasks[task.id] = task
        if "password" in params:
            self._pending_passwords[task.id] = params.pop("password")
        self._task_params[task.id] = params
        record["ecsPendingStatus"] = _PENDING[kind]
        self.submissions[(kind, task.instance_id)] += 1
        self._schedule(task.ends, "task", task.id)
        return task

    # -- time --------------------------------------------------------------

    def advance(self, now: float) -> None:
        """Apply every task end and late IP that is due at `now`."""
        timeline = self._timeline
        while timeline and timeline[0][0] <= now:
            due, _, event, ident = heapq.heappop(timeline)
            if event == "task":
                task = self.tasks.get(ident)
                if task is not None and task.finished is None:
                    self._finish(task, due)
            else:
                self._assign_ip(ident)

    def _schedule(self, due: float, event: str, ident: str) -> None:
        heapq.heappush(self._timeline, (due, next(self._event_seq), event, ident))

    def _finish(self, task: TaskRecord, due: float) -> None:
        task.finished = due
        params = self._task_params.pop(task.id, {})
        password = self._pending_passwords.pop(task.id, None)
        record = self.instances.get(task.instance_id)
        if record is None:
            # A test removed the instance by hand; there is nothing to change.
            return
        record["ecsPendingStatus"] = "NONE"
        if task.outcome != "SUCCESS":
            # REFERENCE §3.1: a failed create leaves its instance behind,
            # stopped and without an address, and it can be released.
            return

        kind = task.kind
        if kind == "create":
            record["ecsStatus"] = "STARTED"
            if self.ip_delay > 0:
                self._schedule(due + self.ip_delay, "ip", task.instance_id)
            else:
                record["publicIpAddress"] = self.new_public_ip()
        elif kind == "delete":
            self._remove(task.instance_id)
        elif kind == "stop":
            record["ecsStatus"] = "STOPPED"
        elif kind in ("start", "restart"):
            record["ecsStatus"] = "STARTED"
        elif kind == "reinstall":
            _apply_image(record, params["image"])
            record["ecsStatus"] = "STARTED"
        if password is not None:
            self._passwords[task.instance_id] = password
        self.effects.append((kind, task.instance_id))

    def _assign_ip(self, instance_id: str) -> None:
        record = self.instances.get(instance_id)
        if record is not None and not record.get("publicIpAddress"):
            record["publicIpAddress"] = self.new_public_ip()

    # -- helpers -----------------------------------------------------------

    def _instance_record(
        self,
        *,
        instance_id: str,
        name: str,
        region: Region,
        zone: Zone,
        package: dict[str, Any] | None,
        image: dict[str, Any] | None,
        born: datetime,
    ) -> dict[str, Any]:
        pkg = package or {}
        record: dict[str, Any] = {
            "ecsResourceUUID": instance_id,
            "instanceName": name,
            "ecsStatus": "STOPPED",
            "ecsPendingStatus": "NONE",
            "publicIpAddress": "",
            "secondaryPublicIpInfoList": [],
            "internalIpAddress": self.new_internal_ip(),
            "regionCode": region.code,
            "regionName": region.name,
            "zoneCode": zone.code,
            "zoneName": zone.name,
            "cpu": pkg.get("cpu", 1),
            "memory": pkg.get("memory", 1),
            "bandwidth": pkg.get("bandwidth", 100),
            "systemDiskSize": pkg.get("systemDiskSize", 25),
            "dataDiskSize": pkg.get("dataDiskSize", 0),
            "imageResourceUUID": "",
            "osName": "",
            "osVersionDetail": "",
            "freeFlow": pkg.get("freeFlow", 1000),
            "usedFlow": 0,
            "createTime": format_api_time(born),
            "expireTime": format_api_time(born + timedelta(days=30)),
            "sysAccount": "root",
            "packageCode": pkg.get("packageCode", ""),
        }
        if image is not None:
            _apply_image(record, image)
        return record

    def _insert(self, record: dict[str, Any]) -> None:
        instance_id = record["ecsResourceUUID"]
        if instance_id in self.instances:
            raise ValueError(f"instance {instance_id!r} already exists")
        self.instances[instance_id] = record
        self._by_zone[record["zoneCode"]][instance_id] = None

    def _remove(self, instance_id: str) -> None:
        record = self.instances.pop(instance_id, None)
        if record is not None:
            self._by_zone[record["zoneCode"]].pop(instance_id, None)
        self._passwords.pop(instance_id, None)

    def _require_zone(
        self, region: str, zone: str | None
    ) -> tuple[Region, Zone | None]:
        # Builders are called by tests, so they raise ValueError, not ApiError.
        the_region = self.region(region)
        if the_region is None:
            raise ValueError(f"unknown region {region!r}; add it with add_region")
        the_zone = the_region.zone(zone) if zone is not None else None
        if zone is not None and the_zone is None:
            raise ValueError(f"region {region!r} has no zone {zone!r}")
        return the_region, the_zone

    def _known_region(self, code: str) -> Region:
        # Sold-out regions are still known: their instances stay listable.
        region = self.region(code)
        if region is None:
            raise ApiError(
                400, "InvalidRegionCode.NotFound", f"The region {code} does not exist"
            )
        return region

    def _region_on_sale(self, code: str) -> Region:
        region = self._known_region(code)
        if not region.on_sale:
            raise ApiError(
                400,
                "InvalidRegionCode.NotFound",
                f"The region {code} is sold out and accepts no new instances",
            )
        return region

    def _zone_owner(self, zone: str) -> Region | None:
        for region in self.regions:
            if region.zone(zone) is not None:
                return region
        return None

    def _instance_at(
        self, instance_id: str, region: str | None, zone: str | None
    ) -> dict[str, Any]:
        # Optional regionCode / zoneCode in an action body must name the
        # instance's own place (REFERENCE §3.5, §3.6, §3.8).
        if region is not None:
            self._known_region(region)
        record = self.instance(instance_id)
        if (region is not None and record["regionCode"] != region) or (
            zone is not None and record["zoneCode"] != zone
        ):
            raise ApiError(
                404,
                "InvalidInstance.NotFound",
                f"The instance {instance_id} does not exist in that region or zone",
            )
        return record

    def _package(self, code: str, region: str, zone: str) -> dict[str, Any]:
        for package in self._packages_by_code.find(code):
            if package.get("regionCode") == region and package.get("zoneCode") in (
                "",
                zone,
            ):
                return package
        raise ApiError(
            400,
            "InvalidPackageCode.NotFound",
            f"The package {code} is not offered in zone {zone}",
        )

    def _image(self, image_id: str, region: str) -> dict[str, Any]:
        for image in self._images_by_id.find(image_id):
            if image.get("regionCode") == region:
                return image
        raise ApiError(
            400,
            "InvalidImage.NotFound",
            f"The image {image_id} does not exist in region {region}",
        )

    def _ssh_key(self, key_id: str) -> dict[str, Any]:
        found = self._keys_by_id.find(key_id)
        if not found:
            raise ApiError(
                400, "InvalidSshKey.NotFound", f"The SSH key {key_id} does not exist"
            )
        return found[0]

    def _firewall(self, firewall_id: str, region: str) -> dict[str, Any]:
        for firewall in self._firewalls_by_id.find(firewall_id):
            if firewall.get("regionCode") == region:
                return firewall
        raise ApiError(
            400,
            "InvalidFirewall.NotFound",
            f"The firewall {firewall_id} does not exist in region {region}",
        )


def _apply_image(record: dict[str, Any], image: dict[str, Any]) -> None:
    record["imageResourceUUID"] = image["imageResourceUUID"]
    record["osName"] = image.get("imageName", "")
    record["osVersionDetail"] = image.get("osVersionDetail", "")
    record["sysAccount"] = image.get("imageAccount", "root")


def _check_name(name: str) -> None:
    if not name_ok(name):
        raise ApiError(
            400,
            "InvalidInstanceName.Format",
            "The instance name must be 1-64 letters, digits or '-', "
            "starting with a letter or digit",
        )


def _check_password(password: str) -> None:
    # The message states the rule and never echoes the password.
    if not password_ok(password):
        raise ApiError(400, "InvalidPassword.Format", _PASSWORD_RULE)


def _check_power_state(kind: str, record: dict[str, Any]) -> None:
    status = record.get("ecsStatus")
    instance_id = record["ecsResourceUUID"]
    if kind == "reinstall" and status != "STOPPED":
        # REFERENCE §3.8: the upstream rejects reinstalling a running server.
        raise ApiError(
            400,
            "IncorrectInstanceStatus.NotStopped",
            f"The instance {instance_id} must be stopped before a reinstall",
        )
    if (kind == "start" and status == "STARTED") or (
        kind == "stop" and status == "STOPPED"
    ):
        raise ApiError(
            400,
            "IncorrectInstanceStatus",
            f"The instance {instance_id} is already {status}",
        )


def _zone_not_found(zone: str | None) -> ApiError:
    return ApiError(400, "InvalidZoneCode.NotFound", f"The zone {zone} does not exist")
