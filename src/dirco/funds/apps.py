from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "dirco.funds"
    label = "funds"
    verbose_name = _("Marketing development funds")
