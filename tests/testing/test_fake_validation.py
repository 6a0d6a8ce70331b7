"""Request validation: bodies, names, passwords and references."""

from __future__ import annotations

import aiohttp
import pytest

from lightnode_aio.testing import FakeLightNode

from .fake_support import GOOD_PASSWORD, SMALL_REGION, SMALL_ZONE, Api

BAD_PASSWORDS = {
    "short": "Ab1!xyz",
    "long": "Ab1!" + "x" * 27,
    "no-upper": "abcdef1!",
    "no-lower": "ABCDEF1!",
    "no-digit": "Abcdefg!",
    "no-special": "Abcdefg1",
    "space": "Abc def1!",
    "backtick": "Abcdef1!`",
    "percent": "Abcdef1!%",
}

GOOD_PASSWORDS = ["Abcdef1!", "Ab1" + "(" * 27, "Zz9{}[]:;,.?/", "x" * 26 + "Y7~/"]


def _assert_never_leaked(fake: FakeLightNode, password: str, *texts: str) -> None:
    for text in texts:
        assert password not in text
    assert password not in repr(fake.requests)
    assert password not in repr(fake.tasks)
    assert password not in repr(fake.instances)


@pytest.mark.parametrize("password", BAD_PASSWORDS.values(), ids=BAD_PASSWORDS.keys())
async def test_create_refuses_a_bad_password(
    api: Api, fake: FakeLightNode, password: str
) -> None:
    async with api.session.post(
        "/instance/create", json=api.create_body(password=password)
    ) as response:
        text = await response.text()

    assert response.status == 400
    assert '"InvalidPassword.Format"' in text
    _assert_never_leaked(fake, password, text)
    assert fake.requests[-1].json["packageConfig"]["password"] == "***"
    assert not fake.submissions


@pytest.mark.parametrize("password", GOOD_PASSWORDS)
async def test_create_accepts_a_good_password(api: Api, password: str) -> None:
    status, body = await api.post(
        "/instance/create", api.create_body(password=password)
    )

    assert status == 202, body


@pytest.mark.parametrize("password", BAD_PASSWORDS.values(), ids=BAD_PASSWORDS.keys())
async def test_reset_and_reinstall_refuse_a_bad_password(
    api: Api, fake: FakeLightNode, password: str
) -> None:
    record = fake.add_instance(region=SMALL_REGION, zone=SMALL_ZONE, status="STOPPED")
    image = fake.images[0]["imageResourceUUID"]

    async with api.session.post(
        "/instance/modifyInstancePassword",
        json={"ecsResourceUUID": record["ecsResourceUUID"], "password": password},
    ) as reset:
        reset_text = await reset.text()
    async with api.session.post(
        "/instance/reinstallSystem",
        json={
            "ecsResourceUUID": record["ecsResourceUUID"],
            "imageResourceUUID": image,
            "password": password,
        },
    ) as reinstall:
        reinstall_text = await reinstall.text()

    assert reset.status == reinstall.status == 400
    assert "InvalidPassword.Format" in reset_text
    assert "InvalidPassword.Format" in reinstall_text
    _assert_never_leaked(fake, password, reset_text, reinstall_text)


async def test_accepted_passwords_never_reach_the_log(
    api: Api, fake: FakeLightNode
) -> None:
    ref = await api.create()
    await api.wait(ref["asyncTaskUUID"])

    _assert_never_leaked(fake, GOOD_PASSWORD)
    create = next(r for r in fake.requests if r.path == "/instance/create")
    assert create.json["packageConfig"]["password"] == "***"
    assert create.task_id == ref["asyncTaskUUID"]


@pytest.mark.parametrize(
    "name",
    ["-web", "web_1", "web 1", "wéb", "a" * 65, "web.example"],
    ids=["dash-first", "underscore", "space", "accent", "65-chars", "dot"],
)
async def test_create_refuses_a_bad_name(api: Api, name: str) -> None:
    status, body = await api.post("/instance/create", api.create_body(name))

    assert status == 400
    assert body["code"] == "InvalidInstanceName.Format"


