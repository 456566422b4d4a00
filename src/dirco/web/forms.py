"""Form plumbing shared by the HTML views: service errors shown on the fields they concern,
the amount field, a quicker select, and the spam traps of the public forms."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages as user_messages
from django.core import signing
from django.core.cache import cache
from django.forms.models import ModelChoiceIterator
from django.forms.renderers import BaseRenderer
from django.http import HttpRequest
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from dirco.core.errors import ApplicationError
from dirco.core.l10n import currency_matches, format_number, parse_amount, written_currency
from dirco.core.text import TextRulesFormMixin


class DircoForm(TextRulesFormMixin, forms.Form):
    """A form whose labels carry no trailing colon (the layout puts them above the field),
    and whose text fields follow dirco.core.text (one line without CR/LF, a size)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class PlainSelect(forms.Select):
    """A ``<select>`` written in Python, the markup of Django's select templates exactly.

    Django renders a select through its template and one included template per option: on
    the pipeline board, the three filter selects (owners, partners, product lines) cost as
    much CPU as a column of cards. Here each option is one string. Grouped choices (optgroups)
    go through Django's templates as before. ``test_plain_select_matches_django`` compares
    both.
    """

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        choices = _choices(self.choices)
        if self.allow_multiple_selected or any(
            isinstance(label, (list, tuple)) for _value, label in choices
        ):
            return super().render(name, value, attrs, renderer)
        chosen = self.format_value(value)
        parts = [
            f'<select name="{escape(name)}"{_html_attrs(self.build_attrs(self.attrs, attrs))}>'
        ]
        has_selected = False
        for option_value, label in choices:
            text = "" if option_value is None else str(option_value)
            selected = not has_selected and text in chosen
            has_selected |= selected
            parts.append(
                f'\n  <option value="{escape(text)}"{" selected" if selected else ""}>'
                f"{conditional_escape(label)}</option>\n"
            )
        return mark_safe("".join(parts) + "\n</select>")


def _choices(choices: Any) -> list[tuple[Any, Any]]:
    """The choices as a list. A model field's are read with one plain query, where iterating
    ModelChoiceIterator would open a server-side cursor (PostgreSQL: DECLARE, FETCH, CLOSE)
    and ``list()`` of it would first COUNT the rows."""
    if isinstance(choices, ModelChoiceIterator):
        empty = choices.field.empty_label
        head = [("", empty)] if empty is not None else []
        return head + [choices.choice(obj) for obj in choices.queryset]
    return list(iter(choices))


def _html_attrs(attrs: dict[str, Any]) -> str:
    """Attributes as django/forms/widgets/attrs.html writes them."""
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def form_errors_from_application_error(form: forms.Form, exc: ApplicationError) -> None:
    """Put each of the service's field errors on the form field, the rest above the form."""
    for name, messages in exc.fields.items():
        field = name if name in form.fields else None
        for message in messages:
            form.add_error(field, message)
    if not exc.fields:
        form.add_error(None, exc.message)


def version_posted(request: HttpRequest) -> int | None:
    """The record version an edit form was opened at (its hidden ``version`` field), for the
    service's optimistic-concurrency check (dirco.core.versioning); None when absent."""
    raw = request.POST.get("version", "") if request.method == "POST" else ""
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def version_for_form(request: HttpRequest, record: Any) -> int:
    """The version the form carries: the one it was opened at (kept across a refused save, so
    a conflict is not overwritten by simply saving again), else the record's current one."""
    posted = version_posted(request)
    return posted if posted is not None else int(record.version)


