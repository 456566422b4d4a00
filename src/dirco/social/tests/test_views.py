"""The feed pages, staff and portal: what each user is shown, what they may post, and the
unread counts in the navigation."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from dirco.accounts.models import User
from dirco.social.models import Post
from dirco.social.services import PostInput, comment_create, post_create
from dirco.social.tests.conftest import Social


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _seed(social: Social) -> dict[str, Post]:
    c = social.c
    return {
        "shared": post_create(
            author=c.rep,
            data=PostInput(
                body="Shared **news** on deal A",
                audience="record",
                record_kind="deal",
                record=social.deal_a,
                attachments=[SimpleUploadedFile("plan.txt", b"the plan")],
            ),
        ),
        "note": post_create(
            author=c.rep,
            data=PostInput(
                body="Internal note on deal A",
                audience="internal",
                record_kind="deal",
                record=social.deal_a,
                attachments=[SimpleUploadedFile("secret.txt", b"secret margin")],
            ),
        ),
        "gold": post_create(
            author=c.manager,
            data=PostInput(body="Gold partners announcement", audience="tier", tier=social.gold),
        ),
        "company": post_create(
            author=c.director, data=PostInput(body="Staff only company post", audience="internal")
        ),
    }


def test_staff_feed_shows_the_posts_the_user_may_read(social: Social) -> None:
    posts = _seed(social)
    page = _client(social.c.rep).get(reverse("social:feed")).content.decode()
    for text in ("Shared <strong>news</strong>", "Internal note", "Gold partners", "Staff only"):
        assert text in page
    other = _client(social.c.other_rep).get(reverse("social:feed")).content.decode()
    assert "deal A" not in other
    assert "Gold partners" in other
    announcements = _client(social.c.rep).get(reverse("social:feed") + "?view=announcements")
    assert "Gold partners" in announcements.content.decode()
    assert "Staff only company post" not in announcements.content.decode()
    assert posts


def test_partner_users_are_sent_to_the_portal_feed(social: Social) -> None:
    # dirco.web.partner_gate: the staff feed and a conversation have portal equivalents,
    # whose own access checks still apply; the other feed pages answer 404.
    client = _client(social.c.partner_a_user)
    response = client.get(reverse("social:feed"))
    assert response.status_code == 302 and response["Location"] == reverse("portal:feed")
    response = client.get(reverse("social:record", args=["deal", social.deal_b.pk]))
    assert response["Location"] == reverse("portal:conversation", args=["deal", social.deal_b.pk])
    assert client.get(response["Location"]).status_code == 404
    assert client.post(reverse("social:digest")).status_code == 404


def test_portal_feed_hides_internal_notes_and_other_tiers(social: Social) -> None:
    _seed(social)
    gold = _client(social.c.partner_a_user).get(reverse("portal:feed")).content.decode()
    assert "Shared <strong>news</strong>" in gold
    assert "Gold partners announcement" in gold
    assert "Internal note" not in gold
    assert "Staff only" not in gold
    found = _client(social.c.partner_a_user).get(reverse("portal:feed") + "?q=note")
    assert "Internal note" not in found.content.decode()
    assert "No post yet." in found.content.decode()
    silver = _client(social.c.partner_b_user).get(reverse("portal:feed")).content.decode()
    assert "Gold partners announcement" not in silver
    assert "deal A" not in silver


def test_portal_conversation_of_a_deal(social: Social) -> None:
    posts = _seed(social)
    url = reverse("portal:conversation", args=["deal", social.deal_a.pk])
    client = _client(social.c.partner_a_user)
    page = client.get(url).content.decode()
    assert "Shared <strong>news</strong>" in page
    assert "Internal note" not in page
    assert "secret.txt" not in page
    # The partner posts; the audience is forced to "everyone who sees the record".
    response = client.post(url, {"body": "Our question", "audience": "internal"})
    assert response.status_code == 400  # an internal note is not a choice in the portal
    response = client.post(url, {"body": "Our question", "audience": "record"})
    assert response.status_code == 302
    assert Post.objects.filter(body="Our question", audience="record").exists()
    # Another partner's deal, and a staff-only kind of record, are 404.
    other = _client(social.c.partner_b_user)
    assert other.get(url).status_code == 404
    assert other.post(url, {"body": "x", "audience": "record"}).status_code == 404
    account = reverse("portal:conversation", args=["account", social.shared_account.pk])
    assert client.get(account).status_code == 404
    # Comments and reactions on a post one may not read are 404.
    note = posts["note"]
    assert (
        client.post(reverse("portal:feed_comment", args=[note.pk]), {"body": "x"}).status_code
        == 404
    )
    assert (
        client.post(reverse("portal:feed_react", args=[note.pk]), {"kind": "like"}).status_code
        == 404
    )
    assert not note.comments.exists() and not note.reactions.exists()


def test_attachments_are_served_only_with_their_post(social: Social) -> None:
    posts = _seed(social)
    shared = posts["shared"].attachments.get()
    secret = posts["note"].attachments.get()
    partner = _client(social.c.partner_a_user)
    response = partner.get(reverse("portal:feed_attachment", args=[shared.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"the plan"  # type: ignore[attr-defined]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert partner.get(reverse("portal:feed_attachment", args=[secret.pk])).status_code == 404
    assert (
        _client(social.c.partner_b_user)
        .get(reverse("portal:feed_attachment", args=[shared.pk]))
        .status_code
        == 404
    )
    assert (
        _client(social.c.rep).get(reverse("social:attachment", args=[secret.pk])).status_code == 200
    )
    assert (
        _client(social.c.other_rep).get(reverse("social:attachment", args=[secret.pk])).status_code
        == 404
    )


def test_staff_post_an_announcement_and_a_note_through_the_pages(social: Social) -> None:
    manager = _client(social.c.manager)
    response = manager.post(
        reverse("social:feed"),
        {"body": "To **gold**", "audience": "tier", "tier": social.gold.pk},
    )
    assert response.status_code == 302
    post = Post.objects.get(body="To **gold**")
    assert post.tier == social.gold and post.audience == "tier"
    rep = _client(social.c.rep)
    refused = rep.post(reverse("social:feed"), {"body": "To all", "audience": "partners"})
    assert refused.status_code == 400
    record = reverse("social:record", args=["deal", social.deal_a.pk])
    upload = SimpleUploadedFile("evil.html", b"\x00<script>")
    refused = rep.post(record, {"body": "file", "audience": "internal", "attachments": [upload]})
    assert refused.status_code == 400
    assert "not an accepted file" in refused.content.decode()
    assert rep.post(record, {"body": "note", "audience": "internal"}).status_code == 302
    assert _client(social.c.other_rep).get(record).status_code == 404


def test_follow_and_digest_settings(social: Social) -> None:
    rep = _client(social.c.rep)
    url = reverse("social:follow", args=["deal", social.deal_a.pk])
    rep.post(url)
    page = rep.get(reverse("social:record", args=["deal", social.deal_a.pk])).content.decode()
    assert "Unfollow" in page
    assert _client(social.c.other_rep).post(url).status_code == 404
    rep.post(reverse("social:digest"), {"digest_daily": "on"})
    assert social.c.rep.feed_settings.digest_daily is True
    partner = _client(social.c.partner_a_user)
    partner.post(reverse("portal:feed_digest"), {"digest_daily": "on"})
    social.c.partner_a_user.refresh_from_db()
    assert social.c.partner_a_user.feed_settings.digest_daily is True


def test_unread_counts_in_the_navigation(social: Social) -> None:
    _seed(social)
    c = social.c
    partner = _client(c.partner_a_user)
    home = partner.get(reverse("portal:home")).content.decode()
    assert 'data-testid="feed-count"' in home
    assert '<span class="p-feed-count__n" aria-label="2 new posts">2</span>' in home
    partner.get(reverse("portal:feed"))  # read
    home = partner.get(reverse("portal:home")).content.decode()
    assert "p-feed-count__n" not in home
    comment_create(author=c.rep, post=Post.objects.get(body="Gold partners announcement"), body="x")
    staff = _client(c.other_rep)
    assert 'hx-get="/feed/unread/"' in staff.get(reverse("home")).content.decode()
    badge = staff.get(reverse("social:unread")).content.decode()
    assert '<span class="nav-count" aria-label="2 new posts">2</span>' in badge
    staff.get(reverse("social:feed"))
    assert "nav-count" not in staff.get(reverse("social:unread")).content.decode()
