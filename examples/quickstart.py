"""Lists regions, plans and servers.

    python examples/quickstart.py

Uses the real API when LIGHTNODE_TOKEN is set, and the built-in fake server
otherwise.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence

from _target import open_client


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Renders rows as a plain text table."""
    cells = [[str(h) for h in headers]]
    cells += [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True))
        for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


async def main() -> None:
    async with open_client() as ln:
        regions = await ln.regions.list()
        print(f"Regions on sale ({len(regions)}):")
        print(
            table(
                ["region", "name", "zones"],
                [(r.code, r.name, ", ".join(z.code for z in r.zones)) for r in regions],
            )
        )

        first = regions[0]
        plans = await ln.packages.list(region=first.code)
        print(f"\nPlans in {first.name} ({len(plans)}):")
        print(
            table(
                ["package", "zone", "vCPU", "GB RAM", "GB disk", "Mbps", "billing"],
                [
                    (
                        p.code,
                        p.zone or "(any)",
                        p.cpu,
                        p.memory,
                        p.system_disk_size,
                        p.bandwidth,
                        p.charge_mode,
                    )
                    for p in plans
                ],
            )
        )

        servers = await ln.instances.list_all()
        print(f"\nServers in every zone ({len(servers)}):")
        shown = sorted(servers, key=lambda s: (s.zone or "", s.name or ""))
        print(
            table(
                ["id", "name", "zone", "status", "public IP", "vCPU", "GB", "created"],
                [
                    (
                        s.id,
                        s.name,
                        s.zone,
                        s.status,
                        s.public_ip,
                        s.cpu,
                        s.memory,
                        s.created_at,
                    )
                    for s in shown[:15]
                ],
            )
        )
        if len(shown) > 15:
            print(f"... and {len(shown) - 15} more")


if __name__ == "__main__":
    asyncio.run(main())
