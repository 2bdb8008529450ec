"""Load the GB/T 2260 divisions of Inner Mongolia and the subject categories (reference data)."""

from django.db import migrations


def load(apps, schema_editor):
    from minesweep.registry.reference import load_reference_data

    load_reference_data(apps.get_model("registry", "Division"), apps.get_model("registry", "Category"))


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
