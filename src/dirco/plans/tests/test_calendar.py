"""The calendar pages and the iCalendar feeds: what a user sees, and nothing more."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from dirco.conftest import Company
from dirco.pipeline.tests.factories import ActivityFactory
from dirco.plans.models import CalendarFeedToken
from dirco.plans.services import TaskInput, task_create
from dirco.plans.tests.factories import YEAR, make_action, make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today() -> Any:
    with time_machine.travel(dt.datetime(YEAR, 3, 5, 10, 0), tick=False):
        yield


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _world(company: Company) -> dict[str, Any]:
    mine = make_plan(by=company.manager, scope=f"team:{company.team.pk}", name="Team plan")
    webinar = make_action(plan=mine, by=company.manager, title="Spring webinar")
    task = task_create(
        action=webinar,
        by=company.manager,
        data=TaskInput(title="Book the room", due_on=dt.date(YEAR, 3, 8), assignee=company.rep),
    )
    theirs = make_plan(
        by=company.other_manager, scope=f"team:{company.other_team.pk}", name="Other plan"
    )
    hidden = make_action(plan=theirs, by=company.other_manager, title="Hidden roadshow")
    due = timezone.make_aware(dt.datetime(YEAR, 3, 12, 14, 30))
    call = ActivityFactory(subject="Call the buyer", owner=company.rep, due_at=due)
    other_call = ActivityFactory(subject="Other team call", owner=company.other_rep, due_at=due)
    return {"webinar": webinar, "task": task, "hidden": hidden, "call": call, "other": other_call}


def test_the_month_shows_what_the_manager_sees_and_each_link_answers(company: Company) -> None:
    _world(company)
    c = _client(company.manager)
    own = c.get(reverse("plans:calendar")).content.decode()
    # By default: the plan actions one sees, and one's own activities and tasks.
    assert "Spring webinar" in own and "Call the buyer" not in own
    page = c.get(reverse("plans:calendar") + f"?team={company.team.pk}")
    html = page.content.decode()
    assert page.status_code == 200
    for seen in ("Spring webinar", "Book the room", "Call the buyer"):
        assert seen in html, seen
    for unseen in ("Hidden roadshow", "Other team call"):
        assert unseen not in html, unseen
    links = set(re.findall(r'href="(/plans/actions/\d+/)"', html))
    assert links
    for link in links:
        assert c.get(link).status_code == 200
    # Previous and next move by a month and keep the filters.
    nxt = re.search(r'href="\?([^"]*)" rel="next"', html)
    assert nxt and "2026-04-01" in nxt.group(1) and f"team={company.team.pk}" in nxt.group(1)
    april = c.get(reverse("plans:calendar") + "?" + nxt.group(1).replace("&amp;", "&"))
    assert "April 2026" in april.content.decode()
    week = c.get(
        reverse("plans:calendar")
        + f"?view=week&date={YEAR}-03-12&type=activities&team={company.team.pk}"
    )
    body = week.content.decode()
    assert "Call the buyer" in body and "Spring webinar" not in body


def test_in_french_weeks_start_on_monday(company: Company) -> None:
    c = _client(company.manager)
    c.cookies["django_language"] = "fr"
    html = c.get(reverse("plans:calendar"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    heads = re.findall(r'<th scope="col">([^<]+)</th>', html)
    assert heads[0].lower().startswith("lun"), heads
    assert "mars 2026" in html.lower()


def test_the_feed_lists_what_its_user_sees_and_dies_when_revoked(company: Company) -> None:
    w = _world(company)
    c = _client(company.rep)
    c.post(reverse("plans:calendar_feed"))
    page = c.get(reverse("plans:calendar")).content.decode()
    url = re.search(r'value="[^"]*?(/plans/calendar/[^"]+\.ics)"', page)
    assert url, "the feed address is shown once"
    assert "feed-url" not in c.get(reverse("plans:calendar")).content.decode()
    anonymous = Client()
    response = anonymous.get(url.group(1))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    summaries = {str(comp.get("summary")) for comp in cal.walk() if comp.get("summary")}
    assert {"Book the room", "Call the buyer"} <= summaries
    assert "Hidden roadshow" not in summaries and "Other team call" not in summaries
    todo = next(comp for comp in cal.walk("VTODO"))
    assert todo.decoded("due") == dt.date(YEAR, 3, 8)
    event = next(comp for comp in cal.walk("VEVENT") if str(comp["summary"]) == "Call the buyer")
    assert event.decoded("dtstart") == w["call"].due_at
    assert CalendarFeedToken.objects.get(user=company.rep).last_used_at is not None
    c.post(reverse("plans:calendar_feed"), {"revoke": "1"})
    assert anonymous.get(url.group(1)).status_code == 404
    assert anonymous.get("/plans/calendar/not-a-key.ics").status_code == 404


def test_a_plan_exports_as_ics_for_who_sees_it_only(company: Company) -> None:
    w = _world(company)
    plan = w["webinar"].plan
    c = _client(company.manager)
    response = c.get(reverse("plans:plan_ics", args=[plan.pk]))
    assert response.status_code == 200
    cal = Calendar.from_ical(response.content)
    names = {str(comp["summary"]) for comp in cal.walk() if comp.get("summary")}
    assert names == {"Spring webinar", "Book the room"}
    event = next(comp for comp in cal.walk("VEVENT"))
    assert event.decoded("dtstart") == dt.date(YEAR, 3, 10)
    assert (
        _client(company.other_manager).get(reverse("plans:plan_ics", args=[plan.pk])).status_code
        == 404
    )
