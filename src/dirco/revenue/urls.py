from django.urls import path

from dirco.revenue import views

urlpatterns = [
    path("forecast/", views.forecast_page, name="revenue-forecast"),
]
