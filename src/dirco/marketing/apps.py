from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketingConfig(AppConfig):
    name = "dirco.marketing"
    label = "marketing"
    verbose_name = _("Direct marketing")
