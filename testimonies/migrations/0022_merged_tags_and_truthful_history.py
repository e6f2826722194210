"""Merged tags keep their addresses and names; a testimony's versions keep its
tags' names; publication times are stored to the second.

Archivists hold every permission on the app's models, the old addresses of
merged themes and places too (0002_groups explains why names are written out),
though these have no admin pages of their own: the kept tag's page lists them.
Publication times lose their microseconds, as the admin's form already drops them on the next
save: that save would otherwise record a change nobody made.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models.functions import Trunc

ARCHIVISTS_GROUP = "Archivists"
NEW_MODELS = {"mergedtheme": "merged theme", "mergedplace": "merged place"}
ACTIONS = ("add", "change", "delete", "view")


def grant_archivist_permissions(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    permissions = []
    for model, verbose_name in NEW_MODELS.items():
        content_type, _ = ContentType.objects.get_or_create(
            app_label="testimonies", model=model
        )
        for action in ACTIONS:
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type,
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {verbose_name}"},
            )
            permissions.append(permission)
    archivists, _ = Group.objects.get_or_create(name=ARCHIVISTS_GROUP)
    archivists.permissions.add(*permissions)


def publication_to_the_second(apps, schema_editor):
    for name in ("Testimony", "HistoricalTestimony"):
        model = apps.get_model("testimonies", name)
        model._base_manager.filter(published_at__isnull=False).update(
            published_at=Trunc("published_at", "second")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("testimonies", "0021_import_mapping"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalplace",
            name="alternative_names",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Other spellings it is found by: the names of the tags merged into it.",
                verbose_name="alternative names",
            ),
        ),
        migrations.AddField(
            model_name="historicaltestimony",
            name="place_names",
            field=models.JSONField(blank=True, null=True, verbose_name="places"),
        ),
        migrations.AddField(
            model_name="historicaltestimony",
            name="theme_names",
            field=models.JSONField(blank=True, null=True, verbose_name="themes"),
        ),
        migrations.AddField(
            model_name="historicaltheme",
            name="alternative_names",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Other spellings it is found by: the names of the tags merged into it.",
                verbose_name="alternative names",
            ),
        ),
        migrations.AddField(
            model_name="place",
            name="alternative_names",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Other spellings it is found by: the names of the tags merged into it.",
                verbose_name="alternative names",
            ),
        ),
        migrations.AddField(
            model_name="theme",
            name="alternative_names",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Other spellings it is found by: the names of the tags merged into it.",
                verbose_name="alternative names",
            ),
        ),
        migrations.CreateModel(
            name="MergedPlace",
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
                    "slug",
                    models.SlugField(
                        allow_unicode=True,
                        max_length=100,
                        unique=True,
                        verbose_name="former slug",
                    ),
                ),
                ("name", models.CharField(max_length=100, verbose_name="former name")),
                (
                    "merged_at",
                    models.DateTimeField(auto_now_add=True, verbose_name="merged"),
                ),
                (
                    "kept",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="merged",
                        to="testimonies.place",
                        verbose_name="merged into",
                    ),
                ),
            ],
            options={
                "verbose_name": "merged place",
                "verbose_name_plural": "merged places",
                "ordering": ["slug"],
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="MergedTheme",
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
                    "slug",
                    models.SlugField(
                        allow_unicode=True,
                        max_length=100,
                        unique=True,
                        verbose_name="former slug",
                    ),
                ),
                ("name", models.CharField(max_length=100, verbose_name="former name")),
                (
                    "merged_at",
                    models.DateTimeField(auto_now_add=True, verbose_name="merged"),
                ),
                (
                    "kept",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="merged",
                        to="testimonies.theme",
                        verbose_name="merged into",
                    ),
                ),
            ],
            options={
                "verbose_name": "merged theme",
                "verbose_name_plural": "merged themes",
                "ordering": ["slug"],
                "abstract": False,
            },
        ),
        migrations.RunPython(grant_archivist_permissions, migrations.RunPython.noop),
        migrations.RunPython(publication_to_the_second, migrations.RunPython.noop),
    ]
