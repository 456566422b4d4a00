from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImpactConfig(AppConfig):
    name = "dirco.impact"
    label = "impact"
    verbose_name = _("Impact of the action plan")
