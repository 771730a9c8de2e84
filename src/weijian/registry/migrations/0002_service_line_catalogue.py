"""Load the national catalogue of clinical subjects (医疗机构诊疗科目名录, first-level subjects)."""

from django.db import migrations

from weijian.registry.catalogue import CATALOGUE


def load(apps, schema_editor):
    ServiceLine = apps.get_model("registry", "ServiceLine")
    ServiceLine.objects.bulk_create(
        [ServiceLine(code=c, name=n) for c, n in CATALOGUE], ignore_conflicts=True
    )


def unload(apps, schema_editor):
    apps.get_model("registry", "ServiceLine").objects.filter(code__in=[c for c, _ in CATALOGUE]).delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
