"""Reinstalls every server in one zone at once, and prints each outcome.

    python examples/fleet_reinstall.py [REGION ZONE IMAGE_ID]

Every reinstall is an Operation; asyncio.gather runs them together while the
client's one poller asks about each task once per round and its limits keep
the request rate polite. Running servers are stopped first, as part of their
reinstall. A failure of one server does not stop the others.

Uses the built-in fake server unless LIGHTNODE_TOKEN is set. Against the
real API this WIPES EVERY SERVER IN THE ZONE: pass the zone explicitly.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import string
import sys
import time

from _target import open_client

from lightnode_aio import ImageType, LightNodeError


def new_password() -> str:
    """A random password that meets the API's rules."""
    pool = string.ascii_letters + string.digits
    body = "".join(secrets.choice(pool) for _ in range(16))
    return "Aa1-" + body


async def main(argv: list[str]) -> int:
    if os.environ.get("LIGHTNODE_TOKEN") and len(argv) != 3:
        print("against the real API, name the zone: REGION ZONE IMAGE_ID")
        return 2
    region, zone = (argv[0], argv[1]) if argv else ("tr-ist-1", "tr-ist-1-a")

    async with open_client() as ln:
        if argv:
            image = argv[2]
        else:
            images = await ln.images.list(region=region, image_type=ImageType.SYSTEM)
            image = next(i.id for i in images if i.os_distro == "Debian 12")
        servers = await ln.instances.list(region=region, zone=zone)
        print(f"Reinstalling {len(servers)} servers in {zone} with {image} ...")

        started = time.monotonic()
        password = new_password()
        outcomes = await asyncio.gather(
            *(
                ln.instances.reinstall(server.id, image=image, password=password)
                for server in servers
            ),
            return_exceptions=True,
        )

        failed = 0
        for server, outcome in zip(servers, outcomes, strict=True):
            if isinstance(outcome, LightNodeError):
                failed += 1
                print(f"  {server.id} {server.name:<12} FAILED: {outcome}")
            elif isinstance(outcome, BaseException):
                raise outcome
            else:
                print(f"  {server.id} {server.name:<12} ok, {outcome.status}")
        elapsed = time.monotonic() - started
        done = len(servers) - failed
        print(f"{done} reinstalled, {failed} failed in {elapsed:.1f} s")
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
