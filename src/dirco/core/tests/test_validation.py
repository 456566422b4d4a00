"""relations_read: which foreign keys full_clean may leave to the database."""

from __future__ import annotations

import pytest
from django.apps import apps

from dirco.accounts.models import User
from dirco.conftest import Company
from dirco.core.validation import relations_read
from dirco.pipeline.models import Activity
from dirco.pipeline.tests.factories import DealFactory

pytestmark = pytest.mark.django_db


def test_no_foreign_key_limits_its_choices() -> None:
    """relations_read skips the existence query of full_clean, which would also test a
    field's limit_choices_to: none may have one."""
    limited = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model.__module__.startswith("dirco.")
        for field in model._meta.concrete_fields
        if field.is_relation and field.remote_field.limit_choices_to  # type: ignore[union-attr]
    ]
    assert limited == []


def test_only_objects_read_from_the_database_count(company: Company) -> None:
    deal = DealFactory(owner=company.rep)
    read = User.objects.get(pk=company.rep.pk)
    activity = Activity(owner=read, deal=deal, kind="call", subject="Call")
    assert relations_read(activity) == {"owner", "deal"}
    # An id alone, or an object made in memory with an id, is checked by full_clean.
    assert relations_read(Activity(owner_id=read.pk, deal=deal)) == {"deal"}
    assert relations_read(Activity(owner=User(pk=read.pk), deal=deal)) == {"deal"}
