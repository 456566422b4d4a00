from django.urls import path

from dirco.registrations import views

app_name = "registrations"

urlpatterns = [
    path("", views.registration_list_view, name="list"),
    path("<int:registration_id>/", views.registration_detail_view, name="detail"),
    path("<int:registration_id>/approve/", views.registration_approve_view, name="approve"),
    path(
        "<int:registration_id>/accounts/",
        views.registration_account_search_view,
        name="account_search",
    ),
    path("<int:registration_id>/reject/", views.registration_reject_view, name="reject"),
    path(
        "<int:registration_id>/extension/decide/",
        views.registration_extension_decide_view,
        name="extension_decide",
    ),
    path("apply/", views.application_form_view, name="apply"),
    path("apply/thanks/", views.application_thanks_view, name="application_thanks"),
    path("applications/", views.application_list_view, name="application_list"),
    path(
        "applications/<int:application_id>/",
        views.application_detail_view,
        name="application_detail",
    ),
    path(
        "applications/<int:application_id>/approve/",
        views.application_approve_view,
        name="application_approve",
    ),
    path(
        "applications/<int:application_id>/reject/",
        views.application_reject_view,
        name="application_reject",
    ),
    path("onboarding/<int:partner_id>/", views.onboarding_view, name="onboarding"),
    path("tiers/", views.tier_review_view, name="tier_review"),
    path(
        "tiers/proposals/<int:proposal_id>/confirm/",
        views.tier_proposal_decide_view,
        {"decision": "confirm"},
        name="tier_proposal_confirm",
    ),
    path(
        "tiers/proposals/<int:proposal_id>/dismiss/",
        views.tier_proposal_decide_view,
        {"decision": "dismiss"},
        name="tier_proposal_dismiss",
    ),
]
