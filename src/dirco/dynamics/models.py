"""Team dynamics: the handover of a leaving rep's book, item by item (the audit of record).

Deals and partners keep their own history (simple_history) with the handover as the change
reason; accounts, activities and objectives have none, so each ``HandoverItem`` is the record
of what went from whom to whom, read on the handover list and by the turnover figures.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dirco.core.models import TimeStampedModel


class ItemKind(models.TextChoices):
    DEAL = "deal", _("Open deal")
    PARTNER = "partner", _("Partner")
    ACCOUNT = "account", _("Account")
    ACTIVITY = "activity", _("Open activity")
    OBJECTIVE = "objective", _("Remaining objective")


class Handover(TimeStampedModel):
    leaver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who leaves"),
        on_delete=models.PROTECT,
        related_name="handovers_given",
    )
    departure = models.ForeignKey(
        "teams.Departure",
        verbose_name=_("departure"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="handovers",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handed over by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    effective_on = models.DateField(_("effective from"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.leaver} {self.effective_on:%Y-%m-%d}"


class HandoverItem(models.Model):
    handover = models.ForeignKey(
        Handover, verbose_name=_("handover"), on_delete=models.CASCADE, related_name="items"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    object_id = models.PositiveBigIntegerField(_("record"))
    label = models.CharField(_("label"), max_length=250)
    # The open amount of a deal, or the objective moved; zero for the others.
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2, default=Decimal(0))
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handed to"),
        on_delete=models.PROTECT,
        related_name="handovers_received",
    )

    class Meta:
        verbose_name = _("handover item")
        verbose_name_plural = _("handover items")
        ordering = ["handover", "kind", "id"]
        indexes = [models.Index(fields=["kind", "object_id"], name="handoveritem_record")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} -> {self.to_user_id}"


class OwnerWonMonth(models.Model):
    """Won deals per deal owner and close month, in integer cents of the company currency.

    The individual baselines read a person's own won revenue month by month. The rollups'
    rep rows also count the partner deals a rep channel-manages (a team would count them
    twice), and grouping the won deals by owner and month costs a scan of every won deal:
    about a second at 1M deals. This table holds the answer: kept on every deal write by the
    same pipeline hook as the rollups (``dynamics.owner_won``), rebuilt with them.
    """

    owner_id = models.IntegerField(_("owner id"))
    month = models.DateField(_("month"))
    won_count = models.BigIntegerField(_("won deals"), default=0)
    won_cents = models.BigIntegerField(_("won revenue (cents)"), default=0)

    class Meta:
        verbose_name = _("won revenue of an owner and month")
        verbose_name_plural = _("won revenue by owner and month")
        constraints = [
            models.UniqueConstraint(fields=["owner_id", "month"], name="ownerwonmonth_key")
        ]
        indexes = [models.Index(fields=["month"], name="ownerwonmonth_month")]

    def __str__(self) -> str:
        return f"{self.owner_id} {self.month:%Y-%m}"
