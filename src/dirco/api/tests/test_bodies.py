"""Bodies and errors of the API: JSON only under application/json (415), text that is text
(NUL, lone surrogates, control characters: a field error), and every error, 404, 413 and 500
included, in the problem format. Run on SQLite and PostgreSQL (a NUL used to be a 500 there)."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.test import Client, RequestFactory

from dirco import urls
from dirco.accounts.models import User
from dirco.accounts.services import api_token_create
from dirco.api.errors import api_handler500
from dirco.conftest import Company
from dirco.partners.models import Contact

CONTACT = "/api/v1/contacts"


def _token_client(user: User, **kwargs: Any) -> Client:
    _token, key = api_token_create(user=user, name="test")
    return Client(headers={"authorization": f"Bearer {key}"}, **kwargs)


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.content[:400])
    assert response["Content-Type"].startswith("application/problem+json"), response
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["error"]["code"] and body["error"]["message"]
    return body


def _contact(company: Company, **fields: Any) -> dict[str, Any]:
    return {
        "first_name": "Anne",
        "last_name": "Martin",
        "partner_id": company.partner_a.pk,
        **fields,
    }


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "", "application/xml", "application/x-www-form-urlencoded", "text/json"],
)
def test_a_json_body_under_another_content_type_answers_415(
    company: Company, content_type: str
) -> None:
    client = _token_client(company.director)
    body = json.dumps(_contact(company))
    response = client.generic("POST", CONTACT, data=body, content_type=content_type)
    problem = _problem(response, 415)
    assert problem["error"]["code"] == "unsupported_media_type"
    assert "application/json" in problem["error"]["message"]
    assert not Contact.objects.filter(last_name="Martin").exists()


def test_a_multipart_body_to_a_json_operation_answers_415(company: Company) -> None:
    client = _token_client(company.director)
    response = client.post(CONTACT, _contact(company))  # the test client's multipart default
    _problem(response, 415)
    assert not Contact.objects.filter(last_name="Martin").exists()


def test_a_json_body_under_application_json_with_a_charset_is_read(company: Company) -> None:
    client = _token_client(company.director)
    body = json.dumps(_contact(company))
    response = client.generic(
        "POST", CONTACT, data=body, content_type="application/json; charset=utf-8"
    )
    assert response.status_code == 201, response.content
    # A POST without a body needs no Content-Type.
    token = client.post("/api/v1/tokens", content_type="")
    assert token.status_code != 415


def test_the_upload_operation_takes_multipart_and_refuses_json(company: Company) -> None:
    client = _token_client(company.partner_a_admin)
    response = client.generic("POST", "/api/v1/mdf/claims", data="{}", content_type="text/plain")
    assert "multipart/form-data" in _problem(response, 415)["error"]["message"]
    # Under multipart it goes on to the operation (which finds the form incomplete).
    assert client.post("/api/v1/mdf/claims", {"request_id": "x"}).status_code == 400


def test_a_multipart_body_without_its_boundary_answers_400_not_500(company: Company) -> None:
    """Found by schemathesis: ``multipart/form-data`` with no boundary made the parser raise
    inside the operation (500)."""
    client = _token_client(company.partner_a_admin)
    response = client.generic(
        "POST", "/api/v1/mdf/claims", data="request_id=1", content_type="multipart/form-data"
    )
    problem = _problem(response, 400)
    assert "boundary" in problem["error"]["message"]
    # The same without any body (schemathesis's case: Django parses the boundary first).
    # (The test client drops content_type without data: set the header itself.)
    response = client.generic("POST", "/api/v1/mdf/claims", CONTENT_TYPE="multipart/form-data")
    assert "boundary" in _problem(response, 400)["error"]["message"]


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("last_name", "Mar\x00tin", "NUL"),
        ("last_name", "Mar\udcc0tin", "surrogate"),
        ("first_name", "An\u0007ne", "U+0007"),
        ("job_title", "Head\tof sales", "U+0009"),
        ("job_title", "Head\x9bof sales", "U+009B"),
        ("email", "anne@example.test\r\nBcc: x@example.test", "One line only"),
    ],
)
def test_text_that_is_not_text_gets_a_field_error(
    company: Company, field: str, value: str, says: str
) -> None:
    client = _token_client(company.director)
    # json.dumps writes a lone surrogate as the escape "\udcc0", as a client would send it.
    body = json.dumps(_contact(company, **{field: value}))
    problem = _problem(
        client.generic("POST", CONTACT, data=body, content_type="application/json"), 400
    )
    assert problem["error"]["code"] == "validation_error"
    messages = problem["error"]["fields"].get(field)
    assert messages and says in " ".join(messages), problem
    assert not Contact.objects.filter(first_name__startswith="An").exists()


def test_a_nul_in_a_query_answers_400_in_the_problem_format(company: Company) -> None:
    client = _token_client(company.director)
    _problem(client.get("/api/v1/contacts?q=a%00b"), 400)


def test_an_unknown_api_url_answers_404_in_the_problem_format(company: Company) -> None:
    client = _token_client(company.director)
    assert _problem(client.get("/api/v1/no-such-thing"), 404)["error"]["code"] == "not_found"
    # The pages keep their HTML 404.
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_a_body_too_large_answers_413_in_the_problem_format(company: Company) -> None:
    client = _token_client(company.director)
    big = json.dumps(_contact(company, job_title="x" * (600 * 1024)))
    problem = _problem(
        client.generic("POST", CONTACT, data=big, content_type="application/json"), 413
    )
    assert problem["error"]["code"] == "too_large"
    # A 20 MB multipart body: refused by its size too, before it is read.
    twenty = "x" * (20 * 1024 * 1024)
    response = client.generic(
        "POST", CONTACT, data=twenty, content_type="multipart/form-data; boundary=b"
    )
    assert response.status_code in (413, 415)
    _problem(response, response.status_code)


def test_a_server_error_answers_500_in_the_problem_format_and_is_logged(
    company: Company, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A fault injected in the contact list (a bug of ours, as it were)."""
    from dirco.customers import api as customers_api

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug of ours")

    monkeypatch.setattr(customers_api, "contacts_visible_to", broken)
    client = _token_client(company.director, raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get(CONTACT)
    problem = _problem(response, 500)
    assert problem["error"]["code"] == "server_error"
    assert "a bug of ours" not in response.content.decode()  # no internals to the client
    assert any("a bug of ours" in (r.exc_text or str(r.exc_info)) for r in caplog.records)


def test_errors_before_the_api_runs_answer_in_the_problem_format() -> None:
    """handler500 serves faults raised outside the API (in a middleware): a problem document
    under /api/, the HTML page elsewhere."""
    assert urls.handler500 is api_handler500
    api = api_handler500(RequestFactory().get("/api/v1/deals"))
    assert api.status_code == 500 and api["Content-Type"] == "application/problem+json"
    assert json.loads(api.content)["error"]["code"] == "server_error"
    page = api_handler500(RequestFactory().get("/deals/"))
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")
