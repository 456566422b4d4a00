"""Queries compiled once (dirco.core.prepared): the same rows as the queryset they stand for."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

from dirco.accounts.models import ApiToken, User
from dirco.accounts.services import api_token_create
from dirco.accounts.tests.factories import UserFactory
from dirco.core.prepared import PreparedQuery, PreparedShapes

pytestmark = pytest.mark.django_db


def test_model_instances_with_their_select_related() -> None:
    user = UserFactory()
    token, _key = api_token_create(user=user, name="sync")
    api_token_create(user=UserFactory(), name="other")
    prepared: PreparedQuery[ApiToken] = PreparedQuery(
        lambda key_hash: ApiToken.objects.select_related("user").filter(key_hash=key_hash),
        slots=(str,),
    )
    for _ in range(2):  # compiled by the first run, reused by the second
        with CaptureQueriesContext(connection) as ctx:
            (found,) = prepared.run(token.key_hash)
            assert found.user == user and found.user.email == user.email
        assert len(ctx.captured_queries) == 1
        assert found.created_at == token.created_at  # the backend's converters ran
    assert prepared.run("no such hash") == []


def test_values_and_fragments_with_their_parameters() -> None:
    users = [UserFactory(first_name=f"Ann{i}") for i in range(4)]

    def build(role: str, *fragments: Any) -> QuerySet[User, dict[str, Any]]:
        return (
            User.objects.filter(role=role, pk__in=fragments[0])
            .values("id", "first_name")
            .order_by("id")
        )

    prepared: PreparedQuery[User] = PreparedQuery(build, slots=(str,), fragments=1)
    chosen = [users[1].pk, users[3].pk]
    subquery = User.objects.filter(pk__in=chosen).values("pk").query.sql_with_params()
    rows = prepared.run(User.Role.REP.value, fragments=[subquery])
    assert rows == [{"id": u.pk, "first_name": u.first_name} for u in (users[1], users[3])]
    assert prepared.run(User.Role.DIRECTOR.value, fragments=[subquery]) == []


def test_a_placeholder_must_reach_the_sql_once_as_is() -> None:
    lowered: PreparedQuery[User] = PreparedQuery(
        lambda email: User.objects.filter(email__contains=email), slots=(str,)
    )
    with pytest.raises(ImproperlyConfigured):
        lowered.run("a@example.test")
    prepared: PreparedQuery[User] = PreparedQuery(
        lambda pk: User.objects.filter(pk=pk), slots=(int,)
    )
    with pytest.raises(TypeError):
        prepared.run("1")


def test_shapes_are_made_once_and_bounded() -> None:
    shapes = PreparedShapes(limit=2)
    made: list[str] = []

    def make(name: str) -> PreparedQuery[User]:
        made.append(name)
        return PreparedQuery(lambda: User.objects.filter(is_active=True))

    first = shapes.get("a", lambda: make("a"))
    assert shapes.get("a", lambda: make("a")) is first
    shapes.get("b", lambda: make("b"))
    assert made == ["a", "b"]
    # Full: a new shape drops the kept ones, so "a" is made again.
    shapes.get("c", lambda: make("c"))
    assert shapes.get("a", lambda: make("a")) is not first
    assert made == ["a", "b", "c", "a"]
