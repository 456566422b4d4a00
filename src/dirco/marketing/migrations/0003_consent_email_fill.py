"""Data: the address of each consent recorded before consents kept one (the contact's)."""

from typing import Any

from django.db import migrations


def consent_email_fill(apps: Any, schema_editor: Any) -> None:
    Consent = apps.get_model("marketing", "Consent")
    for consent in Consent.objects.filter(email="", contact__isnull=False).select_related(
        "contact"
    ):
        consent.email = (consent.contact.email or "").strip().lower()
        consent.save(update_fields=["email"])


class Migration(migrations.Migration):
    dependencies = [("marketing", "0002_channel_social_bounces")]

    operations = [migrations.RunPython(consent_email_fill, migrations.RunPython.noop)]
