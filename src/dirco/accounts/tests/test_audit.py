"""The audit trail: who changed what and when, on partners, deals and users; bulk writes too."""

from __future__ import annotations

from decimal import Decimal

from django.template.loader import render_to_string
from django.test import Client

from dirco.accounts.models import User
from dirco.accounts.security import user_deactivate
from dirco.accounts.services import api_token_create
from dirco.conftest import Company
from dirco.core.audit import (
    bulk_create_with_history,
    bulk_update_with_history,
    history_for,
    queryset_update_with_history,
)
from dirco.partners.models import Partner
from dirco.partners.services import partner_update
from dirco.partners.tests.factories import PartnerFactory
from dirco.pipeline.models import Deal
from dirco.pipeline.tests.factories import DealFactory


def test_partner_change_is_recorded_with_field_values(company: Company) -> None:
    partner = company.partner_a
    before = partner.get_status_display()
    partner_update(partner=partner, updated_by=company.director, status=Partner.Status.SUSPENDED)
    rows = history_for(partner)
    assert rows[0].action == "changed"
    change = next(c for c in rows[0].changes if c.field == "status")
    assert (change.old, change.new) == (before, "Suspended")
    assert rows[-1].action == "created"


def test_deal_change_through_the_api_records_who(company: Company) -> None:
    deal = DealFactory(owner=company.rep, amount=Decimal("1000"))
    _token, key = api_token_create(user=company.rep, name="sync")
    response = Client().patch(
        f"/api/v1/deals/{deal.pk}",
        data={"amount": "2500.00"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 200, response.content
    row = history_for(deal)[0]
    assert row.who == str(company.rep)
    change = next(c for c in row.changes if c.field == "amount")
    assert (change.old, change.new) == ("1000.00", "2500.00")


def test_foreign_keys_show_names(company: Company) -> None:
    partner = company.partner_a
    partner_update(partner=partner, updated_by=company.director, channel_manager=company.other_rep)
    change = next(c for c in history_for(partner)[0].changes if c.field == "channel manager")
    assert (change.old, change.new) == (str(company.rep), str(company.other_rep))


def test_user_history_never_holds_the_password(company: Company) -> None:
    rep = company.rep
    rep.set_password("another-long-password-42")
    rep.save()
    user_deactivate(user=rep, by=company.director)
    record = rep.history.first()
    assert record is not None
    assert not hasattr(record, "password")
    assert record.history_user == company.director
    row = history_for(rep)[0]
    assert row.who == str(company.director)
    assert [(c.field, c.new) for c in row.changes] == [("active", "no")]


def test_bulk_update_through_the_helper_is_recorded(company: Company) -> None:
    partners = [PartnerFactory(name=f"P{i}") for i in range(3)]
    for p in partners:
        p.status = Partner.Status.SUSPENDED
    count = bulk_update_with_history(
        objs=partners, model=Partner, fields=["status"], by=company.director, reason="audit"
    )
    assert count == 3
    for p in partners:
        latest = p.history.first()
        assert latest.status == Partner.Status.SUSPENDED
        assert latest.history_user == company.director
        assert latest.history_change_reason == "audit"


def test_queryset_update_through_the_helper_is_recorded(company: Company) -> None:
    deals = [DealFactory(owner=company.rep) for _i in range(2)]
    before = {d.pk: d.history.count() for d in deals}
    queryset_update_with_history(
        queryset=Deal.objects.filter(pk__in=[d.pk for d in deals]),
        by=company.manager,
        owner=company.other_rep,
    )
    for d in deals:
        assert d.history.count() == before[d.pk] + 1
        assert d.history.first().owner_id == company.other_rep.pk
        assert d.history.first().history_user == company.manager


def test_bulk_create_through_the_helper_is_recorded(company: Company) -> None:
    template = company.partner_a
    new = [
        Partner(
            name=f"Bulk {i}",
            country="FR",
            territory=template.territory,
            tier=template.tier,
        )
        for i in range(2)
    ]
    created = bulk_create_with_history(objs=new, model=Partner, by=company.director)
    assert all(Partner.history.filter(id=p.pk, history_type="+").exists() for p in created)


def test_a_raw_queryset_update_escapes_history(company: Company) -> None:
    """Why the helpers exist: this is what services must not do."""
    partner = company.partner_a
    count = partner.history.count()
    Partner.objects.filter(pk=partner.pk).update(name="Renamed")
    assert partner.history.count() == count


def test_history_include_renders(company: Company) -> None:
    partner = company.partner_a
    partner_update(partner=partner, updated_by=company.director, name="Alpha Systems SA")
    html = render_to_string("core/_history.html", {"rows": history_for(partner)})
    assert "Alpha Systems SA" in html
    assert "Alpha Systems" in html
    assert "History" in html


def test_history_limit(company: Company) -> None:
    partner = company.partner_a
    for i in range(5):
        partner_update(partner=partner, updated_by=company.director, name=f"Alpha {i}")
    rows = history_for(partner, limit=3)
    assert len(rows) == 3
    assert rows[0].changes[0].new == "Alpha 4"


def test_user_model_has_history_manager() -> None:
    assert hasattr(User, "history")
