"""Who reads and writes which posts, comments, reactions and attachments: the one chokepoint
of the feed pages, the record conversations, the portal, the API, the notifications and the
daily digest.

Reading a post:
- staff: the company feed (every audience) and the posts on the records they see, through
  the records' own access functions (``partners_visible_to``, ``deals_visible_to``,
  ``accounts_visible_to``, ``plans_visible_to``, ``actions_visible_to``); the director and
  marketing, who see every record, read every post;
- partner users: never an ``internal`` post; the posts of audience ``record`` on the
  partners, deals and plans they see (the portal has no account or action page: a partner
  reads an account's or an action's conversation nowhere); the announcements addressed to
  every partner or to their partner's tier or a lower one (rank: 1 is the top tier). Among
  those, only posts whose author is staff or of their own partner(s): a customer account
  can be shared by two partners' deals, and one partner never reads the other's words.

A comment and a reaction are read with their post, by the same author rule. Attachments are
read with their post. Hidden and missing both answer 404.

Writing:
- a post on a record: whoever sees the record (partner users only on the kinds above, and
  only for everyone who sees the record); an internal note: staff who see the record;
- a company post: staff; an announcement (to every partner or to a tier): the director,
  managers and marketing (:func:`announcement_can_publish`);
- a comment or a reaction: whoever reads the post;
- following a partner, a deal or an account: staff who see it.

Mentions resolve only users the author may mention (:func:`users_mentionable_by`) who may
read the post or the comment (:func:`post_visible_to_user`, :func:`comment_visible_to_user`).
"""

from __future__ import annotations

from typing import Final

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from dirco.accounts.models import User
from dirco.accounts.permissions import (
    user_is_director,
    user_is_manager,
    user_is_marketing,
    user_is_partner,
    user_is_staff_member,
    user_sees_all_staff_work,
)
from dirco.customers.permissions import accounts_visible_to, get_account_for_user
from dirco.partners.models import Partner
from dirco.partners.permissions import (
    get_partner_for_user,
    partner_ids_of_partner_user,
    partners_visible_to,
)
from dirco.pipeline.permissions import deals_visible_to, get_deal_for_user
from dirco.plans.permissions import (
    actions_visible_to,
    get_action_for_user,
    get_plan_for_user,
    plans_visible_to,
)
from dirco.social.models import Attachment, Comment, Post

RECORD_KINDS: Final = tuple(Post.RecordKind.values)
# The records whose conversation a partner user reads and joins (the portal's pages).
PORTAL_RECORD_KINDS: Final = ("partner", "deal", "plan")
FOLLOW_KINDS: Final = ("partner", "deal", "account")
RECORD_AUDIENCES: Final = (Post.Audience.INTERNAL, Post.Audience.RECORD)
COMPANY_AUDIENCES: Final = (Post.Audience.INTERNAL, Post.Audience.PARTNERS, Post.Audience.TIER)


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def _visible_records(user: User, kind: str) -> QuerySet[Model]:
    visible = {
        "partner": partners_visible_to,
        "deal": deals_visible_to,
        "account": accounts_visible_to,
        "plan": plans_visible_to,
        "action": actions_visible_to,
    }[kind]
    qs: QuerySet[Model] = visible(user)  # type: ignore[assignment]
    return qs


def record_kinds_for(user: User) -> tuple[str, ...]:
    """The record kinds whose conversations ``user`` reads at all."""
    if not _active(user):
        return ()
    return PORTAL_RECORD_KINDS if user_is_partner(user) else RECORD_KINDS


def get_record_for_user(*, user: User, kind: str, record_id: int | str) -> Model:
    """The record whose conversation ``user`` opens, or 404 (missing, hidden, or a kind the
    user has no conversation of)."""
    if kind not in record_kinds_for(user):
        raise Http404("No such record.")
    try:
        record: Model
        if kind == "partner":
            record = get_partner_for_user(user=user, partner_id=int(record_id))
        elif kind == "deal":
            record = get_deal_for_user(user=user, deal_id=record_id)
        elif kind == "account":
            record = get_account_for_user(user=user, account_id=int(record_id))
        elif kind == "plan":
            record = get_plan_for_user(user=user, plan_id=record_id)
        else:
            record = get_action_for_user(user=user, action_id=record_id)
    except (ValueError, TypeError):
        raise Http404("No such record.") from None
    return record


def _partner_tier_rank(user: User) -> int | None:
    if user.partner_id is None:
        return None
    return Partner.objects.filter(pk=user.partner_id).values_list("tier__rank", flat=True).first()


def author_visible_q(user: User, prefix: str = "") -> Q:
    """Whose words ``user`` reads (as a condition on an author reached by ``prefix``): staff
    everyone's; a partner user staff's and its own partner's (and child partners' for an
    admin)."""
    if not user_is_partner(user):
        return Q()
    return Q(**{f"{prefix}partner__isnull": True}) | Q(
        **{f"{prefix}partner_id__in": partner_ids_of_partner_user(user)}
    )


