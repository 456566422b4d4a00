"""The partner portal under /portal/."""

from django.urls import include, path

from dirco.portal import funds_views, marketing_views, plans_views, social_views, views

app_name = "portal"

urlpatterns = [
    path("", views.home_view, name="home"),
    path("deals/", views.deal_list_view, name="deal_list"),
    path("deals/<int:deal_id>/", views.deal_detail_view, name="deal_detail"),
    path("registrations/", views.registration_list_view, name="registration_list"),
    path("registrations/new/", views.registration_create_view, name="registration_create"),
    path(
        "registrations/<int:registration_id>/",
        views.registration_detail_view,
        name="registration_detail",
    ),
    path(
        "registrations/<int:registration_id>/extension/",
        views.registration_extension_view,
        name="registration_extension",
    ),
    path("leads/", views.lead_list_view, name="lead_list"),
    path("leads/<int:lead_id>/accept/", views.lead_accept_view, name="lead_accept"),
    path("leads/<int:lead_id>/decline/", views.lead_decline_view, name="lead_decline"),
    path("documents/", views.document_list_view, name="document_list"),
    path(
        "documents/<int:document_id>/download/",
        views.document_download_view,
        name="document_download",
    ),
    path("announcements/", views.announcement_list_view, name="announcement_list"),
    path("mdf/", funds_views.mdf_view, name="mdf"),
    path("mdf/requests/new/", funds_views.mdf_request_create_view, name="mdf_request_create"),
    path(
        "mdf/requests/<int:request_id>/",
        funds_views.mdf_request_detail_view,
        name="mdf_request_detail",
    ),
    path(
        "mdf/claims/<int:claim_id>/proof/", funds_views.mdf_claim_proof_view, name="mdf_claim_proof"
    ),
    path("plans/", plans_views.plan_list_view, name="plan_list"),
    path("plans/<int:plan_id>/", plans_views.plan_detail_view, name="plan_detail"),
    path("plans/<int:plan_id>/comments/", plans_views.plan_comment_view, name="plan_comment"),
    path(
        "plans/<int:plan_id>/versions/<int:number>/accept/",
        plans_views.plan_accept_view,
        name="plan_accept",
    ),
    # Through-channel campaigns (co-branded, to the partner's own contacts) and social selling.
    path("campaigns/", marketing_views.campaign_list_view, name="campaign_list"),
    path("campaigns/new/", marketing_views.campaign_create_view, name="campaign_create"),
    path(
        "campaigns/<int:campaign_id>/", marketing_views.campaign_detail_view, name="campaign_detail"
    ),
    path(
        "campaigns/<int:campaign_id>/send/",
        marketing_views.campaign_schedule_view,
        name="campaign_schedule",
    ),
    path(
        "campaigns/<int:campaign_id>/cancel/",
        marketing_views.campaign_cancel_view,
        name="campaign_cancel",
    ),
    path(
        "campaigns/templates/<int:template_id>/",
        marketing_views.template_preview_view,
        name="campaign_template",
    ),
    path("campaigns/brand/", marketing_views.brand_view, name="brand"),
    path("social/", marketing_views.social_view, name="social"),
    path("social/<int:post_id>/share/", marketing_views.social_share_view, name="social_share"),
    path("feed/", social_views.feed_view, name="feed"),
    path("feed/digest/", social_views.digest_view, name="feed_digest"),
    path(
        "feed/records/<slug:kind>/<int:record_id>/",
        social_views.conversation_view,
        name="conversation",
    ),
    path("feed/posts/<int:post_id>/comments/", social_views.comment_view, name="feed_comment"),
    path("feed/posts/<int:post_id>/reactions/", social_views.react_view, name="feed_react"),
    path(
        "feed/attachments/<int:attachment_id>/",
        social_views.attachment_view,
        name="feed_attachment",
    ),
    path("notifications/", views.notification_list_view, name="notification_list"),
    path("notifications/read/", views.notification_read_view, name="notification_read"),
    path("imports/", include(("dirco.portal.imports_urls", "imports"))),
    path("users/", views.user_list_view, name="user_list"),
    path("users/invite/", views.user_invite_view, name="user_invite"),
    path("users/<int:user_id>/deactivate/", views.user_deactivate_view, name="user_deactivate"),
    path(
        "set-password/<uidb64>/<token>/",
        views.SetPasswordView.as_view(),
        name="set_password",
    ),
]
