"""The synergy chart as server-side SVG coordinates: the index per month, its 80 % band, the
line at 1 (the sum of the members' baselines) and a mark per month with an event."""

from __future__ import annotations

from dataclasses import dataclass

from dirco.dynamics.synergy import TeamSynergy

WIDTH, HEIGHT, PAD = 720, 240, 28
CAP = 3.0  # indices above 3 are drawn at the top edge (the table gives the value)


@dataclass(frozen=True)
class SynergyChart:
    width: int
    height: int
    line: str  # polyline points of the index
    band: str  # polygon points of the interval
    one_y: float  # y of index 1
    events: list[tuple[float, str]]  # (x, label) of months with an event
    labels: list[tuple[float, str]]  # (x, "2026-03") every third month


def synergy_chart(data: TeamSynergy) -> SynergyChart | None:
    months = data.months
    if not any(m.synergy.index is not None for m in months):
        return None
    step = (WIDTH - 2 * PAD) / max(1, len(months) - 1)

    def x(i: int) -> float:
        return round(PAD + i * step, 1)

    def y(value: float) -> float:
        return round(HEIGHT - PAD - min(value, CAP) / CAP * (HEIGHT - 2 * PAD), 1)

    line, upper, lower = [], [], []
    for i, m in enumerate(months):
        s = m.synergy
        if s.index is None:
            continue
        line.append(f"{x(i)},{y(s.index)}")
        upper.append(f"{x(i)},{y(s.high if s.high is not None else CAP)}")
        lower.append(f"{x(i)},{y(s.low or 0.0)}")
    events = [
        (x(i), "; ".join(f"{e.label}: {e.who}" for e in m.events))
        for i, m in enumerate(months)
        if m.events
    ]
    labels = [(x(i), f"{m.month:%Y-%m}") for i, m in enumerate(months) if i % 3 == 0]
    return SynergyChart(
        width=WIDTH,
        height=HEIGHT,
        line=" ".join(line),
        band=" ".join(upper + list(reversed(lower))),
        one_y=y(1.0),
        events=events,
        labels=labels,
    )
