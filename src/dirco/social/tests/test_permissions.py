"""Who reads which post: record conversations follow the record, internal notes stay with
staff, announcements reach their tier and better, partners never read each other's words."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.utils import timezone

from dirco.accounts.models import User
from dirco.objectives.fiscal_calendar import fiscal_year_of
from dirco.plans.models import Action
from dirco.plans.services import ActionInput, PlanInput, action_create, plan_create
from dirco.scopes import Scope
from dirco.social.models import Post
from dirco.social.permissions import (
    announcement_readers,
    comments_visible_to,
    get_post_for_user,
    get_record_for_user,
    post_audiences_for,
    post_visible_to_user,
    posts_visible_to,
    users_mentionable_by,
)
from dirco.social.services import PostInput, comment_create, post_create
from dirco.social.tests.conftest import Social


def _post(author: User, body: str, **kw: object) -> Post:
    return post_create(author=author, data=PostInput(body=body, **kw))  # type: ignore[arg-type]


def _bodies(user: User) -> set[str]:
    return set(posts_visible_to(user).values_list("body", flat=True))


@pytest.fixture
def posts(social: Social) -> dict[str, Post]:
    c = social.c
    return {
        "deal_a": _post(
            c.rep, "on deal A", audience="record", record_kind="deal", record=social.deal_a
        ),
        "note_a": _post(
            c.rep, "note on deal A", audience="internal", record_kind="deal", record=social.deal_a
        ),
        "deal_b": _post(
            c.other_rep, "on deal B", audience="record", record_kind="deal", record=social.deal_b
        ),
        "partner_a": _post(
            c.rep, "on partner A", audience="record", record_kind="partner", record=c.partner_a
        ),
        "account": _post(
            c.rep,
            "on the shared account",
            audience="record",
            record_kind="account",
            record=social.shared_account,
        ),
        "company": _post(c.director, "staff only", audience="internal"),
        "all": _post(c.director, "to every partner", audience="partners"),
        "gold": _post(c.manager, "to gold", audience="tier", tier=social.gold),
        "silver": _post(c.manager, "to silver and better", audience="tier", tier=social.silver),
    }


def test_partner_a_user_reads_its_records_and_its_announcements(
    social: Social, posts: dict[str, Post]
) -> None:
    assert _bodies(social.c.partner_a_user) == {
        "on deal A",
        "on partner A",
        "to every partner",
        "to gold",
        "to silver and better",
    }


def test_silver_partner_does_not_read_the_gold_announcement(
    social: Social, posts: dict[str, Post]
) -> None:
    assert _bodies(social.c.partner_b_user) == {
        "on deal B",
        "to every partner",
        "to silver and better",
    }
    with pytest.raises(Http404):
        get_post_for_user(user=social.c.partner_b_user, post_id=posts["gold"].pk)


def test_internal_note_never_reaches_a_partner_user(social: Social, posts: dict[str, Post]) -> None:
    for user in (social.c.partner_a_user, social.c.partner_a_admin):
        with pytest.raises(Http404):
            get_post_for_user(user=user, post_id=posts["note_a"].pk)
    assert get_post_for_user(user=social.c.rep, post_id=posts["note_a"].pk) == posts["note_a"]


def test_staff_read_the_conversations_of_the_records_they_see(
    social: Social, posts: dict[str, Post]
) -> None:
    c = social.c
    announcements = {"staff only", "to every partner", "to gold", "to silver and better"}
    assert _bodies(c.rep) == announcements | {
        "on deal A",
        "note on deal A",
        "on partner A",
        "on the shared account",
    }
    # The other rep sees the shared account (through its deal B) but not partner A's records.
    assert _bodies(c.other_rep) == announcements | {"on deal B", "on the shared account"}
    assert _bodies(c.director) == {p.body for p in posts.values()}
    assert _bodies(c.marketing) == {p.body for p in posts.values()}


def test_account_conversations_stay_with_staff(social: Social, posts: dict[str, Post]) -> None:
    # The portal has no account page: a partner user reads no account's conversation, even
    # of an account its deals are on.
    with pytest.raises(Http404):
        get_record_for_user(
            user=social.c.partner_a_user, kind="account", record_id=social.shared_account.pk
        )
    assert "on the shared account" not in _bodies(social.c.partner_a_user)


def test_partners_never_read_each_others_comments(social: Social, posts: dict[str, Post]) -> None:
    c = social.c
    announcement = posts["all"]
    mine = comment_create(author=c.partner_a_user, post=announcement, body="A's question")
    theirs = comment_create(author=c.partner_b_user, post=announcement, body="B's question")
    staff = comment_create(author=c.marketing, post=announcement, body="the answer")
    assert set(comments_visible_to(c.partner_a_user)) == {mine, staff}
    assert set(comments_visible_to(c.partner_b_user)) == {theirs, staff}
    assert set(comments_visible_to(c.rep)) == {mine, theirs, staff}


def test_another_partners_record_is_404(social: Social) -> None:
    c = social.c
    with pytest.raises(Http404):
        get_record_for_user(user=c.partner_a_user, kind="deal", record_id=social.deal_b.pk)
    with pytest.raises(Http404):
        get_record_for_user(user=c.partner_a_user, kind="partner", record_id=c.partner_b.pk)
    with pytest.raises(Http404):
        get_record_for_user(user=c.rep, kind="deal", record_id=social.deal_b.pk)
    with pytest.raises(Http404):
        get_record_for_user(user=c.rep, kind="nonsense", record_id=social.deal_a.pk)
    assert get_record_for_user(user=c.partner_a_user, kind="deal", record_id=social.deal_a.pk)


def test_plan_and_action_conversations(social: Social) -> None:
    c = social.c
    plan = plan_create(
        by=c.rep,
        data=PlanInput(
            name="Joint plan",
            scope=Scope("partner", c.partner_a.pk),
            period=str(fiscal_year_of(timezone.localdate())),
            owner=c.rep,
        ),
    )
    action = action_create(
        plan=plan,
        by=c.rep,
        data=ActionInput(
            kind=Action.Kind.PARTNER_VISIT,
            title="Visit",
            owner=c.rep,
            starts_on=plan.starts_on,
            ends_on=plan.starts_on,
        ),
    )
    on_plan = _post(c.rep, "on the plan", audience="record", record_kind="plan", record=plan)
    _post(c.rep, "on the action", audience="record", record_kind="action", record=action)
    # Not shared yet: the partner does not see the plan, nor its conversation.
    assert "on the plan" not in _bodies(c.partner_a_user)
    from dirco.plans.services import plan_version_share

    plan_version_share(plan=plan, by=c.rep, note="v1")
    assert get_post_for_user(user=c.partner_a_user, post_id=on_plan.pk) == on_plan
    assert "on the action" not in _bodies(c.partner_a_user)  # no action page in the portal
    assert {"on the plan", "on the action"} <= _bodies(c.manager)
    assert not {"on the plan", "on the action"} & _bodies(c.other_manager)


def test_who_may_post_where(social: Social) -> None:
    c = social.c
    assert post_audiences_for(user=c.partner_a_user, record_kind="deal") == ("record",)
    assert post_audiences_for(user=c.partner_a_user, record_kind="account") == ()
    assert post_audiences_for(user=c.partner_a_user, record_kind="") == ()
    assert post_audiences_for(user=c.rep, record_kind="deal") == ("internal", "record")
    assert post_audiences_for(user=c.rep, record_kind="") == ("internal",)
    for user in (c.director, c.manager, c.marketing):
        assert post_audiences_for(user=user, record_kind="") == ("internal", "partners", "tier")


def test_mentionable_users(social: Social) -> None:
    c = social.c
    assert set(users_mentionable_by(c.partner_a_user)) == {
        c.partner_a_user,
        c.partner_a_admin,
        c.rep,  # the channel manager
    }
    rep_may = set(users_mentionable_by(c.rep))
    assert {c.partner_a_user, c.director, c.other_rep} <= rep_may
    assert c.partner_b_user not in rep_may
    assert c.partner_b_user in set(users_mentionable_by(c.director))


def test_announcement_readers_agree_with_the_visibility_rule(
    social: Social, posts: dict[str, Post]
) -> None:
    c = social.c
    partner_users = [c.partner_a_user, c.partner_a_admin, c.partner_b_user]
    for key in ("all", "gold", "silver", "company", "deal_a"):
        readers = set(announcement_readers(posts[key]))
        expected = {
            u
            for u in partner_users
            if post_visible_to_user(user=u, post=posts[key]) and posts[key].is_announcement
        }
        assert readers == expected, key
