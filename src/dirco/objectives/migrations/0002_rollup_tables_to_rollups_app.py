"""The rollup models move to the rollups app (state only: the tables stay, with their rows)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("objectives", "0001_initial"),
        ("rollups", "0001_rollup_tables_from_objectives"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="RevenueRollup"),
                migrations.DeleteModel(name="ActivityRollup"),
            ],
        ),
    ]
