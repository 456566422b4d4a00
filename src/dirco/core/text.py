"""Rules for free text that every interface applies (forms, API schemas, services).

- A single-line value (a name, an email, a phone, a domain) has no CR or LF: such a value ends
  up in e-mail headers and CSV cells, where a line break cuts it or forges a header
  (finding 11 of the security test: a name with CR/LF silently stopped the reviewers' e-mail).
- A long text (a message, a note) has a size: ``LONG_TEXT_MAX`` characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from dirco.core.errors import ApplicationError

LONG_TEXT_MAX = 4000

_M = TypeVar("_M", bound=Model)
NAME_MAX = 200


# C0 and C1 control characters and DEL: no place in a name, an email or a code.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
# A lone UTF-16 surrogate (from a JSON "\\ud800" escape): not text, no database stores it.
_SURROGATE = re.compile("[\ud800-\udfff]")


def text_problem(value: str, *, single_line: bool) -> str | None:
    """What is wrong with ``value`` as text, said to the user, or None. Everywhere: no NUL
    (PostgreSQL refuses it in text), no lone surrogate; on one line: no line break and no
    other control character. The forms (:class:`TextRulesFormMixin`) and the API schemas
    (``dirco.api.schemas``) both ask this function."""
    if "\x00" in value:
        return _("Remove the NUL character.")
    if _SURROGATE.search(value):
        return _("Remove the invalid character (a lone surrogate is not text).")
    if single_line:
        if "\r" in value or "\n" in value:
            return _("One line only: remove the line breaks.")
        control = _CONTROL.search(value)
        if control:
            return _("Remove the control character U+%(code)s.") % {
                "code": f"{ord(control.group()):04X}"
            }
    return None


def validate_single_line(value: Any) -> None:
    """A Django validator: text on one line (see :func:`text_problem`)."""
    if isinstance(value, str) and (problem := text_problem(value, single_line=True)):
        raise ValidationError(problem)


def validate_text(value: Any) -> None:
    """A Django validator: text, on one line or not (see :func:`text_problem`)."""
    if isinstance(value, str) and (problem := text_problem(value, single_line=False)):
        raise ValidationError(problem)


def text_fields_check(
    data: Mapping[str, Any], *, single_line: Iterable[str], long_text: Iterable[str] = ()
) -> None:
    """Raise an ApplicationError naming every field of ``data`` that breaks the rules above."""
    errors: dict[str, list[str]] = {}
    for name in single_line:
        value = data.get(name)
        if isinstance(value, str) and (problem := text_problem(value, single_line=True)):
            errors[name] = [problem]
    for name in long_text:
        value = data.get(name)
        if isinstance(value, str) and len(value) > LONG_TEXT_MAX:
            errors[name] = [
                _("At most %(max)s characters (this one has %(n)s).")
                % {"max": LONG_TEXT_MAX, "n": len(value)}
            ]
    if errors:
        raise ApplicationError(_("Nothing was saved: correct the fields shown."), fields=errors)


class TextRulesFormMixin:
    """For every form (a test checks that every dirco form has it): each text field refuses
    NUL and lone surrogates, each one-line text input (not a textarea) also line breaks and
    control characters (:func:`text_problem`), with an error on the field; a text field
    without a size gets one (``NAME_MAX`` for one line, ``LONG_TEXT_MAX`` for a textarea).
    Put it first among the bases: ``class F(TextRulesFormMixin, forms.Form)``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from django import forms
        from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator

        fields: dict[str, forms.Field] = self.fields  # type: ignore[attr-defined]
        for field in fields.values():
            if not isinstance(field, forms.CharField):
                continue
            # Django's own NUL check says it in English only; text_problem says it once.
            field.validators = [
                v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)
            ]
            if isinstance(field.widget, forms.HiddenInput):
                if validate_text not in field.validators:
                    field.validators.append(validate_text)
                continue
            long_text = isinstance(field.widget, forms.Textarea)
            if long_text and validate_text not in field.validators:
                field.validators.append(validate_text)
            if not long_text and validate_single_line not in field.validators:
                field.validators.append(validate_single_line)
            if field.max_length is None:
                field.max_length = LONG_TEXT_MAX if long_text else NAME_MAX
                field.validators.append(MaxLengthValidator(field.max_length))
                field.widget.attrs.setdefault("maxlength", str(field.max_length))


def name_or_domain_matching(qs: QuerySet[_M], q: str | None) -> QuerySet[_M]:
    """The rows of ``qs`` (accounts, partners) whose name or web domain contains ``q``
    (case-insensitive); all of them when ``q`` is empty. The lists and the API search alike."""
    q = (q or "").strip()
    if not q:
        return qs
    return qs.filter(Q(name__icontains=q) | Q(domain__icontains=q))
