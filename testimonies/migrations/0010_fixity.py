"""Fixity: a SHA-256 of every stored photo and document, and a record of each check.

Files stored before this migration get their checksum here, read from storage, so
the first ``check_fixity`` already compares every file (docs/operations.md). A file
missing or unreadable now keeps an empty checksum and is reported missing by every check until it
is put back. Archivists get the fixity check permissions with the others (0002_groups
explains why names are written out); the admin itself only lets them look.
"""

import hashlib

from django.db import migrations, models

ARCHIVISTS_GROUP = "Archivists"
ACTIONS = ("add", "change", "delete", "view")
FILE_FIELDS = {"Photo": "image", "Document": "file"}


def record_checksums(apps, schema_editor):
    for model_name, field in FILE_FIELDS.items():
        model = apps.get_model("testimonies", model_name)
        rows = model.objects.using(schema_editor.connection.alias).filter(sha256="")
        changed = []
        for row in rows.only("pk", field).iterator(chunk_size=500):
            file = getattr(row, field)
            if not file.name:
                continue
            digest = hashlib.sha256()
            try:
                with file.storage.open(file.name, "rb") as stream:
                    while chunk := stream.read(1 << 20):
                        digest.update(chunk)
            except OSError:  # missing or unreadable: every check will say so
                continue
            row.sha256 = digest.hexdigest()
            changed.append(row)
        model.objects.using(schema_editor.connection.alias).bulk_update(
            changed, ["sha256"], batch_size=500
        )


def grant_archivist_permissions(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(
        app_label="testimonies", model="fixitycheck"
    )
    permissions = [
        Permission.objects.get_or_create(
            content_type=content_type,
            codename=f"{action}_fixitycheck",
            defaults={"name": f"Can {action} fixity check"},
        )[0]
        for action in ACTIONS
    ]
    archivists, _ = Group.objects.get_or_create(name=ARCHIVISTS_GROUP)
    archivists.permissions.add(*permissions)


def sha256_field():
    return models.CharField(
        blank=True,
        editable=False,
        help_text="Checksum of the stored file, taken when it was stored.",
        max_length=64,
        verbose_name="SHA-256",
    )


class Migration(migrations.Migration):
    dependencies = [("testimonies", "0009_text_limits")]

    operations = [
        migrations.CreateModel(
            name="FixityCheck",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("started_at", models.DateTimeField(verbose_name="started")),
                (
                    "finished_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="finished"
                    ),
                ),
                (
                    "ok",
                    models.BooleanField(default=False, verbose_name="all files intact"),
                ),
                (
                    "checked",
                    models.PositiveIntegerField(
                        default=0, verbose_name="files checked"
                    ),
                ),
                (
                    "missing",
                    models.PositiveIntegerField(
                        default=0, verbose_name="missing files"
                    ),
                ),
                (
                    "altered",
                    models.PositiveIntegerField(
                        default=0, verbose_name="altered files"
                    ),
                ),
                (
                    "recorded",
                    models.PositiveIntegerField(
                        default=0,
                        help_text="Files that had no checksum yet: this check "
                        "recorded one.",
                        verbose_name="checksums recorded",
                    ),
                ),
                ("report", models.TextField(blank=True, verbose_name="report")),
            ],
            options={
                "verbose_name": "fixity check",
                "verbose_name_plural": "fixity checks",
                "ordering": ["-started_at", "-pk"],
            },
        ),
        migrations.AddField(model_name="document", name="sha256", field=sha256_field()),
        migrations.AddField(model_name="photo", name="sha256", field=sha256_field()),
        migrations.RunPython(record_checksums, migrations.RunPython.noop),
        migrations.RunPython(grant_archivist_permissions, migrations.RunPython.noop),
    ]
