from django.urls import path

from dirco.web import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
]
