from django.contrib import admin

from dirco.webhooks.models import WebhookDelivery, WebhookSubscription


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin[WebhookSubscription]):
    list_display = ("url", "is_active", "created_at")
    exclude = ("secret",)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin[WebhookDelivery]):
    list_display = ("event", "subscription", "status", "attempts", "response_code", "created_at")
    list_filter = ("status", "event")
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
