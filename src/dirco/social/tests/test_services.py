"""Posting, commenting, reacting, following, attachments and the notifications they raise."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile

from dirco.core.errors import ApplicationError
from dirco.notifications.models import Notification
from dirco.social.attachments import MAX_ATTACHMENT_BYTES
from dirco.social.models import Follow, Post, Reaction
from dirco.social.services import (
    PostInput,
    comment_create,
    follow_toggle,
    post_create,
    reaction_toggle,
)
from dirco.social.tests.conftest import Social

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _titles(user: object) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_empty_and_oversized_text_are_refused(social: Social) -> None:
    with pytest.raises(ApplicationError) as empty:
        post_create(author=social.c.rep, data=PostInput(body="   "))
    assert "body" in empty.value.fields
    with pytest.raises(ApplicationError) as long:
        post_create(author=social.c.rep, data=PostInput(body="x" * 4001))
    assert "4000" in long.value.fields["body"][0]
    assert not Post.objects.exists()


def test_audience_rules(social: Social) -> None:
    c = social.c
    with pytest.raises(ApplicationError) as refused:
        post_create(author=c.rep, data=PostInput(body="to all", audience="partners"))
    assert "audience" in refused.value.fields
    with pytest.raises(ApplicationError) as no_tier:
        post_create(author=c.director, data=PostInput(body="to a tier", audience="tier"))
    assert "tier" in no_tier.value.fields
    with pytest.raises(PermissionDenied):
        post_create(author=c.partner_a_user, data=PostInput(body="hi", audience="record"))
    with pytest.raises(ApplicationError):  # a partner user never writes an internal note
        post_create(
            author=c.partner_a_user,
            data=PostInput(
                body="hi", audience="internal", record_kind="deal", record=social.deal_a
            ),
        )
    assert not Post.objects.exists()


def test_a_post_with_checked_attachments(social: Social) -> None:
    upload = ContentFile(PNG, name="../../etc/chart.png")
    text = ContentFile("notes, café".encode(), name="notes.txt")
    post = post_create(
        author=social.c.rep,
        data=PostInput(
            body="see attached",
            audience="record",
            record_kind="deal",
            record=social.deal_a,
            attachments=[upload, text],
        ),
    )
    files = list(post.attachments.order_by("id"))
    assert [(f.name, f.content_type) for f in files] == [
        ("chart.png", "image/png"),
        ("notes.txt", "text/plain"),
    ]
    assert files[0].file.name.endswith(".png") and "etc" not in files[0].file.name


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.pdf", "empty"),
        (b"\x00\x01binary\x00", "tool.exe", "not an accepted file"),
        (b"MZ\x90\x00" + b"\x00" * 20, "report.pdf", "not an accepted file"),
        (b"%PDF-" + b"0" * MAX_ATTACHMENT_BYTES, "big.pdf", "too large"),
    ],
)
def test_bad_attachments_are_refused_and_nothing_is_saved(
    social: Social, content: bytes, name: str, message: str
) -> None:
    with pytest.raises(ApplicationError) as refused:
        post_create(
            author=social.c.rep,
            data=PostInput(
                body="file",
                audience="record",
                record_kind="deal",
                record=social.deal_a,
                attachments=[ContentFile(content, name=name)],
            ),
        )
    assert message in refused.value.fields["attachments"][0]
    assert not Post.objects.exists()


def test_mentions_resolve_only_users_who_may_read_the_post(social: Social) -> None:
    c = social.c
    body = (
        f"Hi @{c.partner_a_user.email}, @{c.partner_b_user.email}, @{c.other_rep.email} "
        f"and @{c.manager.email}"
    )
    note = post_create(
        author=c.rep,
        data=PostInput(body=body, audience="internal", record_kind="deal", record=social.deal_a),
    )
    # partner A's user may be mentioned but not read an internal note; partner B's user is
    # beyond the rep; the other rep does not see deal A; the manager does.
    assert note.body_html.count('class="mention"') == 1
    assert f"@{c.manager.get_full_name() or c.manager.email}" in note.body_html
    assert _titles(c.manager) == ["social_mention"]
    for user in (c.partner_a_user, c.partner_b_user, c.other_rep):
        assert _titles(user) == []
    shared = post_create(
        author=c.rep,
        data=PostInput(body=body, audience="record", record_kind="deal", record=social.deal_a),
    )
    assert shared.body_html.count('class="mention"') == 2
    assert _titles(c.partner_a_user) == ["social_mention"]
    assert _titles(c.partner_b_user) == []


def test_announcement_notifies_the_partner_users_it_reaches(social: Social) -> None:
    c = social.c
    post_create(
        author=c.manager, data=PostInput(body="gold news", audience="tier", tier=social.gold)
    )
    assert _titles(c.partner_a_user) == ["social_announcement"]
    assert _titles(c.partner_a_admin) == ["social_announcement"]
    assert _titles(c.partner_b_user) == []
    url = Notification.objects.get(recipient=c.partner_a_user).url
    assert url.startswith("/portal/feed/")


def test_followers_are_told_of_posts_and_comments_they_may_read(social: Social) -> None:
    c = social.c
    assert follow_toggle(user=c.manager, kind="partner", record=c.partner_a) is True
    assert Follow.objects.filter(user=c.manager).count() == 1
    post = post_create(
        author=c.partner_a_user,
        data=PostInput(
            body="question", audience="record", record_kind="deal", record=social.deal_a
        ),
    )
    assert _titles(c.manager) == ["social_post"]
    comment_create(author=c.rep, post=post, body="answer")
    # The post's author hears of the comment; the follower too.
    assert _titles(c.partner_a_user) == ["social_comment"]
    assert sorted(_titles(c.manager)) == ["social_comment", "social_post"]
    assert follow_toggle(user=c.manager, kind="partner", record=c.partner_a) is False
    with pytest.raises(PermissionDenied):
        follow_toggle(user=c.partner_a_user, kind="deal", record=social.deal_a)


def test_reactions_toggle(social: Social) -> None:
    c = social.c
    post = post_create(author=c.director, data=PostInput(body="news", audience="partners"))
    assert reaction_toggle(user=c.partner_a_user, post=post, kind="like") is True
    assert reaction_toggle(user=c.partner_a_user, post=post, kind="celebrate") is True
    assert reaction_toggle(user=c.partner_a_user, post=post, kind="like") is False
    assert list(Reaction.objects.values_list("kind", flat=True)) == ["celebrate"]
    with pytest.raises(ApplicationError):
        reaction_toggle(user=c.partner_a_user, post=post, kind="angry")
    note = post_create(author=c.rep, data=PostInput(body="staff", audience="internal"))
    with pytest.raises(PermissionDenied):
        reaction_toggle(user=c.partner_a_user, post=note, kind="like")
    with pytest.raises(PermissionDenied):
        comment_create(author=c.partner_a_user, post=note, body="sneaky")
