from django.urls import path

from dirco.plans import views

app_name = "plans"

urlpatterns = [
    path("", views.plan_list_view, name="list"),
    path("new/", views.plan_create_view, name="create"),
    path("proposals/", views.proposals_view, name="proposals"),
    path("proposals/add/", views.proposal_add_view, name="proposal_add"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("calendar/feed/", views.calendar_feed_view, name="calendar_feed"),
    path("calendar/<str:key>.ics", views.calendar_ics_view, name="calendar_ics"),
    path("<int:plan_id>/", views.plan_detail_view, name="detail"),
    path("<int:plan_id>/plan.ics", views.plan_ics_view, name="plan_ics"),
    path("<int:plan_id>/edit/", views.plan_edit_view, name="edit"),
    path("<int:plan_id>/status/", views.plan_status_view, name="status"),
    path("<int:plan_id>/share/", views.plan_share_view, name="share"),
    path("<int:plan_id>/comments/", views.plan_comment_view, name="comment"),
    path("<int:plan_id>/impact/", views.plan_impact_view, name="impact"),
    path("<int:plan_id>/actions/new/", views.action_create_view, name="action_create"),
    path("actions/<int:action_id>/", views.action_detail_view, name="action_detail"),
    path("actions/<int:action_id>/status/", views.action_status_view, name="action_status"),
    path("actions/<int:action_id>/tasks/", views.task_create_view, name="task_create"),
    path("tasks/<int:task_id>/done/", views.task_done_view, name="task_done"),
]
