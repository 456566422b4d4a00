from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RollupsConfig(AppConfig):
    name = "dirco.rollups"
    label = "rollups"
    verbose_name = _("Rollups")

    def ready(self) -> None:
        from django.db.models.signals import post_save, pre_save

        from dirco.partners.models import Partner
        from dirco.pipeline.hooks import (
            activity_change_hooks,
            deal_change_hooks,
            scope_figures_readers,
        )
        from dirco.rollups.receivers import partner_post_save, partner_pre_save
        from dirco.rollups.selectors import deal_figures_of_scopes
        from dirco.rollups.writes import rollups_apply_activity_change, rollups_apply_deal_change

        if rollups_apply_deal_change not in deal_change_hooks:
            deal_change_hooks.append(rollups_apply_deal_change)
        if rollups_apply_activity_change not in activity_change_hooks:
            activity_change_hooks.append(rollups_apply_activity_change)
        if deal_figures_of_scopes not in scope_figures_readers:
            scope_figures_readers.append(deal_figures_of_scopes)
        # The dispatch uids are those the objectives app used, so a connection is never doubled.
        pre_save.connect(partner_pre_save, sender=Partner, dispatch_uid="objectives.partner_pre")
        post_save.connect(partner_post_save, sender=Partner, dispatch_uid="objectives.partner_post")
