"""The archivists' admin, one module per area.

Importing the modules registers their ``ModelAdmin`` classes with the default site.
"""

from django.apps import apps
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from . import (  # noqa: F401 (registration)
    fixity,
    imports,
    narrators,
    recordings,
    researchers,
    sources,
    tags,
    takedown,
    testimonies,
    tokens,
)

admin.site.site_header = _("Testimony Archive")
admin.site.site_title = _("Testimony Archive")
admin.site.index_title = _("Curation")

# The lockout records are named after the library that keeps them ("Axes"); say
# what they are for. Their pages explain them (templates/admin/axes/).
apps.get_app_config("axes").verbose_name = _("Sign-in protection")

# Taggit's default Tag is not used (themes and places have their own models); its
# admin page would only invite archivists to tag into the void.
if admin.site.is_registered(Tag):
    admin.site.unregister(Tag)