@pytest.mark.parametrize("name", ["a", "1", "A-1-b", "x" * 64, "edge-tr-1"])
async def test_create_accepts_a_good_name(api: Api, name: str) -> None:
    status, _ = await api.post("/instance/create", api.create_body(name))

    assert status == 202


@pytest.mark.parametrize(
    "field",
    ["packageCode", "regionCode", "zoneCode", "instanceName", "imageResourceUUID"],
)
async def test_create_needs_every_required_field(api: Api, field: str) -> None:
    body = api.create_body()
    del body["packageConfig"][field]

    status, reply = await api.post("/instance/create", body)

    assert status == 400
    assert reply["code"] == f"MissingParameter.{field}"


async def test_create_needs_a_password_or_a_key(api: Api, fake: FakeLightNode) -> None:
    key = fake.ssh_keys[0]["sshKeyUUID"]

    no_login, body = await api.post(
        "/instance/create", api.create_body(password=None, sshKeyUUID=None)
    )
    key_only, _ = await api.post(
        "/instance/create", api.create_body(password=None, sshKeyUUID=key)
    )
    both, _ = await api.post(
        "/instance/create", api.create_body("both", sshKeyUUID=key)
    )

    assert no_login == 400
    assert body["code"] == "MissingParameter.password"
    assert key_only == both == 202


async def test_create_needs_the_package_config_wrapper(api: Api) -> None:
    flat = api.create_body()["packageConfig"]

    status, body = await api.post("/instance/create", flat)

    assert status == 400
    assert body["code"] == "MissingParameter.packageConfig"


@pytest.mark.parametrize(
    "payload",
    [b"{not json", b"[1, 2]", b'"text"', b'{"packageConfig": 5}'],
    ids=["broken", "array", "string", "config-not-object"],
)
async def test_create_refuses_a_malformed_body(api: Api, payload: bytes) -> None:
    async with api.session.post(
        "/instance/create",
        data=payload,
        headers={"Content-Type": "application/json"},
    ) as response:
        body = await response.json()

    assert response.status == 400
    assert body["code"] == "InvalidParameter.Body"


async def test_wrong_field_type_is_refused(api: Api) -> None:
    status, body = await api.post("/instance/create", api.create_body(zoneCode=7))

    assert status == 400
    assert body["code"] == "InvalidParameter.Body"


async def test_action_needs_an_instance_id(api: Api) -> None:
    status, body = await api.post("/instance/start", {})

    assert status == 400
    assert body["code"] == "MissingParameter.ecsResourceUUID"


@pytest.mark.parametrize(
    ("override", "code"),
    [
        ({"regionCode": "xx-nowhere-1"}, "InvalidRegionCode.NotFound"),
        ({"regionCode": "sau-jeddah-1"}, "InvalidRegionCode.NotFound"),
        ({"zoneCode": "tr-ist-1-z"}, "InvalidZoneCode.NotFound"),
        ({"zoneCode": "ru-moscow-1-a"}, "InvalidZoneCode.NotFound"),
        ({"packageCode": "no-such-plan"}, "InvalidPackageCode.NotFound"),
        ({"packageCode": "ru-moscow-1-a-1c1g-tf"}, "InvalidPackageCode.NotFound"),
        ({"imageResourceUUID": "img-nope0000nope"}, "InvalidImage.NotFound"),
        ({"sshKeyUUID": "key-nope0000nope"}, "InvalidSshKey.NotFound"),
        ({"firewallUUID": "fw-nope0000nope"}, "InvalidFirewall.NotFound"),
    ],
    ids=[
        "region",
        "sold-out-region",
        "zone",
        "zone-of-other-region",
        "package",
        "package-of-other-zone",
        "image",
        "ssh-key",
        "firewall",
    ],
)
async def test_create_refuses_unknown_references(
    api: Api, fake: FakeLightNode, override: dict[str, str], code: str
) -> None:
    before = len(fake.instances)

    status, body = await api.post("/instance/create", api.create_body(**override))

    assert status == 400
    assert body["code"] == code
    assert len(fake.instances) == before


