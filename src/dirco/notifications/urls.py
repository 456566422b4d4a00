from django.urls import path

from dirco.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list_view, name="list"),
    path("read/", views.notification_read_view, name="read"),
]
