"""Imports uploaded in the admin (testimonies.importing.jobs).

Archivists get every permission on them (0002_groups explains why names are
written out).
"""

import django.db.models.deletion
import testimonies.models.imports
from django.conf import settings
from django.db import migrations, models

ARCHIVISTS_GROUP = "Archivists"
ACTIONS = ("add", "change", "delete", "view")


def grant_archivist_permissions(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(
        app_label="testimonies", model="importjob"
    )
    permissions = [
        Permission.objects.get_or_create(
            content_type=content_type,
            codename=f"{action}_importjob",
            defaults={"name": f"Can {action} importjob"},
        )[0]
        for action in ACTIONS
    ]
    archivists, _ = Group.objects.get_or_create(name=ARCHIVISTS_GROUP)
    archivists.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("testimonies", "0018_recordings_browsers_cannot_play"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ImportJob",
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
                (
                    "file",
                    models.FileField(
                        upload_to=testimonies.models.imports.import_path,
                        verbose_name="file",
                    ),
                ),
                ("name", models.CharField(max_length=255, verbose_name="file name")),
                (
                    "uploaded_at",
                    models.DateTimeField(auto_now_add=True, verbose_name="uploaded"),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("checking", "being checked"),
                            ("refused", "has problems"),
                            ("checked", "checked: ready to import"),
                            ("importing", "being imported"),
                            ("done", "imported"),
                            ("failed", "not imported"),
                        ],
                        default="checking",
                        max_length=10,
                        verbose_name="state",
                    ),
                ),
                (
                    "summary",
                    models.JSONField(blank=True, default=dict, verbose_name="summary"),
                ),
                (
                    "problems",
                    models.JSONField(blank=True, default=list, verbose_name="problems"),
                ),
                (
                    "problem_count",
                    models.PositiveIntegerField(
                        default=0, verbose_name="problems found"
                    ),
                ),
                ("message", models.TextField(blank=True, verbose_name="message")),
                (
                    "finished_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="finished"
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="uploaded by",
                    ),
                ),
            ],
            options={
                "verbose_name": "import",
                "verbose_name_plural": "imports",
                "ordering": ["-uploaded_at", "-pk"],
            },
        ),
        migrations.RunPython(grant_archivist_permissions, migrations.RunPython.noop),
    ]
