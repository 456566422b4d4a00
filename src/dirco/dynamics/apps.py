from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DynamicsConfig(AppConfig):
    name = "dirco.dynamics"
    label = "dynamics"
    verbose_name = _("Team dynamics")
