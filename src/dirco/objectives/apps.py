from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObjectivesConfig(AppConfig):
    name = "dirco.objectives"
    label = "objectives"
    verbose_name = _("Objectives")

    def ready(self) -> None:
        from django.db.models.signals import post_save, pre_save

        from dirco.objectives.receivers import partner_post_save, partner_pre_save
        from dirco.objectives.rollups import (
            rollups_apply_activity_change,
            rollups_apply_deal_change,
        )
        from dirco.partners.models import Partner
        from dirco.pipeline.hooks import activity_change_hooks, deal_change_hooks

        if rollups_apply_deal_change not in deal_change_hooks:
            deal_change_hooks.append(rollups_apply_deal_change)
        if rollups_apply_activity_change not in activity_change_hooks:
            activity_change_hooks.append(rollups_apply_activity_change)
        pre_save.connect(partner_pre_save, sender=Partner, dispatch_uid="objectives.partner_pre")
        post_save.connect(partner_post_save, sender=Partner, dispatch_uid="objectives.partner_post")
