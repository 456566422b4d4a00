"""HTML views of customer accounts: the list, the account page and its edit form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from dirco.core.errors import ApplicationError
from dirco.core.exports import EXPORT_FORMATS, export_requested, export_response
from dirco.core.text import name_or_domain_matching
from dirco.customers.exports import ACCOUNT_COLUMNS, CONTACT_COLUMNS, vcard_response
from dirco.customers.forms import AccountFilterForm, AccountForm
from dirco.customers.models import Account
from dirco.customers.permissions import (
    account_can_create,
    account_can_edit,
    accounts_visible_to,
    contacts_visible_to,
    get_account_for_user,
    get_contact_for_user,
)
from dirco.customers.services import account_create, account_update
from dirco.web.forms import (
    form_errors_from_application_error,
    form_submit,
    version_for_form,
    version_posted,
)
from dirco.web.http import AuthedHttpRequest, staff_required

ACCOUNTS_PER_PAGE = 25


@staff_required
def account_list_view(request: AuthedHttpRequest) -> HttpResponseBase:
    visible = accounts_visible_to(request.user)
    industries = list(
        visible.exclude(industry="")
        .order_by("industry")
        .values_list("industry", flat=True)
        .distinct()
    )
    form = AccountFilterForm(request.GET or None, industries=industries)
    data: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
    qs = visible.select_related("territory", "owner")
    qs = name_or_domain_matching(qs, data.get("q"))
    if data.get("territory"):
        qs = qs.filter(territory=data["territory"])
    if data.get("industry"):
        qs = qs.filter(industry=data["industry"])
    if data.get("size"):
        qs = qs.filter(size=data["size"])
    qs = qs.order_by("name", "id")
    if fmt := export_requested(request.GET):
        return export_response(
            fmt=fmt, filename="accounts", columns=ACCOUNT_COLUMNS, rows=qs.iterator(2000)
        )
    page = Paginator(qs, ACCOUNTS_PER_PAGE).get_page(request.GET.get("page"))
    template = "customers/account_list.html"
    if request.htmx and request.htmx.target == "account-results":
        template += "#account-results"
    return render(
        request,
        template,
        {"form": form, "page_obj": page, "can_create": account_can_create(user=request.user)},
    )


@login_required
def account_detail_view(request: AuthedHttpRequest, account_id: int) -> HttpResponse:
    account = get_account_for_user(user=request.user, account_id=account_id)
    user = request.user
    # The figures, deals and activities blocks come from the pipeline's related_work_of tag.
    context = {
        "account": account,
        "contacts": contacts_visible_to(user).filter(account=account).order_by("last_name"),
        "can_edit": account_can_edit(user=user, account=account),
    }
    return render(request, "customers/account_detail.html", context)


@staff_required
@require_http_methods(["GET", "POST"])
def account_edit_view(request: AuthedHttpRequest, account_id: int) -> HttpResponse:
    account = get_account_for_user(user=request.user, account_id=account_id)
    if not account_can_edit(user=request.user, account=account):
        raise PermissionDenied(_("You may not change this account."))
    form = AccountForm(request.POST or None, user=request.user, account=account)
    saved = form_submit(
        request,
        form,
        lambda: account_update(
            account=account,
            updated_by=request.user,
            expected_version=version_posted(request),
            **form.cleaned_data,
        ),
        success=_("Account saved."),
    )
    if saved:
        return redirect("account_detail", account_id=account.pk)
    return render(
        request,
        "customers/account_form.html",
        {"form": form, "account": account, "version": version_for_form(request, account)},
    )


ACCOUNT_SEARCH_LIMIT = 20


@staff_required
def account_search_view(request: AuthedHttpRequest) -> HttpResponse:
    """The account picker's options (HTMX): visible accounts whose name contains ``q``."""
    return account_options_response(request, accounts_visible_to(request.user))


def account_options_response(request: HttpRequest, accounts: QuerySet[Account]) -> HttpResponse:
    """The options of an account picker: those of ``accounts`` whose name contains ``q``
    (at most ``ACCOUNT_SEARCH_LIMIT``, and whether more match)."""
    q = request.GET.get("q", "").strip()[:100]
    rows: list[Any] = []
    more = False
    if q:
        rows = list(
            accounts.filter(name__icontains=q)
            .select_related("territory")
            .order_by("name", "id")[: ACCOUNT_SEARCH_LIMIT + 1]
        )
        rows, more = rows[:ACCOUNT_SEARCH_LIMIT], len(rows) > ACCOUNT_SEARCH_LIMIT
    return render(
        request,
        "customers/_account_options.html",
        {"accounts": rows, "more": more, "q": q},
    )


def _safe_next(url: str) -> str:
    return url if url.startswith("/") and not url.startswith("//") else ""


@staff_required
@require_http_methods(["GET", "POST"])
def account_create_view(request: AuthedHttpRequest) -> HttpResponse:
    """A new account; with ``next`` (the form that asked for it), back there with it chosen."""
    if not account_can_create(user=request.user):
        raise PermissionDenied(_("You may not create accounts."))
    next_url = _safe_next(request.POST.get("next") or request.GET.get("next", ""))
    initial = {"name": request.GET.get("name", "")[:200]}
    form = AccountForm(request.POST or None, user=request.user, account=None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            fields = dict(form.cleaned_data)
            if fields.get("owner") is None:
                fields.pop("owner", None)  # the creator owns it (and so keeps seeing it)
            account = account_create(created_by=request.user, **fields)
        except ApplicationError as exc:
            form_errors_from_application_error(form, exc)
        else:
            messages.success(request, _("Account %(name)s created.") % {"name": account.name})
            if next_url:
                joiner = "&" if "?" in next_url else "?"
                return redirect(f"{next_url}{joiner}account={account.pk}")
            return redirect("account_detail", account_id=account.pk)
    return render(
        request,
        "customers/account_form.html",
        {"form": form, "account": None, "next": next_url},
    )


@login_required
@require_GET
def contact_export_view(request: AuthedHttpRequest) -> HttpResponseBase:
    """The contacts the user may see (a partner user: its own partner's), filtered by
    ``account``, ``partner`` and ``q`` (name or email), as CSV, XLSX or vCard (``export``)."""
    fmt = export_requested(request.GET, formats=(*EXPORT_FORMATS, "vcf")) or "csv"
    qs = contacts_visible_to(request.user).select_related("account", "partner")
    for name in ("account", "partner"):
        raw = request.GET.get(name, "")
        if raw:
            if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
                raise Http404(_("The %(name)s filter takes an id.") % {"name": name})
            qs = qs.filter(**{f"{name}_id": int(raw)})
    q = request.GET.get("q", "").strip()[:100]
    if q:
        qs = qs.filter(
            Q(first_name__icontains=q) | Q(last_name__icontains=q) | Q(email__icontains=q)
        )
    rows = qs.order_by("last_name", "first_name", "id").iterator(2000)
    if fmt == "vcf":
        return vcard_response(rows, filename="contacts")
    return export_response(fmt=fmt, filename="contacts", columns=CONTACT_COLUMNS, rows=rows)


@login_required
@require_GET
def contact_vcard_view(request: AuthedHttpRequest, contact_id: int) -> HttpResponseBase:
    """One contact as a vCard 4.0; 404 for a contact the user may not see."""
    contact = get_contact_for_user(user=request.user, contact_id=contact_id)
    name = f"{contact.first_name}-{contact.last_name}".strip("-") or f"contact-{contact.pk}"
    return vcard_response([contact], filename=name)
