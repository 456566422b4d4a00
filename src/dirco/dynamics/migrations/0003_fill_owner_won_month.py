from django.db import migrations


def fill_from_the_deals(apps, schema_editor):
    """Existing installs: the won revenue of each owner and month so far (kept on write next)."""
    from dirco.dynamics.owner_won import owner_won_rebuild

    owner_won_rebuild()


class Migration(migrations.Migration):

    dependencies = [
        ("dynamics", "0002_owner_won_month"),
        ("pipeline", "0008_deal_external_id"),
    ]

    operations = [migrations.RunPython(fill_from_the_deals, migrations.RunPython.noop)]
