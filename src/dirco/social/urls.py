from django.urls import path

from dirco.social import views

app_name = "social"

urlpatterns = [
    path("", views.feed_view, name="feed"),
    path("digest/", views.digest_view, name="digest"),
    path("unread/", views.unread_view, name="unread"),
    path("records/<slug:kind>/<int:record_id>/", views.record_view, name="record"),
    path("records/<slug:kind>/<int:record_id>/follow/", views.follow_view, name="follow"),
    path("posts/<int:post_id>/comments/", views.comment_view, name="comment"),
    path("posts/<int:post_id>/reactions/", views.react_view, name="react"),
    path("attachments/<int:attachment_id>/", views.attachment_view, name="attachment"),
]
