"""A type-ahead in place of a long select: the account picker of the deal and approval forms.

The widget renders a hidden input carrying the chosen id and a search box; typing asks the
server (HTMX, ``hx-get``) for the matching records the user may see, clicking one or
pressing Enter on it fills the hidden input (``dirco.js``). The field's own queryset still
validates the submitted id, so a hand-crafted id the user may not see is refused.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.functional import Promise

StrOrPromise = str | Promise


class AutocompleteWidget(forms.Widget):
    """Search box + hidden id. ``search_url`` answers the options; ``create_url`` (optional)
    is the "+ new" link; ``empty_label`` says what an empty choice means, if allowed.

    A form narrower than the search (the registration approval links only some of the
    accounts its approver sees) sets ``search_url`` to its own options URL. A value that is
    not one of the field's choices is rendered empty: the hidden input never carries an id
    the search box does not show (it would be posted back and refused, invisibly)."""

    template_name = "web/_autocomplete.html"

    def __init__(
        self,
        *,
        search_url_name: str,
        create_url_name: str | None = None,
        create_label: StrOrPromise = "",
        empty_label: StrOrPromise = "",
        attrs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(attrs)
        self.search_url_name = search_url_name
        self.create_url_name = create_url_name
        self.create_label = create_label
        self.empty_label = empty_label
        self.choices: Any = None  # set by ModelChoiceField: its queryset, never iterated
        self.search_url = ""  # set by a form to narrow the options; else search_url_name

    def _label_for(self, value: Any) -> str | None:
        """The chosen record's name; None when ``value`` is not one of the choices."""
        if value in (None, ""):
            return ""
        queryset = getattr(self.choices, "queryset", None)
        if queryset is None:
            return ""
        try:
            obj = queryset.filter(pk=value).first()
        except (TypeError, ValueError):
            return None
        return str(obj) if obj is not None else None

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        label = self._label_for(value)
        if label is None:
            widget["value"], label = "", ""
        widget["label"] = label
        widget["search_url"] = self.search_url or reverse(self.search_url_name)
        widget["create_url"] = reverse(self.create_url_name) if self.create_url_name else ""
        widget["create_label"] = self.create_label
        widget["empty_label"] = self.empty_label
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name)
