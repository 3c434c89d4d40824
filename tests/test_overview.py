"""The register's charts (register/overview.py), drawn from the figures."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from mailbot.register.overview import chart_figures, figures


@pytest.mark.parametrize("language", ["nl", "en"])
def test_an_empty_register_is_charted_from_zero(language: str) -> None:
    """With nothing counted (a new installation's first overview) every count axis runs from 0
    to at least 1 in whole numbers, not from -0.06 to 0.06."""
    from matplotlib import pyplot as plt

    now = datetime(2026, 12, 2, 13, 0, tzinfo=UTC)
    fig = figures([], date(2025, 12, 1), date(2026, 11, 30), now, ZoneInfo("Europe/Amsterdam"))
    drawn = chart_figures(fig, language)
    assert len(drawn) == 3
    for name, figure in drawn:
        for ax in figure.axes:
            # The monthly chart counts upwards; the others are horizontal bars.
            lo, hi = ax.get_ylim() if name.startswith(("meldingen", "reports")) else ax.get_xlim()
            ticks = ax.get_yticks() if name.startswith(("meldingen", "reports")) else ax.get_xticks()
            shown = [t for t in ticks if lo <= t <= hi]
            assert lo == 0 and hi >= 1, (name, lo, hi)
            assert shown and all(t == int(t) for t in shown), (name, shown)
        plt.close(figure)
