from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "dirco.documents"
    label = "documents"
    verbose_name = _("Documents and announcements")
