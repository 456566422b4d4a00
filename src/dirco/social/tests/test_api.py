"""The API of the feed: lists and creates of posts and comments for the allowed and the
forbidden user, problem documents, Idempotency-Key, keyset pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from dirco.accounts.services import api_token_create
from dirco.api.tests.clients import AUTH_KINDS, client_for, error_fields, post_json
from dirco.social.models import Comment, Post
from dirco.social.services import PostInput, post_create
from dirco.social.tests.conftest import Social


def _items(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    items: list[dict[str, Any]] = response.json()["items"]
    return items


@pytest.fixture
def seeded(social: Social) -> dict[str, Post]:
    c = social.c
    return {
        "shared": post_create(
            author=c.rep,
            data=PostInput(
                body="shared", audience="record", record_kind="deal", record=social.deal_a
            ),
        ),
        "note": post_create(
            author=c.rep,
            data=PostInput(
                body="internal", audience="internal", record_kind="deal", record=social.deal_a
            ),
        ),
        "gold": post_create(
            author=c.manager, data=PostInput(body="gold", audience="tier", tier=social.gold)
        ),
    }


@pytest.mark.parametrize("auth", AUTH_KINDS)
def test_post_list_follows_the_access_model(
    auth: str, social: Social, seeded: dict[str, Post]
) -> None:
    c = social.c
    assert {p["body"] for p in _items(client_for(auth, c.partner_a_user).get("/api/v1/posts"))} == {
        "shared",
        "gold",
    }
    assert _items(client_for(auth, c.partner_b_user).get("/api/v1/posts")) == []
    assert {p["body"] for p in _items(client_for(auth, c.rep).get("/api/v1/posts"))} == {
        "shared",
        "internal",
        "gold",
    }
    record = f"/api/v1/posts?record_kind=deal&record_id={social.deal_a.pk}"
    assert [p["body"] for p in _items(client_for(auth, c.partner_a_user).get(record))] == ["shared"]
    assert client_for(auth, c.partner_b_user).get(record).status_code == 404
    gold = _items(client_for(auth, c.partner_a_user).get("/api/v1/posts?view=announcements"))
    assert [p["body"] for p in gold] == ["gold"]
    assert gold[0]["tier"]["name"] == "Gold"
    assert gold[0]["url"].startswith("/portal/feed/")
    # The search goes through the same rule: an internal note is never found by a partner.
    assert _items(client_for(auth, c.partner_a_user).get("/api/v1/posts?q=internal")) == []
    assert [p["body"] for p in _items(client_for(auth, c.rep).get("/api/v1/posts?q=intern"))] == [
        "internal"
    ]


def test_post_detail_is_404_when_hidden(social: Social, seeded: dict[str, Post]) -> None:
    c = social.c
    note = seeded["note"].pk
    response = client_for("token", c.partner_a_user).get(f"/api/v1/posts/{note}")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")
    assert client_for("token", c.rep).get(f"/api/v1/posts/{note}").json()["audience"] == "internal"
    gold = seeded["gold"].pk
    assert client_for("token", c.partner_b_user).get(f"/api/v1/posts/{gold}").status_code == 404


def test_create_posts_and_comments(social: Social, seeded: dict[str, Post]) -> None:
    c = social.c
    partner = client_for("token", c.partner_a_user)
    created = post_json(
        partner,
        "/api/v1/posts",
        {
            "body": "Hello <script>alert(1)</script>",
            "audience": "record",
            "record_kind": "deal",
            "record_id": social.deal_a.pk,
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert "<script>" not in body["body_html"] and "&lt;script&gt;" in body["body_html"]
    assert body["record"] == {"kind": "deal", "id": social.deal_a.pk, "name": "Alpha deal"}
    # An internal note, a company post and another partner's deal are refused.
    refused = post_json(
        partner,
        "/api/v1/posts",
        {"body": "x", "audience": "internal", "record_kind": "deal", "record_id": social.deal_a.pk},
    )
    assert refused.status_code == 400
    assert "audience" in error_fields(refused)
    assert (
        post_json(partner, "/api/v1/posts", {"body": "x", "audience": "record"}).status_code == 403
    )
    other = post_json(
        partner,
        "/api/v1/posts",
        {"body": "x", "audience": "record", "record_kind": "deal", "record_id": social.deal_b.pk},
    )
    assert other.status_code == 404
    half = post_json(partner, "/api/v1/posts", {"body": "x", "record_kind": "deal"})
    assert half.status_code == 400 and "record_id" in error_fields(half)
    unknown = post_json(partner, "/api/v1/posts", {"body": "x", "colour": "red"})
    assert unknown.status_code == 400
    # Comments: on a post one reads; not on a hidden one.
    shared = seeded["shared"].pk
    comment = post_json(partner, f"/api/v1/posts/{shared}/comments", {"body": "**thanks**"})
    assert comment.status_code == 201
    assert comment.json()["body_html"] == "<p><strong>thanks</strong></p>\n"
    note = seeded["note"].pk
    assert post_json(partner, f"/api/v1/posts/{note}/comments", {"body": "x"}).status_code == 404
    assert post_json(partner, f"/api/v1/posts/{shared}/comments", {"body": ""}).status_code == 400
    assert Comment.objects.count() == 1
    reaction = post_json(partner, f"/api/v1/posts/{shared}/reactions", {"kind": "like"})
    assert reaction.json() == {"kind": "like", "added": True}


def test_comment_list_hides_the_other_partners_words(social: Social) -> None:
    c = social.c
    announcement = post_create(author=c.director, data=PostInput(body="all", audience="partners"))
    url = f"/api/v1/posts/{announcement.pk}/comments"
    post_json(client_for("session", c.partner_a_user), url, {"body": "from A"})
    post_json(client_for("session", c.partner_b_user), url, {"body": "from B"})
    assert [x["body"] for x in _items(client_for("token", c.partner_a_user).get(url))] == ["from A"]
    assert [x["body"] for x in _items(client_for("token", c.rep).get(url))] == ["from A", "from B"]


def test_idempotency_key_replays_a_post(social: Social) -> None:
    _token, key = api_token_create(user=social.c.rep, name="idem")
    client = Client(headers={"authorization": f"Bearer {key}", "Idempotency-Key": "post-1"})
    body = {"body": "once", "audience": "internal"}
    first = post_json(client, "/api/v1/posts", body)
    again = post_json(client, "/api/v1/posts", body)
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert Post.objects.filter(body="once").count() == 1


def test_cursor_pages(social: Social) -> None:
    for n in range(5):
        post_create(author=social.c.director, data=PostInput(body=f"p{n}", audience="internal"))
    client = client_for("token", social.c.rep)
    seen: list[str] = []
    url: str | None = "/api/v1/posts?limit=2"
    while url:
        page = client.get(url).json()
        seen += [p["body"] for p in page["items"]]
        url = page["next"]
    assert seen == ["p4", "p3", "p2", "p1", "p0"]
    bad = client.get("/api/v1/posts?after=garbage")
    assert bad.status_code == 400 and "after" in error_fields(bad)
