"""API: the social feed under /api/v1/posts.

Posts of the feed or of one record's conversation, their comments and reactions, for staff
and partner users alike: every read and write goes through ``social.permissions`` as the
pages do (a hidden post and a missing one both answer 404; an internal note is never served
to a partner user). Lists are keyset pages; every POST honours Idempotency-Key.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import BaseModel, ConfigDict

from dirco.api.auth import request_user
from dirco.api.errors import ErrorOut
from dirco.api.pagination import Page, PageParams, paginate
from dirco.api.schemas import (
    Id,
    InputSchema,
    Ref,
    SearchText,
    Text,
    UserRef,
    choices_schema,
    refs_resolve,
)
from dirco.core.errors import ApplicationError
from dirco.partners.models import Tier
from dirco.social.models import Attachment, Comment, Post, Reaction
from dirco.social.permissions import get_post_for_user, get_record_for_user
from dirco.social.selectors import comment_list, post_list
from dirco.social.services import (
    PostInput,
    comment_create,
    post_create,
    post_url_for,
    reaction_toggle,
)

router = Router(tags=["social feed"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
AudienceField = Annotated[Post.Audience, choices_schema(Post.Audience, "PostAudience")]
RecordKindField = Annotated[Post.RecordKind, choices_schema(Post.RecordKind, "PostRecordKind")]
ReactionKindField = Annotated[Reaction.Kind, choices_schema(Reaction.Kind, "ReactionKind")]


class RecordRef(BaseModel):
    kind: str
    id: int
    name: str


class AttachmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    content_type: str
    size: int


class PostOut(Schema):
    id: int
    author: UserRef
    body: str = Field(description="The author's Markdown.")
    body_html: str = Field(description="The Markdown rendered and sanitised.")
    audience: str
    tier: Ref | None
    record: RecordRef | None = Field(description="The record of the conversation; null: feed.")
    attachments: list[AttachmentOut]
    url: str = Field(description="Where the post is read in the browser.")
    created_at: dt.datetime

    @staticmethod
    def resolve_record(obj: Post) -> dict[str, Any] | None:
        record = obj.record
        if record is None:
            return None
        return {"kind": obj.record_kind, "id": record.pk, "name": str(record)}

    @staticmethod
    def resolve_attachments(obj: Post) -> list[Attachment]:
        return list(obj.attachments.all())

    @staticmethod
    def resolve_url(obj: Post, context: Any) -> str:
        return post_url_for(user=request_user(context["request"]), post=obj)


class PostIn(InputSchema):
    body: Text = Field(min_length=1)
    audience: AudienceField = Post.Audience.INTERNAL
    record_kind: RecordKindField | None = Field(
        None, description="With record_id: a record's conversation; omitted: the company feed."
    )
    record_id: Id | None = None
    tier_id: Id | None = Field(None, description="For the audience 'tier': the tier (and better).")


class CommentOut(Schema):
    id: int
    post_id: int
    author: UserRef
    body: str
    body_html: str
    created_at: dt.datetime


class CommentIn(InputSchema):
    body: Text = Field(min_length=1)


class ReactionIn(InputSchema):
    kind: ReactionKindField


class ReactionOut(Schema):
    kind: str
    added: bool = Field(description="True: the reaction was added; false: taken back.")


class PostFilters(Schema):
    view: Literal["all", "following", "announcements"] = "all"
    q: SearchText = Field("", description="Posts whose text contains these words.")
    record_kind: RecordKindField | None = None
    record_id: Id | None = None


def _record(request: HttpRequest, kind: str | None, record_id: int | None) -> Model | None:
    if kind is None and record_id is None:
        return None
    if kind is None or record_id is None:
        message = _("Give both record_kind and record_id, or neither.")
        raise ApplicationError(message, fields={"record_id": [message]})
    return get_record_for_user(user=request_user(request), kind=str(kind), record_id=record_id)


@router.get("/posts", response={200: Page[PostOut], **ERRORS}, summary="Posts")
def post_list_endpoint(
    request: HttpRequest, filters: Query[PostFilters], page: Query[PageParams]
) -> Any:
    record = _record(request, filters.record_kind, filters.record_id)
    qs = post_list(
        user=request_user(request),
        view=filters.view,
        record_kind=str(filters.record_kind or ""),
        record=record,
        q=filters.q,
    ).prefetch_related("attachments")
    return paginate(request, qs, order=("-created_at", "-id"), params=page)


@router.post("/posts", response={201: PostOut, **ERRORS}, summary="Post")
def post_create_endpoint(request: HttpRequest, payload: PostIn) -> Any:
    user = request_user(request)
    record = _record(request, payload.record_kind, payload.record_id)
    tier = refs_resolve({"tier_id": payload.tier_id}, {"tier": Tier.objects.all()})["tier"]
    post = post_create(
        author=user,
        data=PostInput(
            body=payload.body,
            audience=payload.audience,
            record_kind=str(payload.record_kind or ""),
            record=record,
            tier=tier,
        ),
    )
    return Status(201, get_post_for_user(user=user, post_id=post.pk))


@router.get("/posts/{post_id}", response={200: PostOut, **ERRORS}, summary="A post")
def post_detail_endpoint(request: HttpRequest, post_id: Id) -> Any:
    return get_post_for_user(user=request_user(request), post_id=post_id)


@router.get(
    "/posts/{post_id}/comments", response={200: Page[CommentOut], **ERRORS}, summary="Comments"
)
def comment_list_endpoint(request: HttpRequest, post_id: Id, page: Query[PageParams]) -> Any:
    user = request_user(request)
    post = get_post_for_user(user=user, post_id=post_id)
    return paginate(
        request, comment_list(user=user, post=post), order=("created_at", "id"), params=page
    )


@router.post("/posts/{post_id}/comments", response={201: CommentOut, **ERRORS}, summary="Comment")
def comment_create_endpoint(request: HttpRequest, post_id: Id, payload: CommentIn) -> Any:
    user = request_user(request)
    post = get_post_for_user(user=user, post_id=post_id)
    comment: Comment = comment_create(author=user, post=post, body=payload.body)
    return Status(201, comment)


@router.post(
    "/posts/{post_id}/reactions",
    response={200: ReactionOut, **ERRORS},
    summary="React, or take a reaction back",
)
def reaction_toggle_endpoint(request: HttpRequest, post_id: Id, payload: ReactionIn) -> Any:
    user = request_user(request)
    post = get_post_for_user(user=user, post_id=post_id)
    added = reaction_toggle(user=user, post=post, kind=str(payload.kind))
    return {"kind": str(payload.kind), "added": added}
