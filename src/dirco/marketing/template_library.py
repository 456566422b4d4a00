"""The only tags and filters an email template may use (the sandbox's builtins).

Django's own builtins are not loaded: ``{% debug %}`` would print the context and the loaded
modules, ``{% include %}``/``{% extends %}`` would read files, ``{% load %}`` other
libraries, ``{% url %}`` and ``{% csrf_token %}`` reach the site. What stays is layout:
conditions, loops over the plain values given, defaults and text formatting.
"""

from __future__ import annotations

from django.template import Library, defaultfilters, defaulttags

register = Library()

for _name in ("if", "for", "with", "comment", "firstof", "spaceless", "autoescape", "verbatim"):
    register.tag(_name, defaulttags.register.tags[_name])

for _name in (
    "capfirst",
    "cut",
    "date",
    "default",
    "default_if_none",
    "first",
    "join",
    "last",
    "length",
    "linebreaks",
    "linebreaksbr",
    "lower",
    "pluralize",
    "title",
    "truncatechars",
    "truncatewords",
    "upper",
    "urlencode",
    "escape",
    "yesno",
):
    register.filter(_name, defaultfilters.register.filters[_name])
