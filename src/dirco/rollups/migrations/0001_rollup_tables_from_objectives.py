"""The rollup tables move from the objectives app to this one, their data untouched.

The tables keep their names (``objectives_revenuerollup``, ``objectives_activityrollup``):
this migration only declares the models in the state; objectives 0002 removes them from
the objectives app's state. Nothing is copied, nothing is dropped.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("objectives", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="RevenueRollup",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "scope_kind",
                            models.CharField(
                                choices=[
                                    ("company", "Company"),
                                    ("team", "Team"),
                                    ("rep", "Rep"),
                                    ("partner", "Partner"),
                                    ("product_line", "Product line"),
                                ],
                                max_length=20,
                                verbose_name="scope",
                            ),
                        ),
                        ("scope_id", models.IntegerField(verbose_name="scope id")),
                        ("product_line_id", models.IntegerField(verbose_name="product line id")),
                        ("month", models.DateField(verbose_name="month")),
                        ("won_count", models.BigIntegerField(default=0)),
                        ("won_cents", models.BigIntegerField(default=0)),
                        ("won_cycle_days", models.BigIntegerField(default=0)),
                        ("lost_count", models.BigIntegerField(default=0)),
                        ("lost_cents", models.BigIntegerField(default=0)),
                        ("open_count", models.BigIntegerField(default=0)),
                        ("open_cents", models.BigIntegerField(default=0)),
                        ("open_weighted", models.BigIntegerField(default=0)),
                        ("commit_cents", models.BigIntegerField(default=0)),
                        ("best_case_cents", models.BigIntegerField(default=0)),
                        ("pipeline_cents", models.BigIntegerField(default=0)),
                        ("omitted_cents", models.BigIntegerField(default=0)),
                        ("created_count", models.BigIntegerField(default=0)),
                        ("created_cents", models.BigIntegerField(default=0)),
                    ],
                    options={
                        "db_table": "objectives_revenuerollup",
                        "verbose_name": "revenue rollup",
                        "verbose_name_plural": "revenue rollups",
                        "indexes": [
                            models.Index(fields=["scope_kind", "month"], name="revenuerollup_kind_month")
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("scope_kind", "scope_id", "product_line_id", "month"),
                                name="revenuerollup_key",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="ActivityRollup",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("owner_id", models.IntegerField(verbose_name="owner id")),
                        ("month", models.DateField(verbose_name="month")),
                        ("created_count", models.BigIntegerField(default=0)),
                        ("done_count", models.BigIntegerField(default=0)),
                    ],
                    options={
                        "db_table": "objectives_activityrollup",
                        "verbose_name": "activity rollup",
                        "verbose_name_plural": "activity rollups",
                        "indexes": [models.Index(fields=["month"], name="activityrollup_month")],
                        "constraints": [
                            models.UniqueConstraint(fields=("owner_id", "month"), name="activityrollup_key")
                        ],
                    },
                ),
            ],
        ),
    ]
