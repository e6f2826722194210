"""Personal API tokens (testimonies.accounts.tokens).

Archivists may see every account's tokens and revoke them (view and change;
0002_groups explains why names are written out); nobody makes or edits one in
the admin.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


ARCHIVISTS_GROUP = "Archivists"
ACTIONS = ("change", "view")


def grant_archivist_permissions(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(
        app_label="testimonies", model="apitoken"
    )
    permissions = [
        Permission.objects.get_or_create(
            content_type=content_type,
            codename=f"{action}_apitoken",
            defaults={"name": f"Can {action} API token"},
        )[0]
        for action in ACTIONS
    ]
    archivists, _ = Group.objects.get_or_create(name=ARCHIVISTS_GROUP)
    archivists.permissions.add(*permissions)


class Migration(migrations.Migration):

    dependencies = [
        ('testimonies', '0019_admin_imports'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ApiToken',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text='What the token is for, so that you know which one to revoke.', max_length=100, verbose_name='name')),
                ('lookup', models.CharField(max_length=16, unique=True, verbose_name='beginning')),
                ('key_hash', models.CharField(max_length=64)),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('expires_at', models.DateTimeField(verbose_name='expires')),
                ('last_used_at', models.DateTimeField(blank=True, null=True, verbose_name='last used')),
                ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='revoked')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='api_tokens', to=settings.AUTH_USER_MODEL, verbose_name='user')),
            ],
            options={
                'verbose_name': 'API token',
                'verbose_name_plural': 'API tokens',
                'ordering': ['-created_at'],
                'default_permissions': ('change', 'view'),
            },
        ),
        migrations.RunPython(grant_archivist_permissions, migrations.RunPython.noop),
]
