"""An unknown reference is said in one whole, translated sentence per kind."""

from __future__ import annotations

import pytest
from django.utils import translation

from dirco.core.references import _BY_ID, _BY_NAME, unknown_named, unknown_reference
from dirco.pipeline.services import deal_refs_resolve


def test_each_kind_has_its_own_french_sentence() -> None:
    with translation.override("en"):
        english = {kind: unknown_reference(kind, 7) for kind in _BY_ID}
        english_named = {kind: unknown_named(kind, "X") for kind in _BY_NAME}
    with translation.override("fr"):
        french = {kind: unknown_reference(kind, 7) for kind in _BY_ID}
        french_named = {kind: unknown_named(kind, "X") for kind in _BY_NAME}
    for kind in _BY_ID:
        assert french[kind] != english[kind], kind
        assert french[kind].endswith(" : 7."), french[kind]
    for kind in _BY_NAME:
        assert french_named[kind] != english_named[kind], kind
    assert english["product_line"] == "Unknown product line: 7."
    assert french["stage"] == "Étape inconnue : 7."  # feminine, and no English word left
    assert french_named["team"] == "Équipe inconnue « X »."


def test_a_kind_not_listed_names_no_kind() -> None:
    with translation.override("fr"):
        message = unknown_reference("widget", 3)
    assert "widget" not in message and "3" in message


@pytest.mark.django_db
def test_a_deal_with_an_unknown_stage_says_so_in_french(stages: None) -> None:
    from dirco.core.errors import ApplicationError

    with translation.override("fr"), pytest.raises(ApplicationError) as refused:
        deal_refs_resolve({"stage_id": 987654, "product_line_id": 987655})
    fields = refused.value.fields
    assert fields["stage"] == ["Étape inconnue : 987654."]
    assert fields["product_line"] == ["Gamme de produits inconnue : 987655."]
