from django.urls import path

from dirco.webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("", views.webhook_list_view, name="list"),
    path("<int:subscription_id>/", views.webhook_detail_view, name="detail"),
    path("<int:subscription_id>/toggle/", views.webhook_toggle_view, name="toggle"),
    path("<int:subscription_id>/delete/", views.webhook_delete_view, name="delete"),
    path(
        "deliveries/<int:delivery_id>/redeliver/",
        views.webhook_redeliver_view,
        name="redeliver",
    ),
]
