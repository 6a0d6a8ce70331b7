"""The benchmark's figures, the table they print as, and the JSON they are
saved as.

Every section returns a :class:`Section`: its figures (one table row each)
and the measurements behind them, which go into the JSON untouched. A figure
may carry a target, and then whether it was met. That is information for the
reader: nothing here, or anywhere in the benchmarks, fails on a missed target.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import aiohttp
import attrs


@attrs.frozen(kw_only=True)
class Figure:
    """One row of the table.

    Attributes:
        name: What was measured.
        value: The figure, or None when it could not be measured.
        unit: How to read it: ``x`` for a ratio, ``s``, ``ms``, ``KiB``, ...
        target: The target, written out (``<= 1.15``), or empty.
        met: Whether the target was met; None without a target.
        detail: The numbers the figure was computed from.
    """

    name: str
    value: float | None
    unit: str
    target: str = ""
    met: bool | None = None
    detail: str = ""


@attrs.frozen(kw_only=True)
class Section:
    """The figures of one section and the measurements behind them."""

    title: str
    figures: list[Figure]
    data: dict[str, Any]
    seconds: float = 0.0


def at_most(
    name: str, value: float | None, limit: float, unit: str, detail: str = ""
) -> Figure:
    """A figure whose target is an upper bound."""
    return Figure(
        name=name,
        value=value,
        unit=unit,
        target=f"<= {limit:g}{_suffix(unit)}",
        met=None if value is None else value <= limit,
        detail=detail,
    )


def below(
    name: str, value: float | None, limit: float, unit: str, detail: str = ""
) -> Figure:
    """A figure whose target is a strict upper bound."""
    return Figure(
        name=name,
        value=value,
        unit=unit,
        target=f"< {limit:g}{_suffix(unit)}",
        met=None if value is None else value < limit,
        detail=detail,
    )


def median(values: Sequence[float]) -> float:
    """The median; the one figure of several rounds that the table shows."""
    return statistics.median(values)


def paired_ratios(first: Sequence[float], second: Sequence[float]) -> list[float]:
    """``first[i] / second[i]`` for each round: the ratio of two measurements
    taken one right after the other, so that drift of the machine cancels."""
    return [a / b for a, b in zip(first, second, strict=True)]


def machine() -> dict[str, Any]:
    """What the run ran on: cores, CPU model, Python and aiohttp versions."""
    model = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "aiohttp": aiohttp.__version__,
        "platform": platform.platform(),
    }


def render(sections: Sequence[Section], header: dict[str, Any]) -> str:
    """The table, as printed."""
    rows = [("figure", "value", "target", "met", "from")]
    for section in sections:
        rows.append((f"[{section.title}]", "", "", "", f"{section.seconds:.1f} s"))
        for figure in section.figures:
            rows.append(
                (
                    "  " + figure.name,
                    _format(figure.value, figure.unit),
                    figure.target,
                    {None: "", True: "yes", False: "NO"}[figure.met],
                    figure.detail,
                )
            )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        ", ".join(f"{key} {value}" for key, value in header.items()),
        "",
    ]
    for row in rows:
        cells = [row[i].ljust(widths[i]) for i in range(4)]
        lines.append("  ".join([*cells, row[4]]).rstrip())
        if row is rows[0]:
            lines.append("  ".join("-" * width for width in widths) + "  ----")
    return "\n".join(lines)


def save(
    path: Path, sections: Sequence[Section], header: dict[str, Any], table: str
) -> None:
    """Writes the run as JSON: the header, every figure, every measurement
    and the printed table."""
    document = {
        **header,
        "machine": machine(),
        "sections": [
            {
                "title": section.title,
                "seconds": section.seconds,
                "figures": [attrs.asdict(figure) for figure in section.figures],
                "data": section.data,
            }
            for section in sections
        ],
        "table": table.splitlines(),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def _suffix(unit: str) -> str:
    return unit if unit == "x" else f" {unit}" if unit else ""


def _format(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "x":
        return f"{value:.2f}x"
    if abs(value) >= 1000:
        text = f"{value:,.0f}"
    elif abs(value) >= 100:
        text = f"{value:.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2f}"
    return f"{text} {unit}" if unit else text
