from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "dirco.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from dirco.accounts.signals import signals_connect

        signals_connect()
