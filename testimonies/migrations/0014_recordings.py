"""Recorded interviews: recordings, transcripts of cues, segment indexes.

Archivists get every permission on the new models and their histories (0002_groups
explains why names are written out).
"""

import django.db.models.deletion
import simple_history.models
import testimonies.avmedia
import testimonies.languages
from django.conf import settings
from django.db import migrations, models


ARCHIVISTS_GROUP = "Archivists"
ACTIONS = ("add", "change", "delete", "view")
MODELS = (
    "recording",
    "transcript",
    "cue",
    "segment",
    "historicalrecording",
    "historicaltranscript",
    "historicalsegment",
)


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
        ("testimonies", "0013_search_head_vector"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalRecording",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "file",
                    models.TextField(
                        help_text="MP3, M4A, MP4 (H.264/AAC), Ogg, WAV, FLAC or WebM. Location, device and other metadata are removed before the file is stored.",
                        max_length=100,
                        validators=[testimonies.avmedia.validate_recording_upload],
                        verbose_name="file",
                    ),
                ),
                (
                    "title",
                    models.CharField(
                        blank=True,
                        help_text="Which part of the interview, when there are several.",
                        max_length=300,
                        verbose_name="title",
                    ),
                ),
                (
                    "access",
                    models.CharField(
                        choices=[
                            ("public", "public"),
                            ("researchers", "researchers only"),
                            ("restricted", "restricted (archivists only)"),
                        ],
                        default="restricted",
                        help_text="Who may hear or watch it: never more than may read the testimony. A voice identifies its narrator.",
                        max_length=12,
                        verbose_name="access",
                    ),
                ),
                (
                    "languages",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="BCP 47 codes: ru, uk…",
                        verbose_name="languages spoken",
                    ),
                ),
                (
                    "interviewer",
                    models.CharField(
                        blank=True, max_length=200, verbose_name="interviewer"
                    ),
                ),
                (
                    "recorded_on",
                    models.DateField(blank=True, null=True, verbose_name="recorded on"),
                ),
                (
                    "credit",
                    models.CharField(blank=True, max_length=300, verbose_name="credit"),
                ),
                ("rights", models.TextField(blank=True, verbose_name="rights")),
                (
                    "position",
                    models.PositiveSmallIntegerField(
                        default=0, verbose_name="position"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("audio", "audio"), ("video", "video")],
                        editable=False,
                        max_length=5,
                        verbose_name="kind",
                    ),
                ),
                (
                    "duration_ms",
                    models.PositiveIntegerField(
                        editable=False, null=True, verbose_name="duration (ms)"
                    ),
                ),
                (
                    "codecs",
                    models.CharField(
                        blank=True,
                        editable=False,
                        max_length=100,
                        verbose_name="codecs",
                    ),
                ),
                (
                    "content_type",
                    models.CharField(
                        blank=True,
                        editable=False,
                        max_length=100,
                        verbose_name="content type",
                    ),
                ),
                (
                    "size",
                    models.PositiveBigIntegerField(
                        editable=False, null=True, verbose_name="size in bytes"
                    ),
                ),
                (
                    "sha256",
                    models.CharField(
                        blank=True,
                        editable=False,
                        help_text="Checksum of the stored file, taken when it was stored.",
                        max_length=64,
                        verbose_name="SHA-256",
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
                    "testimony",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="testimonies.testimony",
                        verbose_name="testimony",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical recording",
                "verbose_name_plural": "historical recordings",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Recording",
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
                        help_text="MP3, M4A, MP4 (H.264/AAC), Ogg, WAV, FLAC or WebM. Location, device and other metadata are removed before the file is stored.",
                        upload_to=testimonies.avmedia.recording_path,
                        validators=[testimonies.avmedia.validate_recording_upload],
                        verbose_name="file",
                    ),
                ),
                (
                    "title",
                    models.CharField(
                        blank=True,
                        help_text="Which part of the interview, when there are several.",
                        max_length=300,
                        verbose_name="title",
                    ),
                ),
                (
                    "access",
                    models.CharField(
                        choices=[
                            ("public", "public"),
                            ("researchers", "researchers only"),
                            ("restricted", "restricted (archivists only)"),
                        ],
                        default="restricted",
                        help_text="Who may hear or watch it: never more than may read the testimony. A voice identifies its narrator.",
                        max_length=12,
                        verbose_name="access",
                    ),
                ),
                (
                    "languages",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="BCP 47 codes: ru, uk…",
                        verbose_name="languages spoken",
                    ),
                ),
                (
                    "interviewer",
                    models.CharField(
                        blank=True, max_length=200, verbose_name="interviewer"
                    ),
                ),
                (
                    "recorded_on",
                    models.DateField(blank=True, null=True, verbose_name="recorded on"),
                ),
                (
                    "credit",
                    models.CharField(blank=True, max_length=300, verbose_name="credit"),
                ),
                ("rights", models.TextField(blank=True, verbose_name="rights")),
                (
                    "position",
                    models.PositiveSmallIntegerField(
                        default=0, verbose_name="position"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("audio", "audio"), ("video", "video")],
                        editable=False,
                        max_length=5,
                        verbose_name="kind",
                    ),
                ),
                (
                    "duration_ms",
                    models.PositiveIntegerField(
                        editable=False, null=True, verbose_name="duration (ms)"
                    ),
                ),
                (
                    "codecs",
                    models.CharField(
                        blank=True,
                        editable=False,
                        max_length=100,
                        verbose_name="codecs",
                    ),
                ),
                (
                    "content_type",
                    models.CharField(
                        blank=True,
                        editable=False,
                        max_length=100,
                        verbose_name="content type",
                    ),
                ),
                (
                    "size",
                    models.PositiveBigIntegerField(
                        editable=False, null=True, verbose_name="size in bytes"
                    ),
                ),
                (
                    "sha256",
                    models.CharField(
                        blank=True,
                        editable=False,
                        help_text="Checksum of the stored file, taken when it was stored.",
                        max_length=64,
                        verbose_name="SHA-256",
                    ),
                ),
                (
                    "testimony",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="recordings",
                        to="testimonies.testimony",
                        verbose_name="testimony",
                    ),
                ),
            ],
            options={
                "verbose_name": "recording",
                "verbose_name_plural": "recordings",
                "ordering": ["position", "pk"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalTranscript",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "language",
                    models.CharField(
                        max_length=35,
                        validators=[testimonies.languages.validate_language],
                        verbose_name="language",
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("original", "original"),
                            ("human", "human translation"),
                            ("machine", "machine translation"),
                        ],
                        default="original",
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                (
                    "translator",
                    models.CharField(
                        blank=True, max_length=200, verbose_name="translator"
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
                "verbose_name": "historical transcript",
                "verbose_name_plural": "historical transcripts",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalSegment",
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
                    "language",
                    models.CharField(
                        max_length=35,
                        validators=[testimonies.languages.validate_language],
                        verbose_name="language",
                    ),
                ),
                ("title", models.CharField(max_length=300, verbose_name="title")),
                ("synopsis", models.TextField(blank=True, verbose_name="synopsis")),
                (
                    "keywords",
                    models.JSONField(blank=True, default=list, verbose_name="keywords"),
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
                "verbose_name": "historical segment",
                "verbose_name_plural": "historical segments",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Transcript",
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
                    "language",
                    models.CharField(
                        max_length=35,
                        validators=[testimonies.languages.validate_language],
                        verbose_name="language",
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("original", "original"),
                            ("human", "human translation"),
                            ("machine", "machine translation"),
                        ],
                        default="original",
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                (
                    "translator",
                    models.CharField(
                        blank=True, max_length=200, verbose_name="translator"
                    ),
                ),
                (
                    "recording",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="transcripts",
                        to="testimonies.recording",
                        verbose_name="recording",
                    ),
                ),
            ],
            options={
                "verbose_name": "transcript",
                "verbose_name_plural": "transcripts",
                "ordering": ["recording", "kind", "language"],
            },
        ),
        migrations.CreateModel(
            name="Cue",
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
                    "speaker",
                    models.CharField(
                        blank=True, max_length=200, verbose_name="speaker"
                    ),
                ),
                ("text", models.TextField(verbose_name="text")),
                (
                    "transcript",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="cues",
                        to="testimonies.transcript",
                        verbose_name="transcript",
                    ),
                ),
            ],
            options={
                "verbose_name": "cue",
                "verbose_name_plural": "cues",
                "ordering": ["transcript", "start_ms", "end_ms", "pk"],
            },
        ),
        migrations.CreateModel(
            name="Segment",
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
                    "language",
                    models.CharField(
                        max_length=35,
                        validators=[testimonies.languages.validate_language],
                        verbose_name="language",
                    ),
                ),
                ("title", models.CharField(max_length=300, verbose_name="title")),
                ("synopsis", models.TextField(blank=True, verbose_name="synopsis")),
                (
                    "keywords",
                    models.JSONField(blank=True, default=list, verbose_name="keywords"),
                ),
                (
                    "places",
                    models.ManyToManyField(
                        blank=True,
                        related_name="segments",
                        to="testimonies.place",
                        verbose_name="places",
                    ),
                ),
                (
                    "recording",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="segments",
                        to="testimonies.recording",
                        verbose_name="recording",
                    ),
                ),
                (
                    "themes",
                    models.ManyToManyField(
                        blank=True,
                        related_name="segments",
                        to="testimonies.theme",
                        verbose_name="themes",
                    ),
                ),
            ],
            options={
                "verbose_name": "segment",
                "verbose_name_plural": "segments",
                "ordering": ["recording", "start_ms", "pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("end_ms__gt", models.F("start_ms"))),
                        name="segment_ends_after_start",
                    )
                ],
            },
        ),
        migrations.AddConstraint(
            model_name="transcript",
            constraint=models.UniqueConstraint(
                fields=("recording", "language"), name="one_transcript_per_language"
            ),
        ),
        migrations.AddIndex(
            model_name="cue",
            index=models.Index(fields=["transcript", "start_ms"], name="cue_start"),
        ),
        migrations.AddConstraint(
            model_name="cue",
            constraint=models.CheckConstraint(
                condition=models.Q(("end_ms__gt", models.F("start_ms"))),
                name="cue_ends_after_start",
            ),
        ),
        migrations.RunPython(grant_archivist_permissions, migrations.RunPython.noop),
    ]
