"""Social selling: marketing publishes, staff and partners share through the networks'
public share pages with a signed short link each; clicks and the leads of the public form
that follow are attributed to the sharer, its partner and the campaign. A partner sees only
its own results; a forged short link counts nothing and redirects nowhere."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from dirco.accounts.models import User
from dirco.conftest import Company
from dirco.leads.forms import contact_form_token
from dirco.leads.models import Lead
from dirco.marketing import tracking
from dirco.marketing.models import Consent, Share, ShareClick, ShareLead, ShareLink, SocialPost
from dirco.marketing.permissions import share_links_visible_to
from dirco.marketing.social import (
    PostInput,
    share_leaderboard,
    social_post_publish,
    social_post_save,
)

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 5, 5, 10, 0, tzinfo=dt.UTC)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(company: Company, **kw: Any) -> SocialPost:
    data = PostInput(
        title=kw.pop("title", "Spring robots"),
        text="Our spring offer is out",
        link_kind=kw.pop("link_kind", SocialPost.LinkKind.LEAD_FORM),
        audience=kw.pop("audience", SocialPost.Audience.EVERYONE),
        **kw,
    )
    post = social_post_save(post=None, data=data, by=company.marketing)
    return social_post_publish(post=post, by=company.marketing)


def _share(client: Client, route: str, post: SocialPost, network: str) -> str:
    response = client.post(reverse(route, args=[post.pk]), {"network": network})
    assert response.status_code == 302, response.content
    return str(response["Location"])


def _short_link(share_page: str) -> str:
    query = parse_qs(urlsplit(share_page).query)
    url = (query.get("url") or query.get("u"))[0]  # type: ignore[index]
    return urlsplit(url).path


def test_only_marketing_writes_and_drafts_are_not_shared(company: Company) -> None:
    with pytest.raises(PermissionDenied):
        social_post_save(
            post=None,
            data=PostInput(title="x", text="y", link_kind="lead_form", audience="everyone"),
            by=company.rep,
        )
    draft = social_post_save(
        post=None,
        data=PostInput(title="Draft", text="y", link_kind="lead_form", audience="everyone"),
        by=company.marketing,
    )
    response = _client(company.partner_a_user).post(
        reverse("portal:social_share", args=[draft.pk]), {"network": "x"}
    )
    assert response.status_code == 404
    assert b"Draft" not in _client(company.partner_a_user).get(reverse("portal:social")).content
    assert _client(company.rep).get(reverse("marketing:social_post_list")).status_code == 404
    assert _client(company.marketing).get(reverse("marketing:social_post_list")).status_code == 200


def test_audience_staff_only_is_never_offered_to_partners(company: Company) -> None:
    staff_only = _post(company, title="Staff only", audience=SocialPost.Audience.STAFF)
    partners = _post(company, title="For partners", audience=SocialPost.Audience.PARTNERS)
    portal = _client(company.partner_a_user).get(reverse("portal:social")).content
    assert b"For partners" in portal and b"Staff only" not in portal
    assert (
        _client(company.partner_a_user)
        .post(reverse("portal:social_share", args=[staff_only.pk]), {"network": "x"})
        .status_code
        == 404
    )
    staff = _client(company.rep).get(reverse("marketing:social_share_list")).content
    assert b"Staff only" in staff and b"For partners" not in staff
    assert partners.status == SocialPost.Status.PUBLISHED


def test_share_click_and_lead_are_attributed_to_the_sharer_and_partner(
    company: Company, django_capture_on_commit_callbacks: Any
) -> None:
    cache.clear()
    post = _post(company)
    partner_client = _client(company.partner_a_user)
    linkedin = _share(partner_client, "portal:social_share", post, "linkedin")
    assert linkedin.startswith("https://www.linkedin.com/sharing/share-offsite/?url=")
    x_page = _share(partner_client, "portal:social_share", post, "x")
    assert x_page.startswith("https://x.com/intent/post?")
    facebook = _share(partner_client, "portal:social_share", post, "facebook")
    assert facebook.startswith("https://www.facebook.com/sharer/sharer.php?u=")
    path = _short_link(linkedin)
    assert path == _short_link(x_page) == _short_link(facebook)  # one link per sharer
    link = ShareLink.objects.get()
    assert (link.user, link.partner) == (company.partner_a_user, company.partner_a)
    assert Share.objects.filter(link=link).count() == 3
    # The staff sharer gets a link of its own.
    rep_page = _share(_client(company.rep), "marketing:social_share", post, "linkedin")
    assert _short_link(rep_page) != path

    visitor = Client()
    response = visitor.get(path)
    assert response.status_code == 302
    token = path.strip("/").rsplit("/", 1)[-1]
    assert response["Location"] == f"{reverse('lead_contact')}?ref={token}"
    assert ShareClick.objects.filter(link=link).count() == 1
    form = visitor.get(response["Location"])
    assert f'value="{token}"'.encode() in form.content

    with time_machine.travel(T0, tick=False) as traveller:
        started = contact_form_token()
        traveller.move_to(T0 + dt.timedelta(seconds=20))
        with django_capture_on_commit_callbacks(execute=True):
            sent = visitor.post(
                reverse("lead_contact"),
                {
                    "company_name": "Acme Robotics",
                    "contact_name": "Jane Doe",
                    "email": "Jane@Acme.example",
                    "country": "FR",
                    "consent": "on",
                    "marketing_consent": "on",
                    "website": "",
                    "started": started,
                    # The hidden field is lost (another tab): the signed cookie still says it.
                    "ref": "",
                },
            )
    assert sent.status_code == 302, sent.content
    lead = Lead.objects.get()
    attribution = ShareLead.objects.get()
    assert (attribution.lead, attribution.link) == (lead, link)
    # The consent box: a double opt-in consent of the lead, its confirmation email sent.
    consent = Consent.objects.get(lead=lead)
    assert (consent.status, consent.source, consent.legal_basis, consent.double_opt_in) == (
        Consent.Status.PENDING,
        Consent.Source.WEB_FORM,
        Consent.LegalBasis.CONSENT,
        True,
    )
    assert consent.email == "jane@acme.example" and consent.contact is None

    rows = share_leaderboard(links=ShareLink.objects.all(), by="partner")
    by_key = {r.key: (r.shares, r.clicks, r.leads) for r in rows}
    assert by_key[company.partner_a.pk] == (3, 1, 1)
    assert by_key[None] == (1, 0, 0)  # staff
    # The partner's own results in its portal; partner B sees none of A's.
    own = _client(company.partner_a_user).get(reverse("portal:social")).content.decode()
    assert "Per person" in own
    assert not share_links_visible_to(company.partner_b_user).exists()
    other = _client(company.partner_b_user).get(reverse("portal:social")).content.decode()
    assert company.partner_a_user.email not in other
    assert "Nothing shared yet." in other
    # The leaderboard of staff: the channel manager of A sees A; the other rep does not.
    board = _client(company.rep).get(reverse("marketing:social_leaderboard")).content.decode()
    assert company.partner_a.name in board
    other_board = _client(company.other_rep).get(reverse("marketing:social_leaderboard"))
    assert company.partner_a.name not in other_board.content.decode()


def test_forged_or_tampered_short_link_counts_nothing(company: Company) -> None:
    post = _post(company)
    _share(_client(company.partner_a_user), "portal:social_share", post, "x")
    link = ShareLink.objects.get()
    good = tracking.share_token(link.pk)
    other_id = f"{link.pk + 1}-{good.split('-')[1]}"
    for token in (other_id, good[:-1] + ("0" if good[-1] != "0" else "1"), "abc", f"{link.pk}"):
        response = Client().get(f"/m/s/{token}/")
        assert response.status_code == 404, token
    assert not ShareClick.objects.exists()
    # The token of a short link is not accepted as a lead attribution when forged either.
    assert tracking.share_token_read(other_id) is None


def test_landing_page_and_document_destinations_are_the_posts_own(company: Company) -> None:
    landing = _post(
        company, title="Landing", link_kind=SocialPost.LinkKind.URL, url="https://example.com/p"
    )
    _share(_client(company.rep), "marketing:social_share", landing, "x")
    link = ShareLink.objects.get()
    response = Client().get(f"/m/s/{tracking.share_token(link.pk)}/?next=https://evil.example")
    assert response.status_code == 302 and response["Location"] == "https://example.com/p"


def test_lead_consent_follows_the_conversion_and_needs_its_confirmation(
    company: Company, django_capture_on_commit_callbacks: Any, mailoutbox: Any
) -> None:
    from dirco.customers.tests.factories import AccountFactory
    from dirco.marketing.consent import sendable_contacts
    from dirco.marketing.services import (
        consent_confirm,
        consent_follow_conversion,
        consent_record_for_lead,
    )

    lead = Lead.objects.create(
        company_name="Acme", contact_name="Jane  Doe", email="jane@acme.example", country="FR"
    )
    with django_capture_on_commit_callbacks(execute=True):
        consent = consent_record_for_lead(lead_id=lead.pk, email=lead.email)
    assert [m.to for m in mailoutbox] == [["jane@acme.example"]]  # the double opt-in link
    account = AccountFactory()
    moved = consent_follow_conversion(
        lead_id=lead.pk, account=account, contact_name=lead.contact_name, email=lead.email
    )
    assert moved is not None and moved.pk == consent.pk
    contact = moved.contact
    assert contact is not None
    assert (contact.first_name, contact.last_name, contact.account) == ("Jane", "Doe", account)
    assert not sendable_contacts().filter(pk=contact.pk).exists()  # pending: not yet
    consent_confirm(consent_id=consent.pk)
    assert sendable_contacts().filter(pk=contact.pk).exists()
