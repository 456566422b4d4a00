"""The monthly rollups of the deals and activities: exact integer cents per scope, product
line and month, kept on every deal write (``writes.py``) and read by every won-revenue figure
(``selectors.py``).

The tables were created by the objectives app and keep their names (``objectives_*``): the
models moved here, below revenue and objectives, so that both read the same rows.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScopeKind(models.TextChoices):
    COMPANY = "company", _("Company")
    TEAM = "team", _("Team")
    REP = "rep", _("Rep")
    PARTNER = "partner", _("Partner")
    PRODUCT_LINE = "product_line", _("Product line")


class RevenueRollup(models.Model):
    """Monthly totals of the deals per scope and product line, maintained on every deal write.

    A deal adds to the row of each scope it counts in (company, its team, its owner, its
    partner and the partner's channel manager: once per scope) and its product line: won and
    lost figures in the month of the close date, open figures in the month of the expected
    close date, created figures in the month it was created (UTC). Amounts are integer cents
    of the company currency so that incremental updates and a rebuild agree to the cent.
    """

    scope_kind = models.CharField(_("scope"), max_length=20, choices=ScopeKind.choices)
    scope_id = models.IntegerField(_("scope id"))  # 0 for the company
    product_line_id = models.IntegerField(_("product line id"))
    month = models.DateField(_("month"))
    won_count = models.BigIntegerField(default=0)
    won_cents = models.BigIntegerField(default=0)
    won_cycle_days = models.BigIntegerField(default=0)
    lost_count = models.BigIntegerField(default=0)
    lost_cents = models.BigIntegerField(default=0)
    open_count = models.BigIntegerField(default=0)
    open_cents = models.BigIntegerField(default=0)
    # Sum of cents x probability (percent): divide by 100 for weighted cents.
    open_weighted = models.BigIntegerField(default=0)
    commit_cents = models.BigIntegerField(default=0)
    best_case_cents = models.BigIntegerField(default=0)
    pipeline_cents = models.BigIntegerField(default=0)
    omitted_cents = models.BigIntegerField(default=0)
    created_count = models.BigIntegerField(default=0)
    created_cents = models.BigIntegerField(default=0)

    class Meta:
        db_table = "objectives_revenuerollup"
        verbose_name = _("revenue rollup")
        verbose_name_plural = _("revenue rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["scope_kind", "scope_id", "product_line_id", "month"],
                name="revenuerollup_key",
            )
        ]
        indexes = [models.Index(fields=["scope_kind", "month"], name="revenuerollup_kind_month")]

    def __str__(self) -> str:
        return f"{self.scope_kind}:{self.scope_id} line {self.product_line_id} {self.month:%Y-%m}"


class ActivityRollup(models.Model):
    """Activities per owner and month: created (by created date) and done (by done date)."""

    owner_id = models.IntegerField(_("owner id"))
    month = models.DateField(_("month"))
    created_count = models.BigIntegerField(default=0)
    done_count = models.BigIntegerField(default=0)

    class Meta:
        db_table = "objectives_activityrollup"
        verbose_name = _("activity rollup")
        verbose_name_plural = _("activity rollups")
        constraints = [
            models.UniqueConstraint(fields=["owner_id", "month"], name="activityrollup_key")
        ]
        indexes = [models.Index(fields=["month"], name="activityrollup_month")]

    def __str__(self) -> str:
        return f"{self.owner_id} {self.month:%Y-%m}"


class CycleRollup(models.Model):
    """Won deals per scope, product line, close month and cycle length (days from creation
    to close): the histogram the **median** cycle length is read from, exactly, in one
    bounded query (its rows do not grow with the number of deals, only with the distinct
    cycle lengths). Kept on every deal write with the revenue rollup, rebuilt with it."""

    scope_kind = models.CharField(_("scope"), max_length=20, choices=ScopeKind.choices)
    scope_id = models.IntegerField(_("scope id"))  # 0 for the company
    product_line_id = models.IntegerField(_("product line id"))
    month = models.DateField(_("month"))
    cycle_days = models.IntegerField(_("cycle length (days)"))
    won_count = models.BigIntegerField(_("won deals"), default=0)

    class Meta:
        verbose_name = _("cycle rollup")
        verbose_name_plural = _("cycle rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["scope_kind", "scope_id", "product_line_id", "month", "cycle_days"],
                name="cyclerollup_key",
            )
        ]
        indexes = [
            models.Index(
                fields=["scope_kind", "scope_id", "month"], name="cyclerollup_scope_month"
            ),
            # A leaderboard's window (all reps, 12 months) read from the index alone.
            models.Index(
                fields=["scope_kind", "month", "scope_id", "cycle_days", "won_count"],
                name="cyclerollup_window",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope_kind}:{self.scope_id} {self.month:%Y-%m} {self.cycle_days} d"


class CycleMiddle(models.Model):
    """A cache of :class:`CycleRollup` read for a whole leaderboard: per scope kind and
    statistics window (12 complete months), the cycles of each scope's two middle won
    deals. Filled on the first read of a window (a row with ``scope_id`` -1 says the kind is
    complete), emptied for every window that contains the month of a won deal's change,
    and by the rebuilds. A scope narrowed to a product line is read from
    :class:`CycleRollup` directly."""

    scope_kind = models.CharField(_("scope"), max_length=20, choices=ScopeKind.choices)
    scope_id = models.IntegerField(_("scope id"))  # -1: the kind's rows are all here
    window_first = models.DateField(_("first month"))
    window_last = models.DateField(_("last month"))
    lower_days = models.IntegerField(_("lower middle cycle"), null=True)
    upper_days = models.IntegerField(_("upper middle cycle"), null=True)

    class Meta:
        verbose_name = _("cycle middle")
        verbose_name_plural = _("cycle middles")
        constraints = [
            models.UniqueConstraint(
                fields=["scope_kind", "window_first", "window_last", "scope_id"],
                name="cyclemiddle_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope_kind}:{self.scope_id} {self.window_first:%Y-%m}"


ROLLUP_MEASURES = (
    "won_count",
    "won_cents",
    "won_cycle_days",
    "lost_count",
    "lost_cents",
    "open_count",
    "open_cents",
    "open_weighted",
    "commit_cents",
    "best_case_cents",
    "pipeline_cents",
    "omitted_cents",
    "created_count",
    "created_cents",
)
