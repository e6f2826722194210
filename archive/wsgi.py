"""WSGI entry point: production settings unless DJANGO_SETTINGS_MODULE says else."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings.prod")

application = get_wsgi_application()
