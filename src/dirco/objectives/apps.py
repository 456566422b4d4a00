from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObjectivesConfig(AppConfig):
    name = "dirco.objectives"
    label = "objectives"
    verbose_name = _("Objectives")
