from django.db import migrations


class Migration(migrations.Migration):
    """Placeholder: the Archivists and Researchers groups are being added here."""

    dependencies = [("testimonies", "0001_initial")]

    operations = []
