from django.urls import path

from dirco.marketing import channel_views, views

app_name = "marketing"

urlpatterns = [
    path("", views.marketing_overview_view, name="overview"),
    path("segments/", views.segment_list_view, name="segment_list"),
    path("segments/new/", views.segment_edit_view, name="segment_create"),
    path("segments/preview/", views.segment_preview_view, name="segment_preview"),
    path("segments/<int:segment_id>/", views.segment_edit_view, name="segment_edit"),
    path("templates/", views.template_list_view, name="template_list"),
    path("templates/new/", views.template_edit_view, name="template_create"),
    path("templates/<int:template_id>/", views.template_edit_view, name="template_edit"),
    path("templates/<int:template_id>/test/", views.template_test_send_view, name="template_test"),
    path("campaigns/new/", views.campaign_create_view, name="campaign_create"),
    path("campaigns/<int:campaign_id>/", views.campaign_detail_view, name="campaign_detail"),
    path(
        "campaigns/<int:campaign_id>/schedule/",
        views.campaign_schedule_view,
        name="campaign_schedule",
    ),
    path("campaigns/<int:campaign_id>/cancel/", views.campaign_cancel_view, name="campaign_cancel"),
    path("consent/", views.consent_list_view, name="consent_list"),
    path("consent/<int:contact_id>/", views.consent_record_view, name="consent_record"),
    path("suppression/", views.suppression_list_view, name="suppression_list"),
    path(
        "templates/<int:template_id>/partners/",
        channel_views.template_partner_approval_view,
        name="template_partner_approval",
    ),
    # Through-channel results: every staff member, for the partners they see.
    path("channel/", channel_views.channel_overview_view, name="channel"),
    path(
        "channel/campaigns/<int:campaign_id>/",
        channel_views.channel_campaign_view,
        name="channel_campaign",
    ),
    # Social selling: marketing's posts; everyone's sharing page and the leaderboard.
    path("social/posts/", channel_views.social_post_list_view, name="social_post_list"),
    path("social/posts/new/", channel_views.social_post_edit_view, name="social_post_create"),
    path(
        "social/posts/<int:post_id>/", channel_views.social_post_edit_view, name="social_post_edit"
    ),
    path(
        "social/posts/<int:post_id>/publish/",
        channel_views.social_post_publish_view,
        name="social_post_publish",
    ),
    path("social/", channel_views.social_share_list_view, name="social_share_list"),
    path("social/<int:post_id>/share/", channel_views.social_share_view, name="social_share"),
    path("social/leaderboard/", channel_views.social_leaderboard_view, name="social_leaderboard"),
]
