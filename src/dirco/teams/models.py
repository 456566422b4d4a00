"""Sales teams: a manager and the reps who report to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dirco.core.models import TimeStampedModel


class SalesTeam(TimeStampedModel):
    name = models.CharField(_("name"), max_length=120, unique=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager"),
        on_delete=models.PROTECT,
        related_name="managed_teams",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), related_name="sales_teams", blank=True
    )
    territory = models.ForeignKey(
        "partners.Territory",
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="teams",
    )

    class Meta:
        verbose_name = _("sales team")
        verbose_name_plural = _("sales teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Departure(TimeStampedModel):
    """A rep or manager leaving (or planned to leave) the sales force: when and why.

    Recorded by the handover of their book (dirco.dynamics) or alone; read by the turnover
    figures. A planned departure feeds the "what if" and becomes confirmed when it happens.
    """

    class Reason(models.TextChoices):
        RESIGNATION = "resignation", _("Resignation")
        DISMISSAL = "dismissal", _("Dismissal")
        END_OF_CONTRACT = "end_of_contract", _("End of contract")
        RETIREMENT = "retirement", _("Retirement")
        INTERNAL_MOVE = "internal_move", _("Internal move")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        CONFIRMED = "confirmed", _("Confirmed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who leaves"),
        on_delete=models.PROTECT,
        related_name="departures",
    )
    left_on = models.DateField(_("leaving date"))
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.CONFIRMED
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("departure")
        verbose_name_plural = _("departures")
        ordering = ["-left_on", "-id"]
        indexes = [models.Index(fields=["left_on"], name="departure_left_on")]

    def __str__(self) -> str:
        return f"{self.user} {self.left_on:%Y-%m-%d}"


class TeamEvent(models.Model):
    """A dated change of a team: someone joined or left it, a manager took it or handed it on.

    The team's membership (SalesTeam.members) is today's; these events date it, so that the
    team dynamics figures know who was in which team in each month.
    """

    class Kind(models.TextChoices):
        JOINED = "joined", _("Joined the team")
        LEFT = "left", _("Left the team")
        MANAGER_STARTED = "manager_started", _("Became the manager")
        MANAGER_ENDED = "manager_ended", _("Stopped managing")

    team = models.ForeignKey(
        SalesTeam, verbose_name=_("team"), on_delete=models.CASCADE, related_name="events"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="team_events",
    )
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("team event")
        verbose_name_plural = _("team events")
        ordering = ["team", "on", "id"]
        indexes = [models.Index(fields=["team", "on"], name="teamevent_team_on")]

    def __str__(self) -> str:
        return f"{self.team_id} {self.kind} {self.user_id} {self.on:%Y-%m-%d}"
