"""The handover of a leaving rep's book: preview it, choose a recipient per item, do it at once.

The book: the leaver's open deals, the partners they channel-manage, the accounts they own,
their open activities and the months of their objectives not yet run. ``handover_preview``
reads it with a default recipient per item (deals spread by open amount, each activity and
account following its deal or partner); ``handover_execute`` moves every chosen item in one
transaction through the owning apps' services (the rollups, versions and history follow), and
records the departure, the handover and one ``HandoverItem`` per moved record. An item left
without a recipient stays with the leaver. Any failure undoes the whole handover.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import update_change_reason

from dirco.accounts.models import User
from dirco.core.errors import ApplicationError
from dirco.core.versioning import version_bump
from dirco.customers.models import Account
from dirco.customers.services import account_update
from dirco.dynamics.models import Handover, HandoverItem, ItemKind
from dirco.dynamics.permissions import (
    dynamics_can_view,
    get_leaver_for_user,
    handover_leavers_for,
    handover_recipients_for,
)
from dirco.objectives.fiscal_calendar import fiscal_year_months, fiscal_year_of
from dirco.objectives.models import Objective, ObjectiveMonth, ObjectiveMonthChange
from dirco.partners.models import Partner
from dirco.partners.services import partner_update
from dirco.pipeline.hooks import (
    activity_change_hooks,
    activity_change_hooks_run,
    activity_snapshot,
)
from dirco.pipeline.models import Activity, Deal
from dirco.pipeline.services import deal_update
from dirco.teams.models import Departure, SalesTeam, TeamEvent

KIND_ORDER = (
    ItemKind.DEAL,
    ItemKind.PARTNER,
    ItemKind.ACCOUNT,
    ItemKind.ACTIVITY,
    ItemKind.OBJECTIVE,
)


@dataclass
class BookItem:
    """One record of the book, with the recipient the preview proposes (None: keep)."""

    kind: str
    object_id: int
    label: str
    detail: str = ""
    amount: Decimal = Decimal(0)
    # Whose choice a default follows: ("deal", id) for an activity of a deal, etc.
    follows: tuple[str, int] | None = None
    to_user_id: int | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.object_id}"


@dataclass
class Book:
    leaver: User
    effective_on: dt.date
    items: list[BookItem] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[BookItem]:
        return [i for i in self.items if i.kind == kind]

    def totals_by_recipient(self) -> dict[int, dict[str, Decimal | int]]:
        """Per recipient id: how many items of each kind, and the open deal amount."""
        out: dict[int, dict[str, Decimal | int]] = defaultdict(dict)
        for item in self.items:
            if item.to_user_id is None:
                continue
            row = out[item.to_user_id]
            row[item.kind] = int(row.get(item.kind, 0)) + 1
            if item.kind == ItemKind.DEAL:
                row["amount"] = Decimal(row.get("amount", 0)) + item.amount
        return dict(out)


def _remaining_months(objective: Objective, effective_on: dt.date) -> list[ObjectiveMonth]:
    """The months of ``objective`` from the effective month on (the leaver will not finish the
    current month either)."""
    first = effective_on.replace(day=1)
    return [m for m in objective.months.all() if m.month >= first]


def handover_book(*, leaver: User, effective_on: dt.date) -> Book:
    """Everything the leaver holds that can be handed over, in a stable order (no defaults)."""
    book = Book(leaver=leaver, effective_on=effective_on)
    deals = (
        Deal.objects.filter(owner=leaver, stage__is_won=False, stage__is_lost=False)
        .select_related("account", "stage")
        .order_by("-amount_company", "id")
    )
    for deal in deals:
        book.items.append(
            BookItem(
                ItemKind.DEAL,
                deal.pk,
                deal.name,
                detail=f"{deal.account} · {deal.stage}",
                amount=deal.amount_company,
            )
        )
    for partner in Partner.objects.filter(channel_manager=leaver).order_by("name", "id"):
        book.items.append(BookItem(ItemKind.PARTNER, partner.pk, partner.name))
    for account in Account.objects.filter(owner=leaver).order_by("name", "id"):
        book.items.append(BookItem(ItemKind.ACCOUNT, account.pk, account.name))
    activities = Activity.objects.filter(owner=leaver, done_at__isnull=True).order_by(
        "due_at", "id"
    )
    for activity in activities:
        follows: tuple[str, int] | None = None
        if activity.deal_id:
            follows = (ItemKind.DEAL, activity.deal_id)
        elif activity.partner_id:
            follows = (ItemKind.PARTNER, activity.partner_id)
        elif activity.account_id:
            follows = (ItemKind.ACCOUNT, activity.account_id)
        due = activity.due_at.date().isoformat() if activity.due_at else ""
        book.items.append(
            BookItem(ItemKind.ACTIVITY, activity.pk, activity.subject, detail=due, follows=follows)
        )
    objectives = (
        Objective.objects.filter(rep=leaver, fiscal_year__gte=fiscal_year_of(effective_on))
        .select_related("product_line")
        .prefetch_related("months")
        .order_by("fiscal_year", "measure", "id")
    )
    for objective in objectives:
        months = _remaining_months(objective, effective_on)
        left = sum((m.amount for m in months), Decimal(0))
        if not months or left <= 0:
            continue
        label = f"{objective.fiscal_year} · {objective.get_measure_display()}"
        if objective.product_line_id:
            label += f" · {objective.product_line}"
        book.items.append(
            BookItem(
                ItemKind.OBJECTIVE,
                objective.pk,
                label,
                detail=_("%(n)s months from %(month)s")
                % {"n": len(months), "month": f"{months[0].month:%Y-%m}"},
                amount=left,
            )
        )
    return book


def handover_defaults(book: Book, recipient_ids: list[int]) -> None:
    """Propose a recipient for every item: deals by open amount to whoever has least so far
    (largest first), partners and accounts in turn (an account to the recipient of most of its
    deals), activities after their deal, partner or account, objectives to the first one."""
    if not recipient_ids:
        return
    load = dict.fromkeys(recipient_ids, Decimal(0))
    chosen: dict[tuple[str, int], int] = {}
    for item in book.of_kind(ItemKind.DEAL):
        to = min(recipient_ids, key=lambda r: (load[r], recipient_ids.index(r)))
        load[to] += item.amount
        item.to_user_id = to
        chosen[(item.kind, item.object_id)] = to
    turn = 0
    for item in book.of_kind(ItemKind.PARTNER):
        item.to_user_id = recipient_ids[turn % len(recipient_ids)]
        turn += 1
        chosen[(item.kind, item.object_id)] = item.to_user_id
    deal_account = dict(
        Deal.objects.filter(pk__in=[i.object_id for i in book.of_kind(ItemKind.DEAL)]).values_list(
            "pk", "account_id"
        )
    )
    for item in book.of_kind(ItemKind.ACCOUNT):
        votes: dict[int, int] = defaultdict(int)
        for deal_id, account_id in deal_account.items():
            if account_id == item.object_id:
                votes[chosen[(ItemKind.DEAL, deal_id)]] += 1
        if votes:
            item.to_user_id = max(votes, key=lambda r: (votes[r], -recipient_ids.index(r)))
        else:
            item.to_user_id = recipient_ids[turn % len(recipient_ids)]
            turn += 1
        chosen[(item.kind, item.object_id)] = item.to_user_id
    for item in book.of_kind(ItemKind.ACTIVITY):
        followed = chosen.get(item.follows) if item.follows else None
        item.to_user_id = followed if followed is not None else recipient_ids[0]
    for item in book.of_kind(ItemKind.OBJECTIVE):
        item.to_user_id = recipient_ids[0]


def handover_preview(
    *,
    by: User,
    leaver: User,
    effective_on: dt.date | None = None,
    recipient_ids: Iterable[int] = (),
    choices: Mapping[str, int | None] | None = None,
) -> Book:
    """The leaver's book with a recipient per item: the defaults for ``recipient_ids``, then
    the per-item ``choices`` ({"deal-12": user_id or None}) over them. Unknown recipients are
    an error, as they would be on execution."""
    leaver = get_leaver_for_user(user=by, leaver_id=leaver.pk)
    allowed = set(handover_recipients_for(user=by, leaver=leaver).values_list("pk", flat=True))
    recipients = [int(r) for r in recipient_ids]
    unknown = [r for r in recipients if r not in allowed]
    if unknown:
        raise ApplicationError(
            _("You cannot hand items to these people: %(ids)s. Choose active staff of your line.")
            % {"ids": ", ".join(map(str, unknown))},
            fields={"recipients": [_("Choose people of your line.")]},
        )
    book = handover_book(leaver=leaver, effective_on=effective_on or timezone.localdate())
    handover_defaults(book, list(dict.fromkeys(recipients)))
    if choices:
        by_key = {i.key: i for i in book.items}
        for key, to in choices.items():
            item = by_key.get(key)
            if item is None:
                continue  # an item that left the book since the form was drawn
            if to is not None and to not in allowed:
                raise ApplicationError(
                    _("%(item)s cannot go to person %(id)s: choose someone of your line.")
                    % {"item": item.label, "id": to},
                    fields={key: [_("Choose people of your line.")]},
                )
            item.to_user_id = to
    return book


def _item_record(
    handover: Handover, item: BookItem, to: User, *, amount: Decimal = Decimal(0)
) -> HandoverItem:
    return HandoverItem(
        handover=handover,
        kind=item.kind,
        object_id=item.object_id,
        label=item.label[:250],
        amount=amount,
        to_user=to,
    )


def _objective_move(*, objective: Objective, to: User, by: User, effective_on: dt.date) -> Decimal:
    """Move the objective's months from ``effective_on``'s month to ``to``'s objective of the
    same year, measure and product line (created, split by those months, when missing). Both
    yearly amounts change by the moved total; each changed month is audited."""
    objective = Objective.objects.select_for_update().get(pk=objective.pk)
    months = _remaining_months(objective, effective_on)
    moved = sum((m.amount for m in months), Decimal(0))
    if moved <= 0:
        return Decimal(0)
    target = (
        Objective.objects.select_for_update()
        .filter(
            scope_kind="rep",
            rep=to,
            fiscal_year=objective.fiscal_year,
            measure=objective.measure,
            product_line=objective.product_line,
        )
        .first()
    )
    now = timezone.now()
    if target is None:
        target = Objective.objects.create(
            scope_kind="rep",
            scope_key=f"rep:{to.pk}",
            rep=to,
            product_line=objective.product_line,
            fiscal_year=objective.fiscal_year,
            measure=objective.measure,
            amount=Decimal(0),
            status=objective.status,
            parent=objective.parent,
            split_method=Objective.SplitMethod.MANUAL,
            split_note=_("Taken over from %(who)s.") % {"who": objective.rep},
            set_by=by,
            set_at=now,
            published_at=objective.published_at,
        )
        ObjectiveMonth.objects.bulk_create(
            ObjectiveMonth(objective=target, month_index=i, month=m, amount=Decimal(0))
            for i, m in enumerate(fiscal_year_months(objective.fiscal_year), start=1)
        )
    target_months = {m.month_index: m for m in target.months.select_for_update()}
    changes = []
    for month in months:
        row = target_months[month.month_index]
        changes.append(
            ObjectiveMonthChange(
                objective=objective,
                month=month.month,
                from_amount=month.amount,
                to_amount=Decimal(0),
                changed_by=by,
                changed_at=now,
            )
        )
        changes.append(
            ObjectiveMonthChange(
                objective=target,
                month=row.month,
                from_amount=row.amount,
                to_amount=row.amount + month.amount,
                changed_by=by,
                changed_at=now,
            )
        )
        row.amount += month.amount
        row.is_override = True
        row.save(update_fields=["amount", "is_override"])
        month.amount = Decimal(0)
        month.is_override = True
        month.save(update_fields=["amount", "is_override"])
    ObjectiveMonthChange.objects.bulk_create(changes)
    objective.amount -= moved
    version_bump(objective)
    objective.save(update_fields=["amount", "version", "updated_at"])
    target.amount += moved
    version_bump(target)
    target.save(update_fields=["amount", "version", "updated_at"])
    return moved


@transaction.atomic
def handover_execute(
    *,
    by: User,
    leaver: User,
    assignments: Mapping[str, int | None],
    effective_on: dt.date | None = None,
    departure_reason: str = "",
    departure_on: dt.date | None = None,
    note: str = "",
) -> Handover:
    """Hand the chosen items to their recipients in one transaction; record the departure
    (when a reason is given), the handover and each item. ``assignments``: {"deal-12": user id
    or None (keep)}; items of the book not named stay with the leaver."""
    leaver = get_leaver_for_user(user=by, leaver_id=leaver.pk)
    today = timezone.localdate()
    effective_on = effective_on or today
    recipients = {
        u.pk: u
        for u in handover_recipients_for(user=by, leaver=leaver).filter(
            pk__in=[v for v in assignments.values() if v is not None]
        )
    }
    unknown = sorted({v for v in assignments.values() if v is not None} - set(recipients))
    if unknown:
        raise ApplicationError(
            _("You cannot hand items to these people: %(ids)s. Choose active staff of your line.")
            % {"ids": ", ".join(map(str, unknown))},
            fields={"recipients": [_("Choose people of your line.")]},
        )
    if departure_reason and departure_reason not in Departure.Reason.values:
        raise ApplicationError(
            _("Unknown departure reason '%(r)s'.") % {"r": departure_reason},
            fields={"reason": [_("Choose a reason from the list.")]},
        )
    book = handover_book(leaver=leaver, effective_on=effective_on)
    by_key = {i.key: i for i in book.items}
    stale = sorted(k for k, v in assignments.items() if v is not None and k not in by_key)
    if stale:
        raise ApplicationError(
            _(
                "These items are no longer %(who)s's to hand over (changed since the preview): "
                "%(items)s. Open the preview again."
            )
            % {"who": leaver, "items": ", ".join(stale)},
            fields={"items": [_("The book changed since the preview.")]},
        )
    departure = None
    if departure_reason:
        # A planned departure becomes the confirmed one (one record per leaving).
        departure = (
            Departure.objects.select_for_update()
            .filter(user=leaver, status=Departure.Status.PLANNED)
            .first()
        ) or Departure(user=leaver)
        departure.left_on = departure_on or effective_on
        departure.reason = departure_reason
        departure.status = Departure.Status.CONFIRMED
        departure.note = note[:300] or departure.note
        departure.recorded_by = by
        departure.save()
        for team in SalesTeam.objects.filter(members=leaver):
            TeamEvent.objects.create(
                team=team, user=leaver, kind=TeamEvent.Kind.LEFT, on=departure.left_on
            )
    handover = Handover.objects.create(
        leaver=leaver, departure=departure, by=by, effective_on=effective_on, note=note[:300]
    )
    reason = _("Handover #%(id)s from %(who)s") % {"id": handover.pk, "who": leaver}
    records: list[HandoverItem] = []
    chosen = [(by_key[k], recipients[v]) for k, v in assignments.items() if v is not None]
    chosen.sort(key=lambda pair: (KIND_ORDER.index(ItemKind(pair[0].kind)), pair[0].object_id))
    for item, to in chosen:
        try:
            records.append(_item_move(item=item, to=to, by=by, reason=reason, handover=handover))
        except ApplicationError as exc:
            raise ApplicationError(
                _("%(item)s could not be handed to %(to)s: %(error)s Nothing was handed over.")
                % {"item": item.label, "to": to, "error": exc.message},
                fields={item.key: [exc.message]},
            ) from exc
    HandoverItem.objects.bulk_create(records)
    return handover


def _item_move(
    *, item: BookItem, to: User, by: User, reason: str, handover: Handover
) -> HandoverItem:
    if item.kind == ItemKind.DEAL:
        deal = deal_update(deal=Deal(pk=item.object_id), updated_by=by, owner=to)
        update_change_reason(deal, reason)
        return _item_record(handover, item, to, amount=item.amount)
    if item.kind == ItemKind.PARTNER:
        partner = partner_update(
            partner=Partner(pk=item.object_id), updated_by=by, channel_manager=to
        )
        update_change_reason(partner, reason)
        return _item_record(handover, item, to)
    if item.kind == ItemKind.ACCOUNT:
        account_update(account=Account(pk=item.object_id), updated_by=by, owner=to)
        return _item_record(handover, item, to)
    if item.kind == ItemKind.ACTIVITY:
        activity = Activity.objects.select_for_update().get(pk=item.object_id)
        before = activity_snapshot(activity) if activity_change_hooks else None
        activity.owner = to
        version_bump(activity)
        activity.save(update_fields=["owner", "version", "updated_at"])
        if activity_change_hooks:
            activity_change_hooks_run(before, activity_snapshot(activity))
        return _item_record(handover, item, to)
    objective = Objective.objects.get(pk=item.object_id)
    moved = _objective_move(objective=objective, to=to, by=by, effective_on=handover.effective_on)
    return _item_record(handover, item, to, amount=moved)


def handovers_visible_to(user: User) -> list[Handover]:
    """The handovers of the people whose book ``user`` may hand over, newest first."""
    return list(
        Handover.objects.filter(leaver__in=handover_leavers_for(user))
        .select_related("leaver", "by", "departure")
        .prefetch_related("items__to_user")[:50]
    )


@dataclass(frozen=True)
class HandoverNote:
    """ "Handed over from X to Y on DATE (handover #N)" for one record."""

    handover_id: int
    from_user: str
    to_user: str
    on: dt.date
    can_open: bool  # whether the reader may open the handover (the director, managers)


NOTES_PER_RECORD = 3


def handover_notes(
    *, user: User, kind: str, object_ids: Iterable[int]
) -> dict[int, list[HandoverNote]]:
    """The handovers that moved each record of ``kind``, newest first (one query). The
    caller shows them on a page where ``user`` may see the records."""
    ids = [int(i) for i in object_ids]
    if not ids or kind not in ItemKind.values:
        return {}
    can_open = dynamics_can_view(user)
    items = (
        HandoverItem.objects.filter(kind=kind, object_id__in=ids)
        .select_related("handover__leaver", "to_user")
        .order_by("-handover__effective_on", "-handover_id")
    )
    out: dict[int, list[HandoverNote]] = defaultdict(list)
    for item in items:
        notes = out[item.object_id]
        if len(notes) < NOTES_PER_RECORD:
            notes.append(
                HandoverNote(
                    handover_id=item.handover_id,
                    from_user=str(item.handover.leaver),
                    to_user=str(item.to_user),
                    on=item.handover.effective_on,
                    can_open=can_open,
                )
            )
    return dict(out)
