from django.urls import path

from dirco.funds import views

app_name = "funds"

urlpatterns = [
    path("", views.fund_overview_view, name="overview"),
    path("budgets/new/", views.fund_budget_create_view, name="budget_create"),
    path("budgets/<int:budget_id>/", views.fund_budget_detail_view, name="budget_detail"),
    path("requests/<int:request_id>/", views.fund_request_detail_view, name="request_detail"),
    path(
        "requests/<int:request_id>/approve/",
        views.fund_request_approve_view,
        name="request_approve",
    ),
    path(
        "requests/<int:request_id>/reject/", views.fund_request_reject_view, name="request_reject"
    ),
    path("claims/<int:claim_id>/pay/", views.fund_claim_pay_view, name="claim_pay"),
    path("claims/<int:claim_id>/reject/", views.fund_claim_reject_view, name="claim_reject"),
    path("claims/<int:claim_id>/proof/", views.fund_claim_proof_view, name="claim_proof"),
]
