"""Load the GB/T 2260 divisions of Inner Mongolia and the subject categories (reference data)."""

from django.db import migrations


def load(apps, schema_editor):
    from minesweep.registry.categories import CATEGORIES
    from minesweep.registry.divisions import read_division_rows

    Division = apps.get_model("registry", "Division")
    Category = apps.get_model("registry", "Category")
    for row in read_division_rows():
        Division.objects.update_or_create(
            code=row["code"],
            defaults={"name": row["name"], "level": row["level"], "parent_id": row["parent_code"] or None},
        )
    for code, (zh, en) in CATEGORIES.items():
        Category.objects.update_or_create(code=code, defaults={"name_zh": zh, "name_en": en})


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
