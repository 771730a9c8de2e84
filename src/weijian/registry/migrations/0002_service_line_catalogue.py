"""Load the national catalogue of clinical subjects (医疗机构诊疗科目名录, first-level subjects)."""

from django.db import migrations

CATALOGUE = [
    ("01", "预防保健科"), ("02", "全科医疗科"), ("03", "内科"), ("04", "外科"), ("05", "妇产科"),
    ("06", "妇女保健科"), ("07", "儿科"), ("08", "小儿外科"), ("09", "儿童保健科"), ("10", "眼科"),
    ("11", "耳鼻咽喉科"), ("12", "口腔科"), ("13", "皮肤科"), ("14", "医疗美容科"), ("15", "精神科"),
    ("16", "传染科"), ("17", "结核病科"), ("18", "地方病科"), ("19", "肿瘤科"), ("20", "急诊医学科"),
    ("21", "康复医学科"), ("22", "运动医学科"), ("23", "职业病科"), ("24", "临终关怀科"),
    ("25", "特种医学与军事医学科"), ("26", "麻醉科"), ("27", "疼痛科"), ("28", "重症医学科"),
    ("30", "医学检验科"), ("31", "病理科"), ("32", "医学影像科"), ("50", "中医科"), ("51", "民族医学科"),
    ("52", "中西医结合科"), ("69", "其他业务科室"),
]


def load(apps, schema_editor):
    ServiceLine = apps.get_model("registry", "ServiceLine")
    ServiceLine.objects.bulk_create([ServiceLine(code=c, name=n) for c, n in CATALOGUE], ignore_conflicts=True)


def unload(apps, schema_editor):
    apps.get_model("registry", "ServiceLine").objects.filter(code__in=[c for c, _ in CATALOGUE]).delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
