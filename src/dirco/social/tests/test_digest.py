"""The daily digest, sent through Django's SMTP backend to a real SMTP server on loopback:
each user gets the posts they may read, once a day; partner users never an internal note
nor another tier's announcement."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dirco.marketing.tests.smtp_server import SinkHandler
from dirco.schedule.jobs import JOBS
from dirco.social.digest import social_digest_send
from dirco.social.services import PostInput, feed_digest_set, post_create
from dirco.social.tests.conftest import Social


def _text(handler: SinkHandler, address: str) -> str:
    messages = handler.to(address)
    assert len(messages) == 1, [m.envelope_to for m in handler.received]
    message = messages[0].message
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    return f"{message['Subject']}\n{plain.get_content()}\n{html.get_content()}"


def test_digest_over_smtp_follows_the_access_model(social: Social, smtp: SinkHandler) -> None:
    c = social.c
    for user in (c.partner_a_user, c.partner_b_user, c.rep, c.other_rep):
        feed_digest_set(user=user, daily=True)
    post_create(
        author=c.rep,
        data=PostInput(
            body="Margin is **thin**", audience="internal", record_kind="deal", record=social.deal_a
        ),
    )
    post_create(
        author=c.rep,
        data=PostInput(
            body="Quote sent", audience="record", record_kind="deal", record=social.deal_a
        ),
    )
    post_create(
        author=c.manager, data=PostInput(body="Gold funds open", audience="tier", tier=social.gold)
    )
    post_create(author=c.marketing, data=PostInput(body="Partner days", audience="partners"))
    assert social_digest_send() == 4

    gold = _text(smtp, c.partner_a_user.email)
    assert "3 new posts" in gold
    assert "Quote sent" in gold and "Gold funds open" in gold
    assert "Margin" not in gold
    assert "http://testserver/portal/feed/records/deal/" in gold
    silver = _text(smtp, c.partner_b_user.email)
    assert "1 new post in your feed" in silver and "Partner days" in silver
    assert "Gold funds open" not in silver
    assert "Quote sent" not in silver and "Margin" not in silver
    rep = _text(smtp, c.rep.email)
    assert "Gold funds open" in rep and "Margin" not in rep  # one's own posts are not news
    other = _text(smtp, c.other_rep.email)
    assert "Gold funds open" in other and "Quote sent" not in other and "Margin" not in other


def test_digest_goes_once_a_day_and_only_when_asked(social: Social, smtp: SinkHandler) -> None:
    c = social.c
    feed_digest_set(user=c.partner_a_user, daily=True)
    post_create(author=c.director, data=PostInput(body="first", audience="partners"))
    now = timezone.now()
    assert social_digest_send(now=now) == 1
    post_create(author=c.director, data=PostInput(body="second", audience="partners"))
    assert social_digest_send(now=now + dt.timedelta(hours=2)) == 0  # not a day yet
    assert social_digest_send(now=now + dt.timedelta(hours=24)) == 1
    last = smtp.to(c.partner_a_user.email)[-1].message
    assert "second" in str(last.get_body(preferencelist=("plain",)).get_content())  # type: ignore[union-attr]
    assert "first" not in str(last.get_body(preferencelist=("plain",)).get_content())  # type: ignore[union-attr]
    # Nobody else asked for it; turning it off stops it.
    assert {r.envelope_to[0] for r in smtp.received} == {c.partner_a_user.email}
    feed_digest_set(user=c.partner_a_user, daily=False)
    post_create(author=c.director, data=PostInput(body="third", audience="partners"))
    assert social_digest_send(now=now + dt.timedelta(hours=50)) == 0


def test_digest_is_a_scheduled_job() -> None:
    job = next(j for j in JOBS if j.name == "social_digest")
    assert job.every == dt.timedelta(hours=1)
    assert job.task.module_path == "dirco.social.tasks.social_digest_task"
