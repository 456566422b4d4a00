from django.db import migrations

DEFAULT_STAGES = [
    # name, order, probability, forecast category, won, lost
    ("Prospecting", 10, 10, "pipeline", False, False),
    ("Qualification", 20, 20, "pipeline", False, False),
    ("Proposal", 30, 50, "best_case", False, False),
    ("Negotiation", 40, 75, "commit", False, False),
    ("Won", 90, 100, "closed", True, False),
    ("Lost", 99, 0, "omitted", False, True),
]


def create_stages(apps, schema_editor):
    Stage = apps.get_model("pipeline", "Stage")
    if Stage.objects.exists():
        return
    for name, order, probability, category, won, lost in DEFAULT_STAGES:
        Stage.objects.create(
            name=name,
            order=order,
            probability=probability,
            forecast_category=category,
            is_won=won,
            is_lost=lost,
        )


def remove_stages(apps, schema_editor):
    Stage = apps.get_model("pipeline", "Stage")
    Stage.objects.filter(name__in=[s[0] for s in DEFAULT_STAGES], deals__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0001_initial")]
    operations = [migrations.RunPython(create_stages, remove_stages)]
