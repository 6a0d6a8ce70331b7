"""Shared helpers of the fake server's tests: constants and a tiny JSON client."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

from lightnode_aio.testing import FakeLightNode

TOKEN = "fake-token-for-tests"
GOOD_PASSWORD = "Sup3r-Secret!"
SMALL_REGION = "tr-ist-1"
SMALL_ZONE = "tr-ist-1-a"


class Api:
    """A thin JSON client for the fake: status and decoded body per call."""

    def __init__(self, session: aiohttp.ClientSession, fake: FakeLightNode) -> None:
        self.session = session
        self.fake = fake

    async def get(self, path: str, **params: Any) -> tuple[int, dict[str, Any]]:
        query = {k: str(v) for k, v in params.items()}
        async with self.session.get(path, params=query) as response:
            return response.status, await response.json()

    async def post(self, path: str, body: Any) -> tuple[int, dict[str, Any]]:
        async with self.session.post(path, json=body) as response:
            return response.status, await response.json()

    def create_body(self, name: str = "test-1", **overrides: Any) -> dict[str, Any]:
        """A valid create body for the small zone, with fields overridden."""
        package = next(p for p in self.fake.packages if p["zoneCode"] == SMALL_ZONE)
        image = next(
            i
            for i in self.fake.images
            if i["regionCode"] == SMALL_REGION and i["imageType"] == "System"
        )
        config: dict[str, Any] = {
            "packageCode": package["packageCode"],
            "regionCode": SMALL_REGION,
            "zoneCode": SMALL_ZONE,
            "instanceName": name,
            "imageResourceUUID": image["imageResourceUUID"],
            "password": GOOD_PASSWORD,
            "sshKeyUUID": None,
        }
        config.update(overrides)
        return {"packageConfig": config}

    async def create(self, name: str = "test-1", **overrides: Any) -> dict[str, str]:
        """Create an instance and return its ``asyncTaskInfo`` reference."""
        status, body = await self.post(
            "/instance/create", self.create_body(name, **overrides)
        )
        assert status == 202, body
        return body["asyncTaskInfo"]  # type: ignore[no-any-return]

    async def task(self, task_id: str) -> dict[str, Any]:
        status, body = await self.get("/asynctask/getResult", asyncTaskUUID=task_id)
        assert status == 202, body
        return body["asyncTaskInfo"]  # type: ignore[no-any-return]

    async def wait(self, task_id: str) -> dict[str, Any]:
        """Poll a task until it is FINISHED (within 5 s) and return it."""
        async with asyncio.timeout(5.0):
            while True:
                info = await self.task(task_id)
                if info["taskStatus"] == "FINISHED":
                    return info
                await asyncio.sleep(0.01)

    async def detail(self, instance_id: str) -> tuple[int, dict[str, Any]]:
        return await self.get("/instance/detail", ecsResourceUUID=instance_id)
