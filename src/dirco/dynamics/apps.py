from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DynamicsConfig(AppConfig):
    name = "dirco.dynamics"
    label = "dynamics"
    verbose_name = _("Team dynamics")

    def ready(self) -> None:
        from dirco.dynamics.owner_won import owner_won_apply_deal_change, owner_won_rebuild
        from dirco.pipeline.hooks import deal_change_hooks
        from dirco.rollups.writes import rebuild_hooks

        if owner_won_apply_deal_change not in deal_change_hooks:
            deal_change_hooks.append(owner_won_apply_deal_change)
        if owner_won_rebuild not in rebuild_hooks:
            rebuild_hooks.append(owner_won_rebuild)
