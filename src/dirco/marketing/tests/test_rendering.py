"""The template sandbox: plain values only, no tag that reaches beyond them."""

from __future__ import annotations

import pytest

from dirco.core.errors import ApplicationError
from dirco.marketing.rendering import contact_context, email_render, template_compile


def _render(source: str, values: dict[str, object] | None = None) -> str:
    compiled = template_compile(subject="s", html_body=source, text_body="t")
    return email_render(compiled, values or contact_context(None)).html


@pytest.mark.parametrize(
    "source",
    [
        "{% debug %}",
        "{% load static %}{% static 'x' %}",
        "{% include 'web/base.html' %}",
        "{% extends 'web/base.html' %}",
        "{% url 'home' %}",
        "{% csrf_token %}",
        "{{ contact.__class__ }}",
        "{{ contact.first_name|safe }}",
        "{% now 'Y' %}",
    ],
)
def test_sandbox_refuses_tags_filters_and_private_names(source: str) -> None:
    with pytest.raises(ApplicationError) as exc:
        template_compile(subject="s", html_body=source, text_body="t")
    assert "html_body" in exc.value.fields


def test_sandbox_renders_conditions_loops_and_filters() -> None:
    out = _render(
        "{% if contact.first_name %}Hi {{ contact.first_name|upper }}{% endif %}"
        "{% for w in contact.job_title %}{% endfor %} {{ contact.missing|default:'friend' }}"
    )
    assert out == "Hi CAMILLE friend"


def test_values_are_escaped_in_html_and_plain_in_text() -> None:
    values = {"contact": {"first_name": "<b>Bo</b>"}}
    compiled = template_compile(
        subject="{{ contact.first_name }}",
        html_body="{{ contact.first_name }}",
        text_body="{{ contact.first_name }}",
    )
    rendered = email_render(compiled, values)
    assert rendered.html == "&lt;b&gt;Bo&lt;/b&gt;"
    assert rendered.text == rendered.subject == "<b>Bo</b>"


def test_context_holds_plain_strings_only(company: object) -> None:
    from dirco.partners.tests.factories import PartnerContactFactory

    contact = PartnerContactFactory(first_name="Zoé", job_title="CTO")
    values = contact_context(contact)
    assert values["contact"]["first_name"] == "Zoé"
    assert all(isinstance(v, str) for part in values.values() for v in part.values())
    # Reaching the model through the values is impossible: they are strings.
    assert _render("{{ contact.company.pk }}{{ contact.email.partner }}", values) == ""
