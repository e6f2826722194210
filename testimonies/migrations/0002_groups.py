"""The Archivists and Researchers groups.

Permissions are normally created after ``migrate`` finishes (``post_migrate``), so on a
fresh database they do not exist yet: this migration creates the content types and
permissions it needs with ``get_or_create``; Django's own pass later finds them and
adds nothing. Names are written out here because migrations must not import app code
(they mirror ``testimonies.access.ARCHIVISTS_GROUP`` / ``RESEARCHERS_GROUP``).
"""

from django.db import migrations

ARCHIVISTS_GROUP = "Archivists"
RESEARCHERS_GROUP = "Researchers"

# Every model of the app, with the verbose name Django puts in permission names.
TESTIMONIES_MODELS = {
    "testimony": "testimony",
    "translation": "translation",
    "narrator": "narrator",
    "source": "source",
    "theme": "theme",
    "place": "place",
    "themeditem": "theme of a testimony",
    "placeditem": "place of a testimony",
    "photo": "photo",
    "document": "document",
}
ACTIONS = ("add", "change", "delete", "view")

# Archivists may look users up (to see who is who) but not change them: the user
# form can grant superuser status, so changing accounts stays with administrators.
EXTRA_ARCHIVIST_PERMISSIONS = [
    (
        "testimonies",
        "narrator",
        "view_narrator_private",
        "Can see narrators' real names and contacts",
    ),
    ("auth", "user", "view_user", "Can view user"),
]


def archivist_permissions():
    for model, verbose_name in TESTIMONIES_MODELS.items():
        for action in ACTIONS:
            yield (
                "testimonies",
                model,
                f"{action}_{model}",
                f"Can {action} {verbose_name}",
            )
    yield from EXTRA_ARCHIVIST_PERMISSIONS


def create_groups(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")

    permissions = []
    for app_label, model, codename, name in archivist_permissions():
        content_type, _ = ContentType.objects.get_or_create(
            app_label=app_label, model=model
        )
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
        permissions.append(permission)

    archivists, _ = Group.objects.get_or_create(name=ARCHIVISTS_GROUP)
    archivists.permissions.add(*permissions)
    # Researchers read researcher-only testimonies on the public site; they are not
    # staff and get no admin permissions at all.
    Group.objects.get_or_create(name=RESEARCHERS_GROUP)


def remove_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=[ARCHIVISTS_GROUP, RESEARCHERS_GROUP]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("testimonies", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
