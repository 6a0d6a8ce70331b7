"""``ln.ssh_keys``: the account's keys, whatever shape the reply takes."""

from __future__ import annotations

from lightnode_aio import LightNode
from lightnode_aio.testing import FakeLightNode, Fault


async def test_list_returns_every_key(ln: LightNode, fake: FakeLightNode) -> None:
    keys = await ln.ssh_keys.list()

    assert {key.name for key in keys} == {"laptop", "ci-deploy", "ops-team"}
    assert all(key.id.startswith("key-") and key.created_at for key in keys)
    assert len(keys) == len(fake.ssh_keys)


async def test_another_plausible_shape_is_read_too(
    fake: FakeLightNode, ln: LightNode
) -> None:
    # The reply of /sshKey/list is undocumented (REFERENCE §3.13).
    body = {
        "sshKeyList": [{"sshKeyResourceUUID": "key-abc", "keyName": "other"}],
        "rowCount": 1,
    }
    fake.inject(Fault.status(202, body=body), path="/sshKey/list")

    [key] = await ln.ssh_keys.list()

    assert (key.id, key.name) == ("key-abc", "other")
