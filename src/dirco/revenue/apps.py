from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RevenueConfig(AppConfig):
    name = "dirco.revenue"
    label = "revenue"
    verbose_name = _("Revenue and forecasts")

    def ready(self) -> None:
        from dirco.pipeline.signals import deals_changed
        from dirco.revenue.receivers import on_deals_changed

        deals_changed.connect(on_deals_changed, dispatch_uid="revenue.on_deals_changed")

        from dirco.revenue.services import revenue_snapshots_drop
        from dirco.rollups.writes import rebuild_hooks

        if revenue_snapshots_drop not in rebuild_hooks:
            rebuild_hooks.append(revenue_snapshots_drop)
