"""Login and logout pages: Django's views with dirco's templates."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from dirco.accounts.models import User
from dirco.accounts.services import user_language_set


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django's default since 5.0), back to the login page."""


@require_POST
def language_set_view(request: HttpRequest) -> HttpResponse:
    """Django's language switch, which also keeps the choice on the user (see
    ``user_language_set``): what is written for them later reads in that language."""
    response = set_language(request)
    if isinstance(request.user, User):
        user_language_set(user=request.user, language=request.POST.get("language", ""))
    return response
