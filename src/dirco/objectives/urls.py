from django.urls import path

from dirco.objectives import views

urlpatterns = [
    path("", views.objective_list_view, name="objective_list"),
    path("new/", views.objective_create_view, name="objective_create"),
    path("<int:objective_id>/", views.objective_detail_view, name="objective_detail"),
    path("<int:objective_id>/edit/", views.objective_edit_view, name="objective_edit"),
    path("<int:objective_id>/months/", views.objective_months_view, name="objective_months"),
    path("<int:objective_id>/allocate/", views.objective_allocate_view, name="objective_allocate"),
    path("<int:objective_id>/publish/", views.objective_publish_view, name="objective_publish"),
    path("curve/", views.curve_view, name="objective_curve"),
    path("gap/", views.gap_view, name="objective_gap"),
    path("leaderboard/", views.leaderboard_view, name="leaderboard"),
    path("leaderboard/export.<str:fmt>", views.leaderboard_export_view, name="leaderboard_export"),
    path("forecast-calls/", views.forecast_calls_view, name="forecast_calls"),
]