def posts_visible_to(user: User) -> QuerySet[Post]:
    qs = Post.objects.all()
    if not _active(user):
        return qs.none()
    if user_sees_all_staff_work(user):
        return qs
    company = Q(
        partner__isnull=True,
        deal__isnull=True,
        account__isnull=True,
        plan__isnull=True,
        action__isnull=True,
    )
    on_records = Q(pk__in=[])
    for kind in record_kinds_for(user):
        on_records |= Q(**{f"{kind}_id__in": _visible_records(user, kind).values("id")})
    if not user_is_partner(user):
        return qs.filter(company | on_records)
    rank = _partner_tier_rank(user)
    addressed = Q(company, audience=Post.Audience.PARTNERS)
    if rank is not None:
        addressed |= Q(company, audience=Post.Audience.TIER, tier__rank__gte=rank)
    return qs.filter(
        (on_records & Q(audience=Post.Audience.RECORD)) | addressed,
        author_visible_q(user, "author__"),
    )


def announcement_readers(post: Post) -> QuerySet[User]:
    """The partner users an announcement reaches (its notifications): the rule of
    :func:`posts_visible_to` for partner users, read from the post's side."""
    if not post.is_announcement:
        return User.objects.none()
    readers = User.objects.filter(
        is_active=True, role__in=User.PARTNER_ROLES, partner__isnull=False
    )
    if post.audience == Post.Audience.TIER:
        if post.tier is None:
            return User.objects.none()
        readers = readers.filter(partner__tier__rank__lte=post.tier.rank)
    return readers


def get_post_for_user(*, user: User, post_id: int | str) -> Post:
    """The post, or 404 both when it does not exist and when the user may not read it."""
    try:
        return posts_visible_to(user).select_related("author", "tier").get(pk=post_id)
    except (Post.DoesNotExist, ValueError, TypeError):
        raise Http404("No such post.") from None


def post_visible_to_user(*, user: User, post: Post) -> bool:
    return posts_visible_to(user).filter(pk=post.pk).exists()


def comments_visible_to(user: User) -> QuerySet[Comment]:
    if not _active(user):
        return Comment.objects.none()
    if user_sees_all_staff_work(user):
        return Comment.objects.all()
    return Comment.objects.filter(
        author_visible_q(user, "author__"), post__in=posts_visible_to(user).values("id")
    )


def comment_visible_to_user(*, user: User, comment: Comment) -> bool:
    return comments_visible_to(user).filter(pk=comment.pk).exists()


def get_attachment_for_user(*, user: User, attachment_id: int | str) -> Attachment:
    try:
        return Attachment.objects.select_related("post").get(
            pk=attachment_id, post__in=posts_visible_to(user).values("id")
        )
    except (Attachment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such attachment.") from None


# -- writing --------------------------------------------------------------------------------


def announcement_can_publish(*, user: User) -> bool:
    """Announcements to partners (all of them or a tier): the director, managers, marketing."""
    return user_is_director(user) or user_is_manager(user) or user_is_marketing(user)


def post_audiences_for(*, user: User, record_kind: str) -> tuple[str, ...]:
    """The audiences ``user`` may give a post on a record of ``record_kind`` ("" for the
    company feed); empty: they may not post there at all. The record itself must have been
    reached through :func:`get_record_for_user`."""
    if not _active(user):
        return ()
    if user_is_partner(user):
        if record_kind in PORTAL_RECORD_KINDS:
            return (Post.Audience.RECORD,)
        return ()
    if not user_is_staff_member(user):
        return ()
    if record_kind:
        return RECORD_AUDIENCES
    if announcement_can_publish(user=user):
        return COMPANY_AUDIENCES
    return (Post.Audience.INTERNAL,)


def post_can_create(*, user: User, record_kind: str, audience: str) -> bool:
    return audience in post_audiences_for(user=user, record_kind=record_kind)


def comment_can_create(*, user: User, post: Post) -> bool:
    """Whoever reads the post comments on it (the post was reached by get_post_for_user)."""
    return post_visible_to_user(user=user, post=post)


def reaction_can_toggle(*, user: User, post: Post) -> bool:
    return post_visible_to_user(user=user, post=post)


def follow_can(*, user: User, kind: str) -> bool:
    """Staff follow the partners, deals and accounts they see (the record was reached by
    get_record_for_user)."""
    return kind in FOLLOW_KINDS and user_is_staff_member(user)


def users_mentionable_by(author: User) -> QuerySet[User]:
    """Whom ``author`` may mention: staff mention staff and the users of the partners they
    see; a partner user mentions its own partner's users and its channel manager(s)."""
    qs = User.objects.filter(is_active=True)
    if not _active(author):
        return qs.none()
    if user_is_partner(author):
        ids = partner_ids_of_partner_user(author)
        managers = Partner.objects.filter(pk__in=ids).values("channel_manager_id")
        return qs.filter(Q(partner_id__in=ids) | Q(pk__in=managers))
    if user_sees_all_staff_work(author):
        return qs
    return qs.filter(
        Q(partner__isnull=True) | Q(partner_id__in=partners_visible_to(author).values("id"))
    )
