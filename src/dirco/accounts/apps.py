from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class AccountsConfig(AppConfig):
    name = "dirco.accounts"
    label = "accounts"
    verbose_name = pgettext_lazy("users and sign-in, not customer accounts", "Accounts")

    def ready(self) -> None:
        from dirco.accounts.signals import signals_connect

        signals_connect()
