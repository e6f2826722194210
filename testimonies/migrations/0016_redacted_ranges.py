"""Redacted ranges of recordings: the ranges, the cues they hide, the public copy.

Archivists get every permission on the new model and its history (0002_groups
explains why names are written out). No recording has a range yet, so no cue is
hidden and no copy is needed: nothing to fill.
"""

import django.db.models.deletion
import simple_history.models
import testimonies.avmedia
from django.conf import settings
from django.db import migrations, models

ARCHIVISTS_GROUP = "Archivists"
ACTIONS = ("add", "change", "delete", "view")
MODELS = ("redactedrange", "historicalredactedrange")


def grant_archivist_permissions(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    permissions = []
    for model in MODELS:
        content_type, _ = ContentType.objects.get_or_create(
            app_label="testimonies", model=model
        )
        permissions += [
            Permission.objects.get_or_create(
                content_type=content_type,
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {model}"},
            )[0]
            for action in ACTIONS
        ]
    archivists, _ = Group.objects.get_or_create(name=ARCHIVISTS_GROUP)
    archivists.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("testimonies", "0015_search_spoken_words"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="cue",
            name="redacted",
            field=models.BooleanField(
                default=False, editable=False, verbose_name="redacted"
            ),
        ),
        migrations.AddField(
            model_name="recording",
            name="public_file",
            field=models.FileField(
                blank=True,
                editable=False,
                upload_to=testimonies.avmedia.recording_path,
                verbose_name="public copy",
            ),
        ),
        migrations.AddField(
            model_name="recording",
            name="public_silences",
            field=models.JSONField(
                editable=False, null=True, verbose_name="silenced in the public copy"
            ),
        ),
        migrations.CreateModel(
            name="HistoricalRedactedRange",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("start_ms", models.PositiveIntegerField(verbose_name="start (ms)")),
                ("end_ms", models.PositiveIntegerField(verbose_name="end (ms)")),
                (
                    "reason",
                    models.CharField(
                        blank=True,
                        help_text="For archivists only: what is said there, why it is hidden.",
                        max_length=300,
                        verbose_name="reason",
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")],
                        max_length=1,
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "recording",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="testimonies.recording",
                        verbose_name="recording",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical redacted range",
                "verbose_name_plural": "historical redacted ranges",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="RedactedRange",
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
                ("start_ms", models.PositiveIntegerField(verbose_name="start (ms)")),
                ("end_ms", models.PositiveIntegerField(verbose_name="end (ms)")),
                (
                    "reason",
                    models.CharField(
                        blank=True,
                        help_text="For archivists only: what is said there, why it is hidden.",
                        max_length=300,
                        verbose_name="reason",
                    ),
                ),
                (
                    "recording",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="redacted_ranges",
                        to="testimonies.recording",
                        verbose_name="recording",
                    ),
                ),
            ],
            options={
                "verbose_name": "redacted range",
                "verbose_name_plural": "redacted ranges",
                "ordering": ["recording", "start_ms", "pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("end_ms__gt", models.F("start_ms"))),
                        name="redacted_range_ends_after_start",
                    )
                ],
            },
        ),
        migrations.RunPython(grant_archivist_permissions, migrations.RunPython.noop),
    ]