async def test_create_refuses_an_image_of_another_region(
    api: Api, fake: FakeLightNode
) -> None:
    foreign = next(i for i in fake.images if i["regionCode"] != SMALL_REGION)

    status, body = await api.post(
        "/instance/create",
        api.create_body(imageResourceUUID=foreign["imageResourceUUID"]),
    )

    assert status == 400
    assert body["code"] == "InvalidImage.NotFound"


async def test_create_with_a_firewall_of_the_region(
    api: Api, fake: FakeLightNode
) -> None:
    firewall = next(f for f in fake.firewalls if f["regionCode"] == SMALL_REGION)

    status, _ = await api.post(
        "/instance/create", api.create_body(firewallUUID=firewall["firewallUUID"])
    )

    assert status == 202


async def test_region_wide_package_is_valid_in_every_zone(
    api: Api, fake: FakeLightNode
) -> None:
    package = next(p for p in fake.packages if p["regionCode"] == "de-fra-1")
    image = next(i for i in fake.images if i["regionCode"] == "de-fra-1")

    status, body = await api.post(
        "/instance/create",
        {
            "packageConfig": {
                "packageCode": package["packageCode"],
                "regionCode": "de-fra-1",
                "zoneCode": "de-fra-1-a",
                "instanceName": "fra-1",
                "imageResourceUUID": image["imageResourceUUID"],
                "password": GOOD_PASSWORD,
            }
        },
    )

    assert status == 202, body
    record = fake.instances[body["asyncTaskInfo"]["ecsResourceUUID"]]
    assert record["packageCode"] == package["packageCode"]
    assert record["cpu"] == package["cpu"]


async def test_action_region_must_match_the_instance(
    api: Api, fake: FakeLightNode
) -> None:
    record = fake.add_instance(region=SMALL_REGION, zone=SMALL_ZONE)
    instance_id = record["ecsResourceUUID"]

    wrong, body = await api.post(
        "/instance/stop", {"ecsResourceUUID": instance_id, "regionCode": "de-fra-1"}
    )
    unknown, other = await api.post(
        "/instance/stop", {"ecsResourceUUID": instance_id, "regionCode": "xx-no-1"}
    )
    right, _ = await api.post(
        "/instance/stop", {"ecsResourceUUID": instance_id, "regionCode": SMALL_REGION}
    )

    assert (wrong, body["code"]) == (404, "InvalidInstance.NotFound")
    assert (unknown, other["code"]) == (400, "InvalidRegionCode.NotFound")
    assert right == 202


async def test_reinstall_refuses_an_unknown_image(
    api: Api, fake: FakeLightNode
) -> None:
    record = fake.add_instance(region=SMALL_REGION, zone=SMALL_ZONE, status="STOPPED")

    status, body = await api.post(
        "/instance/reinstallSystem",
        {
            "ecsResourceUUID": record["ecsResourceUUID"],
            "imageResourceUUID": "img-nope0000nope",
            "password": GOOD_PASSWORD,
        },
    )

    assert status == 400
    assert body["code"] == "InvalidImage.NotFound"


async def test_get_requests_are_recorded_with_their_query(
    fake: FakeLightNode, session: aiohttp.ClientSession
) -> None:
    async with session.get("/image/list", params={"regionCode": SMALL_REGION}):
        pass

    record = fake.requests[-1]
    assert record.method == "GET"
    assert record.path == "/image/list"
    assert record.query == {"regionCode": SMALL_REGION}
    assert record.json is None
    assert record.headers_seen_token is True
    assert record.status == 202
    assert record.task_id is None
