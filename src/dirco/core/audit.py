"""The audit trail (django-simple-history): writes that keep it, and the rows shown on a record.

Every model with ``history = HistoricalRecords()`` records who changed what, when, on each
``save()`` and ``delete()``. ``QuerySet.update()``, ``bulk_update()`` and ``bulk_create()``
skip model signals, so they would escape the trail: services must use the functions below
instead (see docs/security.md, "Audit trail").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history as _bulk_create_with_history
from simple_history.utils import bulk_update_with_history as _bulk_update_with_history

_M = TypeVar("_M", bound=models.Model)

# Bookkeeping fields that change on every save and say nothing to a reader.
HISTORY_IGNORED_FIELDS = frozenset({"created_at", "updated_at", "amount_company"})


@transaction.atomic
def bulk_create_with_history(
    *,
    objs: Sequence[_M],
    model: type[_M],
    by: models.Model | None = None,
    reason: str = "",
    batch_size: int | None = None,
) -> list[_M]:
    """``model.objects.bulk_create(objs)`` plus one history row per object."""
    created: list[_M] = _bulk_create_with_history(
        list(objs),
        model,
        batch_size=batch_size,
        default_user=by,
        default_change_reason=reason or None,
    )
    return created


@transaction.atomic
def bulk_update_with_history(
    *,
    objs: Sequence[_M],
    model: type[_M],
    fields: Iterable[str],
    by: models.Model | None = None,
    reason: str = "",
    batch_size: int | None = None,
) -> int:
    """``model.objects.bulk_update(objs, fields)`` plus one history row per object."""
    objs = list(objs)
    if not objs:
        return 0
    count: int | None = _bulk_update_with_history(
        objs,
        model,
        list(fields),
        batch_size=batch_size,
        default_user=by,
        default_change_reason=reason or None,
    )
    return count if count is not None else len(objs)


@transaction.atomic
def queryset_update_with_history(
    *,
    queryset: models.QuerySet[_M],
    by: models.Model | None = None,
    reason: str = "",
    **values: Any,
) -> int:
    """What ``queryset.update(**values)`` does, with a history row per changed object.

    Loads the rows (locked): use it for the tens or thousands of rows a service changes, not
    for millions.
    """
    objs = list(queryset.select_for_update())
    for obj in objs:
        for name, value in values.items():
            setattr(obj, name, value)
    return bulk_update_with_history(
        objs=objs, model=queryset.model, fields=list(values), by=by, reason=reason
    )


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryRow:
    when: dt.datetime
    who: str
    action: str  # "created", "changed" or "deleted"
    action_label: str
    reason: str
    changes: list[FieldChange] = field(default_factory=list)


def _display(model_field: models.Field[Any, Any] | None, value: Any, names: dict[Any, str]) -> str:
    if value is None or value == "":
        return "—"
    if model_field is not None and model_field.is_relation:
        return names.get((model_field.related_model, value), f"#{value}")
    if model_field is not None and model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def _field_change(model_field: Any, change: Any, names: dict[Any, str]) -> FieldChange:
    return FieldChange(
        field=str(model_field.verbose_name),
        old=_display(model_field, change.old, names),
        new=_display(model_field, change.new, names),
    )


def history_for(obj: models.Model, *, limit: int = 50) -> list[HistoryRow]:
    """The newest ``limit`` entries of ``obj``'s audit trail: when, who, what changed.

    The caller has already checked that the user may see ``obj`` (its ``get_*_for_user``).
    """
    manager = obj.history  # type: ignore[attr-defined]
    records = list(
        manager.select_related("history_user").order_by("-history_date", "-pk")[: limit + 1]
    )
    opts = obj._meta
    deltas: list[tuple[Any, list[Any]]] = []
    wanted: dict[Any, set[Any]] = {}
    for i, record in enumerate(records[:limit]):
        previous = records[i + 1] if i + 1 < len(records) else None
        changes = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous, excluded_fields=HISTORY_IGNORED_FIELDS)
            changes = sorted(delta.changes, key=lambda c: c.field)
            for change in changes:
                model_field = opts.get_field(change.field)
                if model_field.is_relation:
                    for value in (change.old, change.new):
                        if value is not None:
                            wanted.setdefault(model_field.related_model, set()).add(value)
        deltas.append((record, changes))
    names: dict[Any, str] = {}
    for model, pks in wanted.items():
        for related in model._default_manager.filter(pk__in=pks):
            names[(model, related.pk)] = str(related)
    labels = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
    actions = {"+": "created", "~": "changed", "-": "deleted"}
    rows = []
    for record, changes in deltas:
        if record.history_type == "~" and not changes:
            continue  # a save that changed nothing a reader would see
        rows.append(
            HistoryRow(
                when=record.history_date,
                who=str(record.history_user) if record.history_user else _("system"),
                action=actions.get(record.history_type, "changed"),
                action_label=labels.get(record.history_type, record.history_type),
                reason=record.history_change_reason or "",
                changes=[_field_change(opts.get_field(c.field), c, names) for c in changes],
            )
        )
    return rows
