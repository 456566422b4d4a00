"""The load test's users (a locustfile, run by ``bench/load.py``; not meant to be run alone).

Reads the plan ``bench/load.py`` wrote (``LOAD_PLAN``: users, deals, stages, API keys), appends
every acknowledged write to the ledger (``LOAD_LEDGER``, one JSON object a line, flushed at
once) and, when locust stops, writes every request's time per route to ``LOAD_SAMPLES``.

- Rep: moves one of its own deals on the board (the HTMX drop), logs an activity on one,
  opens a deal, looks at the board. Each deal is moved by one virtual user only, so the user
  knows the deal's stage; a deal whose move got no clear answer leaves its rotation.
- Manager: the home page (the team cockpit) and the team's board.
- Director: the home page (company cockpit) and the forecast.
- Partner: the portal's home, deals and registrations, and registers a deal.
- API client (a rep's token): lists deals (50 a page) and creates one with an Idempotency-Key;
  a create without a clear answer is sent again once with the same key (the API must not
  create it twice).

Think time: uniform between 0.8 and 1.2 times ``LOAD_THINK`` seconds (5 by default).

The users are ``FastHttpUser`` (geventhttpclient, shipped with locust) rather than ``HttpUser``
(python-requests): locust runs on the machine it measures, and its CPU per request is a
fraction of the other's; cookies live in the session's cookie jar all the same.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import re
import string
import time
import uuid
from collections import defaultdict
from http.cookiejar import Cookie
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from locust import FastHttpUser, between, events, task

PLAN: dict[str, Any] = json.loads(Path(os.environ["LOAD_PLAN"]).read_text(encoding="utf-8"))
THINK = float(os.environ.get("LOAD_THINK", "5"))
RUN = PLAN["run"]
LEDGER = open(os.environ["LOAD_LEDGER"], "a", encoding="utf-8", buffering=1)  # noqa: SIM115

samples: dict[str, list[float]] = defaultdict(list)
failures: dict[str, int] = defaultdict(int)
failure_examples: dict[str, list[str]] = defaultdict(list)
measuring_from = 0.0
requests_all = 0  # ramp-up included (bench/load.py divides the processes' CPU by it)


@events.request.add_listener
def _on_request(
    request_type: str, name: str, response_time: float, exception: Any, **_kw: Any
) -> None:
    global requests_all
    requests_all += 1
    key = name
    samples[key].append(response_time)
    if exception is not None:
        failures[key] += 1
        if len(failure_examples[key]) < 5:
            failure_examples[key].append(str(exception)[:300])


@events.spawning_complete.add_listener
def _on_spawned(user_count: int, **_kw: Any) -> None:
    """The figures are of the steady state: what was answered while users were still arriving
    is dropped."""
    global measuring_from
    measuring_from = time.time()
    samples.clear()
    failures.clear()


@events.quit.add_listener
def _on_quit(**_kw: Any) -> None:
    with open(os.environ["LOAD_SAMPLES"], "w", encoding="utf-8") as out:
        json.dump(
            {
                "samples": samples,
                "failures": failures,
                "failure_examples": failure_examples,
                "measuring_from": measuring_from,
                "requests_all": requests_all,
            },
            out,
        )
    LEDGER.close()


def ledger(entry: dict[str, Any]) -> None:
    LEDGER.write(json.dumps(entry) + "\n")


def unique(prefix: str) -> str:
    return f"{prefix} {RUN} {uuid.uuid4().hex[:12]}"


_turns: dict[str, itertools.count[int]] = defaultdict(itertools.count)
_free_deals: dict[str, list[tuple[int, int]]] = {}


def next_of(role: str, people: list[Any]) -> Any:
    return people[next(_turns[role]) % len(people)]


def cookie(host: str, name: str, value: str) -> Cookie:
    """A cookie of ``host`` (no domain attribute: sent to that host only), for every path."""
    return Cookie(
        version=0,
        name=name,
        value=value,
        port=None,
        port_specified=False,
        domain=host,
        domain_specified=False,
        domain_initial_dot=False,
        path="/",
        path_specified=True,
        secure=False,
        expires=None,
        discard=True,
        comment=None,
        comment_url=None,
        rest={"HttpOnly": ""} if name == "sessionid" else {},
    )


class Person(FastHttpUser):
    abstract = True
    wait_time = between(0.8 * THINK, 1.2 * THINK)
    email = ""

    def login(self, email: str) -> None:
        """Take the session ``bench/load.py`` opened for ``email`` (the people are logged in
        already); the CSRF cookie is one this browser made up, as Django allows."""
        self.email = email
        self.csrf = "".join(random.choices(string.ascii_letters + string.digits, k=32))
        host = urlsplit(self.host).hostname or ""
        self.client.cookiejar.set_cookie(cookie(host, "sessionid", PLAN["sessions"][email]))
        self.client.cookiejar.set_cookie(cookie(host, "csrftoken", self.csrf))

    def post_form(self, url: str, data: dict[str, Any], name: str, **headers: str) -> Any:
        token = self.csrf
        return self.client.post(
            url,
            data={**data, "csrfmiddlewaretoken": token},
            headers={"X-CSRFToken": token, "Referer": f"{self.host}{url}", **headers},
            name=name,
            allow_redirects=False,
            catch_response=True,
        )


class Rep(Person):
    weight = 10

    def on_start(self) -> None:
        rep = next_of("rep", PLAN["reps"])
        self.login(rep["email"])
        # The deals of this rep not yet taken by another virtual user playing them.
        pool = _free_deals.setdefault(rep["email"], [tuple(d) for d in rep["deals"]])
        self.deals: dict[int, int] = dict(pool[:6])
        del pool[:6]
        self.deal_ids = list(self.deals)

    def _deal(self) -> int | None:
        return random.choice(self.deal_ids) if self.deal_ids else None

    @task(4)
    def move(self) -> None:
        deal_id = random.choice(list(self.deals)) if self.deals else None
        if deal_id is None:
            return
        current = self.deals[deal_id]
        choices = [s for s in PLAN["stages"]["moves"] if s != current]
        stage = random.choice(choices)
        t0 = time.time()
        with self.post_form(
            f"/deals/{deal_id}/move/",
            {"stage": stage},
            "POST /deals/[id]/move/",
            **{"HX-Request": "true", "HX-Target": "board"},
        ) as response:
            t1 = time.time()
            if response.status_code == 200:
                self.deals[deal_id] = stage
                ledger(
                    {
                        "kind": "move",
                        "deal_id": deal_id,
                        "to_stage_id": stage,
                        "email": self.email,
                        "t0": t0,
                        "t1": t1,
                    }
                )
                response.success()
            else:
                # Moved or not: unknown. The deal leaves the rotation (its chain is still
                # checked); the answer counts as an error.
                del self.deals[deal_id]
                response.failure(f"move answered {response.status_code}")

    @task(3)
    def log_activity(self) -> None:
        deal_id = self._deal()
        if deal_id is None:
            return
        subject = unique("Load call")
        with self.post_form(
            f"/deals/{deal_id}/activities/",
            {"kind": "call", "subject": subject, "notes": "Load test."},
            "POST /deals/[id]/activities/",
        ) as response:
            if response.status_code == 302:
                ledger(
                    {
                        "kind": "activity",
                        "deal_id": deal_id,
                        "subject": subject,
                        "email": self.email,
                    }
                )
                response.success()
            else:
                response.failure(f"activity answered {response.status_code} (302 expected)")

    @task(2)
    def deal_detail(self) -> None:
        deal_id = self._deal()
        if deal_id is not None:
            self.client.get(f"/deals/{deal_id}/", name="GET /deals/[id]/")

    @task(1)
    def board(self) -> None:
        self.client.get("/pipeline/", name="GET /pipeline/")


class Manager(Person):
    weight = 3

    def on_start(self) -> None:
        self.login(next_of("manager", PLAN["managers"]))

    @task(3)
    def cockpit(self) -> None:
        self.client.get("/", name="GET / (manager cockpit)")

    @task(1)
    def board(self) -> None:
        self.client.get("/pipeline/", name="GET /pipeline/")


class Director(Person):
    weight = 2

    def on_start(self) -> None:
        self.login(PLAN["director"])

    @task(1)
    def home(self) -> None:
        self.client.get("/", name="GET / (director home)")

    @task(1)
    def forecast(self) -> None:
        self.client.get("/revenue/forecast/", name="GET /revenue/forecast/")


class Partner(Person):
    weight = 3

    def on_start(self) -> None:
        self.login(next_of("partner", PLAN["partners"]))

    @task(2)
    def home(self) -> None:
        self.client.get("/portal/", name="GET /portal/")

    @task(1)
    def deals(self) -> None:
        self.client.get("/portal/deals/", name="GET /portal/deals/")

    @task(1)
    def registrations(self) -> None:
        self.client.get("/portal/registrations/", name="GET /portal/registrations/")

    @task(1)
    def register(self) -> None:
        customer = unique("Loadco")
        close = dt.date.today() + dt.timedelta(days=random.randint(30, 150))
        with self.post_form(
            "/portal/registrations/new/",
            {
                "customer_name": customer,
                "customer_country": "FR",
                "amount": f"{random.randint(5, 200) * 500}.00",
                "currency": PLAN["currency"],
                "product_line": random.choice(PLAN["product_lines"]),
                "expected_close_date": close.isoformat(),
            },
            "POST /portal/registrations/new/",
        ) as response:
            found = re.search(r"/portal/registrations/(\d+)/", response.headers.get("Location", ""))
            if response.status_code == 302 and found:
                ledger(
                    {
                        "kind": "registration",
                        "registration_id": int(found.group(1)),
                        "customer_name": customer,
                        "email": self.email,
                    }
                )
                response.success()
            else:
                response.failure(f"registration answered {response.status_code} (302 expected)")


class ApiClient(FastHttpUser):
    weight = 2
    wait_time = between(0.8 * THINK, 1.2 * THINK)

    def on_start(self) -> None:
        self.token = next_of("api", PLAN["api_tokens"])
        # Sent with every request of this user (FastHttpSession's own header).
        self.client.auth_header = f"Bearer {self.token['key']}"

    @task(3)
    def deal_list(self) -> None:
        self.client.get("/api/v1/deals?limit=50", name="GET /api/v1/deals")

    @task(1)
    def deal_create(self) -> None:
        name = unique("Load API deal")
        key = uuid.uuid4().hex
        body = {
            "name": name,
            "account_id": random.choice(self.token["accounts"]),
            "product_line_id": random.choice(PLAN["product_lines"]),
            "amount": f"{random.randint(5, 200) * 500}.00",
            "stage_id": random.choice(PLAN["stages"]["open"]),
            "expected_close_date": (
                dt.date.today() + dt.timedelta(days=random.randint(30, 150))
            ).isoformat(),
        }
        for attempt in (1, 2):
            with self.client.post(
                "/api/v1/deals",
                json=body,
                headers={"Idempotency-Key": key},
                name="POST /api/v1/deals" + (" (again)" if attempt == 2 else ""),
                catch_response=True,
            ) as response:
                if response.status_code == 201:
                    ledger(
                        {
                            "kind": "deal_create",
                            "deal_id": response.json()["id"],
                            "name": name,
                            "email": self.token["email"],
                            "attempt": attempt,
                        }
                    )
                    response.success()
                    return
                response.failure(f"create answered {response.status_code} (201 expected)")
                if response.status_code and response.status_code < 500:
                    return  # refused: sending it again would be refused again
            time.sleep(1)
