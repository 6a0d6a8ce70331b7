"""``ln.ssh_keys``: the account's SSH keys (REFERENCE §3.13).

No public source shows this endpoint's reply, so the rows are looked for
under every name such a list plausibly has, and read with the key-field
aliases of ``models.ssh_keys``.
"""

from __future__ import annotations

from lightnode_aio.models import SSHKey
from lightnode_aio.resources._base import Resource

__all__ = ["SSHKeysResource"]

_ROW_KEYS = ("sshKeys", "sshKeyList", "keys", "sshKeyInfoList", "list", "data")


class SSHKeysResource(Resource):
    """SSH keys that servers can be created or reinstalled with."""

    async def list(self) -> list[SSHKey]:
        """Lists every SSH key of the account, all pages.

        Calls ``GET /sshKey/list``.

        Raises:
            APIError: The API refused.
            TransportError: The API could not be reached.
        """
        return [
            key async for key in self._paginate("/sshKey/list", {}, _ROW_KEYS, SSHKey)
        ]