class AmountInput(forms.TextInput):
    """A text box (a number box refuses "28 000 000,00"), showing the amount in the user's
    language; phones get the numeric keypad."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
            return format_number(value, decimals=2)
        return super().format_value(value)


class AmountField(forms.DecimalField):
    """An amount typed as people write it in their language: ``28 000 000,00``,
    ``1 900 000 €`` in French, ``1,900,000.00`` in English (``dirco.core.l10n``)."""

    widget = AmountInput
    default_error_messages = {
        "invalid": _("Enter an amount, e.g. %(example)s."),
    }

    def __init__(self, *args: Any, currency_field: str | None = None, **kwargs: Any) -> None:
        # The form's field holding the amount's currency: a currency written in the amount
        # ("100 USD") must be that one (checked by AmountCurrencyMixin).
        self.currency_field = currency_field
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        try:
            return parse_amount(value)
        except ValueError:
            raise forms.ValidationError(
                self.error_messages["invalid"],
                code="invalid",
                params={"example": format_number(Decimal("1900000"), decimals=2)},
            ) from None


class AmountCurrencyMixin:
    """A form whose amounts name their currency field: "100 USD" typed while the currency
    says EUR is an error on the amount, not 100 EUR."""

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
        form: forms.Form = self  # type: ignore[assignment]
        for name, field in form.fields.items():
            if not isinstance(field, AmountField) or not field.currency_field:
                continue
            currency = cleaned.get(field.currency_field)
            written = written_currency(str(form.data.get(form.add_prefix(name), "")))
            if name in cleaned and currency and not currency_matches(written, str(currency)):
                form.add_error(
                    name,
                    _(
                        "The amount is written in %(written)s but the currency chosen is "
                        "%(currency)s: change one of them."
                    )
                    % {"written": written, "currency": currency},
                )
        return cleaned


class SpamTrapsForm(forms.Form):
    """The traps of a public form (no login): mix it into the form class.

    - ``website``, a honeypot: hidden from people, filled by naive bots. A filled one sets
      ``is_spam``; the view answers as if the form had succeeded and keeps nothing.
    - ``started``, a signed start time: a form sent faster than ``min_seconds`` after it was
      shown, or with a forged or day-old token, gets a form error.
    - a per-address rate limit, counted by the view with :func:`dirco.web.http.rate_limit_hit`.

    Render the traps with ``{% include "web/_spam_traps.html" %}`` and the other fields with
    ``form.person_fields``.
    """

    TRAP_FIELDS = ("website", "started")
    spam_salt = "dirco.web.public-form"
    min_seconds_setting = "DIRCO_PUBLIC_FORM_MIN_SECONDS"
    max_age_seconds = 24 * 3600
    # True: each start token is good for one submission (kept in the cache while valid).
    single_use_token = False

    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.is_spam = False
        if not self.is_bound:
            self.fields["started"].initial = self.start_token()

    @classmethod
    def start_token(cls) -> str:
        """A signed timestamp put in the form, to tell how long the visitor took to fill it."""
        return signing.dumps({"t": time.time()}, salt=cls.spam_salt)

    @classmethod
    def min_seconds(cls) -> float:
        return float(getattr(settings, cls.min_seconds_setting, 3))

    @property
    def person_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in self.TRAP_FIELDS]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.data.get("website"):
            self.is_spam = True
            return cleaned
        token = str(self.data.get("started", ""))
        try:
            started = float(
                signing.loads(token, salt=self.spam_salt, max_age=self.max_age_seconds)["t"]
            )
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            raise forms.ValidationError(
                _("This form has expired. Check your details and send it again."),
                code="expired",
            ) from None
        if time.time() - started < self.min_seconds():
            raise forms.ValidationError(
                _("The form was sent too quickly. Check your details and send it again."),
                code="too_fast",
            )
        if self.single_use_token:
            digest = hashlib.sha256(token.encode()).hexdigest()
            key = f"dirco:form-token:{self.spam_salt}:{digest}"
            if not cache.add(key, 1, timeout=self.max_age_seconds):
                raise forms.ValidationError(
                    _("This form was already sent. Reload the page to send another."),
                    code="replayed",
                )
        return cleaned


def form_submit(
    request: HttpRequest, form: forms.Form, save: Callable[[], object], *, success: str
) -> bool:
    """Save a posted form through its service: True once saved (``success`` is shown to the
    user); False on GET, on an invalid form, or when the service refused (its field errors
    are then on the form). The edit pages of partners, accounts and deals share this."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        save()
    except ApplicationError as exc:
        form_errors_from_application_error(form, exc)
        return False
    user_messages.success(request, success)
    return True
