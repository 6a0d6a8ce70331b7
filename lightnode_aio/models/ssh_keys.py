"""SSH keys from ``GET /sshKey/list`` (REFERENCE §3.13).

No public source shows this endpoint's reply, so the converter accepts the
id and name under each of the names the API uses elsewhere for keys
(``sshKeyUUID``, ``sshKeyResourceUUID``, ...), and ``raw`` keeps the rest.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

import attrs

from lightnode_aio.models._base import api_field, raw_field

__all__ = ["SSHKey"]


@attrs.frozen(kw_only=True)
class SSHKey:
    """An SSH key of the account.

    Attributes:
        id: The key id, passed as ``ssh_key`` to create and reinstall.
        name: The key's name.
        fingerprint: The key's fingerprint, when the API sends one.
        public_key: The public key text, when the API sends it.
        created_at: When the key was added (no time zone, as sent).
    """

    id: str = api_field("sshKeyUUID", default="")
    name: str | None = api_field("sshKeyName")
    fingerprint: str | None = api_field("fingerprint")
    public_key: str | None = api_field("publicKey")
    created_at: datetime.datetime | None = api_field("createTime")
    raw: Mapping[str, Any] = raw_field()
