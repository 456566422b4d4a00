"""Lead pages under /leads/: staff list and detail, and the public contact form."""

from django.urls import path

from dirco.leads import views

urlpatterns = [
    path("", views.lead_list_view, name="lead_list"),
    path("contact/", views.lead_contact_view, name="lead_contact"),
    path("contact/thanks/", views.lead_contact_thanks_view, name="lead_contact_thanks"),
    path("<int:lead_id>/", views.lead_detail_view, name="lead_detail"),
    path("<int:lead_id>/route/", views.lead_route_view, name="lead_route"),
    path("<int:lead_id>/assign/", views.lead_assign_view, name="lead_assign"),
    path("<int:lead_id>/accept/", views.lead_accept_view, name="lead_accept"),
    path("<int:lead_id>/decline/", views.lead_decline_view, name="lead_decline"),
    path("<int:lead_id>/convert/", views.lead_convert_view, name="lead_convert"),
    path("<int:lead_id>/lost/", views.lead_lost_view, name="lead_lost"),
]
