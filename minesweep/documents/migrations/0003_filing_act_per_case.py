"""The 立案审批表's act names its case (``case:12``), as every other act names its record.

Before, every case's filing form had the target ``case`` and so shared the first case's act and number.
Targets are renamed here; a filing document that was linked to another case's act keeps that historical
link and is renumbered, as a new version with its reason, the next time it is issued
(``documents.services.document_issue``) — an issued version is never rewritten.
"""

from django.db import migrations


def name_the_case(apps, schema_editor):
    Act = apps.get_model("documents", "Act")
    IssuedDocument = apps.get_model("documents", "IssuedDocument")
    for act in Act.objects.filter(kind="filing", target="case"):
        act.target = f"case:{act.case_id}"
        act.save(update_fields=["target"])
    for document in IssuedDocument.objects.filter(kind="filing", target="case"):
        document.target = f"case:{document.case_id}"
        document.save(update_fields=["target"])


def back_to_bare(apps, schema_editor):
    Act = apps.get_model("documents", "Act")
    IssuedDocument = apps.get_model("documents", "IssuedDocument")
    IssuedDocument.objects.filter(kind="filing", target__startswith="case:").update(target="case")
    first = Act.objects.filter(kind="filing", target__startswith="case:").order_by("id").first()
    if first is not None:
        Act.objects.filter(pk=first.pk).update(target="case")


class Migration(migrations.Migration):
    dependencies = [("documents", "0002_act")]

    operations = [migrations.RunPython(name_the_case, back_to_bare)]
