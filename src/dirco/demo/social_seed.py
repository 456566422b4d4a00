"""The demo's social feed, written through the social services so that it is what a user
would have made: announcements to every partner and to the top tier, a staff-only company
post, and the conversations of the portal partner (its partner record and one of its deals)
with an internal note, comments, a mention and reactions."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dirco.accounts.models import User
from dirco.partners.models import Tier
from dirco.pipeline.models import Deal
from dirco.social.models import Comment, Post
from dirco.social.services import PostInput, comment_create, post_create, reaction_toggle


def _at(obj: Post | Comment, when: dt.datetime) -> None:
    type(obj).objects.filter(pk=obj.pk).update(created_at=when)


def demo_social_seed(*, now: dt.datetime | None = None) -> int:
    """Seed the feed; returns the number of posts (0 when the demo users are missing)."""
    moment = now or timezone.now()
    hour = dt.timedelta(hours=1)
    users = {u.email: u for u in User.objects.filter(email__endswith="@demo.test")}
    director = users.get("director@demo.test")
    manager = users.get("manager1@demo.test")
    partner_user = users.get("partner1@demo.test")
    marketing = next((u for u in users.values() if u.role == User.Role.MARKETING), director)
    if director is None or manager is None or partner_user is None or marketing is None:
        return 0
    partner = partner_user.partner
    assert partner is not None
    rep = partner.channel_manager or users.get("rep1@demo.test") or manager
    top = Tier.objects.order_by("rank").first()

    everyone = post_create(
        author=marketing,
        data=PostInput(
            body=(
                "**Spring partner days, 14-15 April in Lyon.** Two days of training, roadmap "
                "and workshops: register in the portal before 31 March.\n\n"
                "- Day 1: product roadmap and certification\n- Day 2: co-selling workshops"
            ),
            audience=Post.Audience.PARTNERS,
        ),
    )
    _at(everyone, moment - 50 * hour)
    if top is not None:
        gold = post_create(
            author=manager,
            data=PostInput(
                body=(
                    f"{top.name} partners: the co-marketing funds for the second half are "
                    "open. Send your requests from the *Funds* page before the end of the month."
                ),
                audience=Post.Audience.TIER,
                tier=top,
            ),
        )
        _at(gold, moment - 26 * hour)
    company = post_create(
        author=director,
        data=PostInput(
            body=(
                "Team, we closed the quarter at **104 %** of objective. Thank you all; the "
                "gap-to-objective page shows where the next quarter will be won."
            ),
            audience=Post.Audience.INTERNAL,
        ),
    )
    _at(company, moment - 20 * hour)
    for user in (manager, rep, marketing):
        reaction_toggle(user=user, post=company, kind="celebrate")

    note = post_create(
        author=rep,
        data=PostInput(
            body=(
                f"Internal: {partner.name} asks for a better discount on the next order. "
                "Let us wait for the quarterly review before answering."
            ),
            audience=Post.Audience.INTERNAL,
            record_kind="partner",
            record=partner,
        ),
    )
    _at(note, moment - 8 * hour)
    welcome = post_create(
        author=rep,
        data=PostInput(
            body=(
                f"Welcome to your conversation with us, {partner.name}. Ask here about "
                f"deals, training or marketing funds; @{partner_user.email} will get the news."
            ),
            audience=Post.Audience.RECORD,
            record_kind="partner",
            record=partner,
        ),
    )
    _at(welcome, moment - 6 * hour)
    reply = comment_create(
        author=partner_user,
        post=welcome,
        body="Thank you! Could we get the new demo kit before the partner days?",
    )
    _at(reply, moment - 5 * hour)
    reaction_toggle(user=partner_user, post=welcome, kind="like")

    deal = Deal.objects.filter(partner=partner).order_by("-created_at", "-id").first()
    if deal is not None:
        question = post_create(
            author=partner_user,
            data=PostInput(
                body=(
                    f"The customer wants a second quote with installation included. "
                    f"@{rep.email}, can you send the installation price list?"
                ),
                audience=Post.Audience.RECORD,
                record_kind="deal",
                record=deal,
            ),
        )
        _at(question, moment - 3 * hour)
        answer = comment_create(
            author=rep, post=question, body="Sent by email this morning; see the documents too."
        )
        _at(answer, moment - 2 * hour)
    return Post.objects.count()
