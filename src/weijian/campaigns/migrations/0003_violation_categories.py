"""Load the violation categories of data/violation_categories.toml (seed-004 §5, seed-000 篇1)."""

from django.db import migrations

from weijian.campaigns.catalogue import load_violation_categories


def load(apps, schema_editor):
    load_violation_categories(apps.get_model("campaigns", "ViolationCategory"))


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0002_template_fields")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
