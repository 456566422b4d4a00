from django.urls import path

from dirco.dynamics import views

app_name = "dynamics"

urlpatterns = [
    path("handovers/", views.handover_list_view, name="handovers"),
    path("handovers/<int:user_id>/", views.handover_view, name="handover"),
    path("synergy/", views.synergy_view, name="synergy"),
    path("turnover/", views.turnover_view, name="turnover"),
    path("managers/", views.managers_view, name="managers"),
    path("capacity/", views.capacity_view, name="capacity"),
    path("departures/", views.departures_view, name="departures"),
    path(
        "departures/<int:departure_id>/cancel/",
        views.departure_cancel_view,
        name="departure_cancel",
    ),
    path("method/", views.method_view, name="method"),
]
