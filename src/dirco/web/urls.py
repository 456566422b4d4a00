from django.urls import path

from dirco.accounts import views as accounts_views
from dirco.customers import views as customers_views
from dirco.partners import views as partners_views
from dirco.pipeline import views as pipeline_views
from dirco.web import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("", views.home, name="home"),
    path("login/", accounts_views.LoginView.as_view(), name="login"),
    path("logout/", accounts_views.LogoutView.as_view(), name="logout"),
    path("partners/", partners_views.partner_list_view, name="partner_list"),
    path("partners/<int:partner_id>/", partners_views.partner_detail_view, name="partner_detail"),
    path("partners/<int:partner_id>/edit/", partners_views.partner_edit_view, name="partner_edit"),
    path("accounts/", customers_views.account_list_view, name="account_list"),
    path("accounts/new/", customers_views.account_create_view, name="account_create"),
    path("accounts/search/", customers_views.account_search_view, name="account_search"),
    path("accounts/<int:account_id>/", customers_views.account_detail_view, name="account_detail"),
    path("accounts/<int:account_id>/edit/", customers_views.account_edit_view, name="account_edit"),
    path("pipeline/", pipeline_views.pipeline_board_view, name="pipeline_board"),
    path("deals/", pipeline_views.deal_list_view, name="deal_list"),
    path("deals/new/", pipeline_views.deal_create_view, name="deal_create"),
    path("deals/<int:deal_id>/", pipeline_views.deal_detail_view, name="deal_detail"),
    path("deals/<int:deal_id>/edit/", pipeline_views.deal_edit_view, name="deal_edit"),
    path("deals/<int:deal_id>/move/", pipeline_views.deal_move_view, name="deal_move"),
    path(
        "deals/<int:deal_id>/activities/",
        pipeline_views.deal_activity_create_view,
        name="deal_activity_create",
    ),
    path("activities/", pipeline_views.activity_list_view, name="activity_list"),
    path(
        "activities/<int:activity_id>/done/",
        pipeline_views.activity_done_view,
        name="activity_done",
    ),
]
