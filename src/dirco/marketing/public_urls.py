"""The public links of campaign emails (no login; a signed token each)."""

from django.urls import path

from dirco.marketing import public_views

app_name = "mail"

urlpatterns = [
    path("o/<str:token>.gif", public_views.open_pixel_view, name="open"),
    path("c/<str:token>/", public_views.click_view, name="click"),
    path("u/<str:token>/", public_views.unsubscribe_view, name="unsubscribe"),
    path("confirm/<str:token>/", public_views.consent_confirm_view, name="confirm"),
    # The short link of a shared social post (id and signature: /m/s/12-<mac>/).
    path("s/<str:token>/", public_views.share_view, name="share"),
]
