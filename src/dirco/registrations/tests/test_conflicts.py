"""Normalisation and conflict detection."""

from __future__ import annotations

import pytest

from dirco.conftest import Company
from dirco.customers.tests.factories import AccountFactory
from dirco.pipeline.tests.factories import DealFactory, stage_named
from dirco.registrations.conflicts import (
    CustomerKeys,
    conflicts_find,
    domain_key,
    legal_id_key,
    name_key,
)
from dirco.registrations.services import registration_approve
from dirco.registrations.tests.factories import submit


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Société Générale S.A.", "generale"),
        ("ACME, Inc.", "acme"),
        ("Acme SARL", "acme"),
        ("Müller GmbH & Co. KG", "muller"),
        ("Dupont-Frères S.A.R.L.", "dupont freres"),
        ("SAS", "sas"),
    ],
)
def test_name_key_drops_accents_punctuation_and_legal_forms(raw: str, expected: str) -> None:
    assert name_key(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://www.Acme.fr/contact?x=1", "acme.fr"),
        ("acme.fr", "acme.fr"),
        ("http://shop.acme.fr:8080", "shop.acme.fr"),
        ("jane@acme.fr", "acme.fr"),
        ("WWW.ACME.FR.", "acme.fr"),
    ],
)
def test_domain_key(raw: str, expected: str) -> None:
    assert domain_key(raw) == expected


def test_legal_id_key_ignores_spaces_and_separators() -> None:
    assert legal_id_key("fr 123 456-789") == legal_id_key("FR123456789") == "FR123456789"


def _kinds(conflicts: list) -> set[tuple[str, str]]:  # type: ignore[type-arg]
    return {(c.kind, m) for c in conflicts for m in c.matched_on}


def test_fuzzy_name_match_reports_score(company: Company) -> None:
    account = AccountFactory(name="ACME Industrie S.A.", domain="other.example")
    conflicts = conflicts_find(
        keys=CustomerKeys.of(name="Acme Industries SAS", domain="", legal_identifier="")
    )
    [conflict] = [c for c in conflicts if c.kind == "account"]
    assert conflict.object_id == account.pk
    assert conflict.matched_on == ["name"]
    assert conflict.score is not None and 88 <= conflict.score < 100


def test_unrelated_names_do_not_match(company: Company) -> None:
    AccountFactory(name="Bouygues Construction", domain="b.example")
    conflicts = conflicts_find(
        keys=CustomerKeys.of(name="Bouygues Telecom", domain="", legal_identifier="")
    )
    assert conflicts == []


def test_domain_and_legal_id_equality(company: Company) -> None:
    by_domain = AccountFactory(name="Totally Different", domain="acme.fr")
    by_legal = AccountFactory(name="Another Name", domain="x.example", legal_identifier="FR123 456")
    conflicts = conflicts_find(
        keys=CustomerKeys.of(
            name="Zeta", domain="https://www.acme.fr/", legal_identifier="fr 123456"
        )
    )
    found = {(c.object_id, tuple(c.matched_on)) for c in conflicts if c.kind == "account"}
    assert found == {(by_domain.pk, ("domain",)), (by_legal.pk, ("legal_identifier",))}


def test_open_deals_on_matching_accounts_conflict_closed_ones_do_not(company: Company) -> None:
    account = AccountFactory(name="Acme", domain="acme.fr")
    open_deal = DealFactory(account=account, owner=company.rep, partner=company.partner_b)
    DealFactory(account=account, owner=company.rep, stage=stage_named("Lost"))
    conflicts = conflicts_find(keys=CustomerKeys.of(name="", domain="acme.fr", legal_identifier=""))
    deals = [c for c in conflicts if c.kind == "deal"]
    assert [c.object_id for c in deals] == [open_deal.pk]
    assert deals[0].partner_name == company.partner_b.name


def test_other_registrations_pending_and_protected_conflict(company: Company) -> None:
    first = submit(company.partner_b_user, customer_name="Acme Industries")
    second = submit(company.partner_a_user, customer_name="ACME industries SARL")
    assert second.conflict_count == 1
    first.refresh_from_db()
    assert first.conflict_count == 1  # told about the later one too
    [conflict] = [
        c
        for c in conflicts_find(
            keys=CustomerKeys.of(name="Acme Industries", domain="", legal_identifier=""),
            exclude_registration_id=second.pk,
        )
        if c.kind == "registration"
    ]
    assert conflict.object_id == first.pk
    assert conflict.partner_name == company.partner_b.name
    assert not conflict.protected
    registration_approve(registration=first, approved_by=company.other_rep)
    again = conflicts_find(
        keys=CustomerKeys.of(name="Acme Industries", domain="", legal_identifier=""),
        exclude_registration_id=second.pk,
    )
    assert any(c.kind == "registration" and c.protected for c in again)
