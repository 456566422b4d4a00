"""Form plumbing shared by the HTML views: service errors shown on the fields they concern."""

from __future__ import annotations

from typing import Any

from django import forms

from dirco.core.errors import ApplicationError


class DircoForm(forms.Form):
    """A form whose labels carry no trailing colon (the layout puts them above the field)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def form_errors_from_application_error(form: forms.Form, exc: ApplicationError) -> None:
    """Put each of the service's field errors on the form field, the rest above the form."""
    for name, messages in exc.fields.items():
        field = name if name in form.fields else None
        for message in messages:
            form.add_error(field, message)
    if not exc.fields:
        form.add_error(None, exc.message)
