"""The pipeline board's card, written in Python.

The board shows up to 25 cards per open stage (125 on a full board), and answers every drop
(the HTMX move) with the two columns it changed: the board and the move were the most frequent
and the heaviest pages of the load test. Through the template engine a card cost about
0.35 ms of CPU (some forty nodes: three ``{% url %}``, five translations, the CSRF field,
filters), i.e. most of the board's time; here it costs a few hundredths of that: the strings
every card shares (translations, URL prefixes, the CSRF field, the page's path) are made
once per board, and each card is one string.

The markup is the one of ``pipeline/board.html`` before this tag replaced the card (the test
``test_board_card_markup_matches_the_template`` renders both and compares them): change it
there and here together. Every value is escaped as the template would escape it.
"""

from __future__ import annotations

import datetime as dt
import html as stdlib_html
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import template
from django.urls import reverse
from django.utils import dateformat, formats
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from dirco.core.l10n import NumberFormat
from dirco.web.templatetags.dirco_web import days_in_stage, money_short_in

register = template.Library()

_escape = stdlib_html.escape

_PLACEHOLDER = 9_876_543_210


def _url_parts(name: str) -> tuple[str, str]:
    """The URL of ``name`` around its one integer argument: (before, after)."""
    before, after = reverse(name, args=[_PLACEHOLDER]).split(str(_PLACEHOLDER))
    return before, after


@dataclass(frozen=True)
class _Shared:
    """What every card of one board shows alike (in the language of the request)."""

    today: dt.date
    draggable: str
    can_edit: bool
    show_owner: bool
    move_url: tuple[str, str]
    detail_url: tuple[str, str]
    overdue: str
    move: str
    move_to: str
    csrf_field: str
    next_path: str
    move_options: dict[int, SafeString]
    move_name_to: str
    # The active language's formats, looked up once: Django's date filter and number_format
    # (money_short) look them up again for every value, which was a third of a card's cost.
    date_format: str
    numbers: NumberFormat
    # Made once per value on a board: many cards share a close date or a number of days.
    close_dates: dict[dt.date, str] = field(default_factory=dict)
    days_texts: dict[int, str] = field(default_factory=dict)

    def close_date(self, date: dt.date) -> str:
        text = self.close_dates.get(date)
        if text is None:
            text = self.close_dates[date] = _escape(dateformat.format(date, self.date_format))
        return text

    def amount(self, value: Decimal | None, currency: str) -> str:
        """``money_short(value, currency)``, escaped."""
        return conditional_escape(money_short_in(value, currency, self.numbers))

    def days_text(self, days: int) -> str:
        text = self.days_texts.get(days)
        if text is None:
            text = self.days_texts[days] = ngettext(
                "%(days)s day in stage", "%(days)s days in stage", days
            ) % {"days": conditional_escape(formats.localize(days))}
        return text

    @classmethod
    def of(cls, context: template.Context) -> _Shared:
        key = "dirco_board_card_shared"
        shared: _Shared | None = context.render_context.get(key)
        if shared is None:
            csrf_token = context.get("csrf_token")
            shared = cls(
                today=context["today"],
                can_edit=bool(context.get("can_edit")),
                draggable='draggable="true"' if context.get("can_edit") else "",
                show_owner=bool(context.get("show_owner")),
                move_url=_url_parts("deal_move"),
                detail_url=_url_parts("deal_detail"),
                overdue=conditional_escape(gettext("Overdue")),
                move=conditional_escape(gettext("Move")),
                move_to=conditional_escape(gettext("Move to…")),
                csrf_field=(
                    ""
                    if not csrf_token
                    else f'<input type="hidden" name="csrfmiddlewaretoken" '
                    f'value="{conditional_escape(csrf_token)}">'
                    if csrf_token != "NOTPROVIDED"
                    else ""
                ),
                next_path=conditional_escape(
                    context.get("board_path") or context["request"].get_full_path()
                ),
                move_options=context.get("move_options") or {},
                move_name_to=gettext("Move %(name)s to"),
                date_format=formats.get_format("SHORT_DATE_FORMAT"),
                numbers=NumberFormat.active(),
            )
            context.render_context[key] = shared
        return shared


@register.simple_tag(takes_context=True)
def board_card(context: template.Context, deal: Any) -> SafeString:
    """One deal's card on the board (``<li>...</li>``)."""
    s = _Shared.of(context)
    pk = str(deal.pk)
    # Names are plain strings from the database: Django's escape() is this same function.
    name = _escape(deal.name)
    move_url = f"{s.move_url[0]}{pk}{s.move_url[1]}"
    overdue = deal.expected_close_date < s.today
    account = _escape(deal.account.name)
    if s.show_owner:
        account = f"{account} · {_escape(str(deal.owner))}"
    days_text = s.days_text(days_in_stage(deal, s.today))
    flag = f'<span class="flag flag--overdue">{s.overdue}</span> ' if overdue else ""
    close = s.close_date(deal.expected_close_date)
    amount = s.amount(deal.amount, deal.currency)
    html = (
        f'<li class="deal-card{" deal-card--overdue" if overdue else ""}" {s.draggable} '
        f'data-deal-card data-deal-id="{pk}" data-stage="{deal.stage_id}"\n'
        f'          data-deal-name="{name}" data-move-url="{move_url}">\n'
        f'        <a class="deal-card__name" href="{s.detail_url[0]}{pk}{s.detail_url[1]}">'
        f"{name}</a>\n"
        f'        <span class="deal-card__account">{account}</span>\n'
        f'        <span class="deal-card__meta">\n'
        f'          <span class="num">{amount}</span>\n'
        f'          <span class="deal-card__date">{flag}{close}</span>\n'
        f"        </span>\n"
        f'        <span class="deal-card__age muted">{days_text}</span>\n'
        f"        "
    )
    if s.can_edit:
        move_name_to = s.move_name_to % {"name": name}
        html += (
            f'\n        <details class="deal-card__more">\n'
            f'          <summary>{s.move}<span class="visually-hidden"> {name}</span></summary>\n'
            f'          <form class="deal-card__move" method="post" action="{move_url}" '
            f"data-move-form>\n"
            f"            {s.csrf_field}\n"
            f'            <input type="hidden" name="next" value="{s.next_path}">\n'
            f'            <label class="visually-hidden" for="move-{pk}">{move_name_to}</label>\n'
            f'            <select id="move-{pk}" name="stage" required>\n'
            f'              <option value="" selected disabled>{s.move_to}</option>\n'
            f"              {s.move_options.get(deal.stage_id)}\n"
            f"            </select>\n"
            f'            <button type="submit" class="button button--small">{s.move}</button>\n'
            f"          </form>\n"
            f"        </details>\n"
            f"        "
        )
    return mark_safe(html + "\n      </li>")
