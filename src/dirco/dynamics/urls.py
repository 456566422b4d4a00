from django.urls import path

from dirco.dynamics import views

app_name = "dynamics"

urlpatterns = [
    path("handovers/", views.handover_list_view, name="handovers"),
    path("handovers/<int:user_id>/", views.handover_view, name="handover"),
    path("synergy/", views.synergy_view, name="synergy"),
    path("turnover/", views.turnover_view, name="turnover"),
    path("managers/", views.managers_view, name="managers"),
    path("method/", views.method_view, name="method"),
]
