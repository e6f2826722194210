"""Small builders for test data. Every name here is fictional."""

import itertools

from django.contrib.auth.models import Group, User

from testimonies.access import ARCHIVISTS_GROUP, RESEARCHERS_GROUP
from testimonies.models import Narrator, Testimony

_numbers = itertools.count(1)


def make_testimony(**fields):
    """A testimony, published and public unless told otherwise."""
    number = next(_numbers)
    themes = fields.pop("themes", [])
    places = fields.pop("places", [])
    fields.setdefault("identifier", f"TEST-{number:05d}")
    fields.setdefault("title", f"Test testimony {number}")
    fields.setdefault("language", "en")
    fields.setdefault("status", Testimony.Status.PUBLISHED)
    fields.setdefault("access", Testimony.Access.PUBLIC)
    testimony = Testimony.objects.create(**fields)
    if themes:
        testimony.themes.add(*themes)
    if places:
        testimony.places.add(*places)
    return testimony


def make_narrator(**fields):
    fields.setdefault("alias", f"Narrator {next(_numbers)}")
    return Narrator.objects.create(**fields)


def make_user(username, *, group=None, **fields):
    user = User.objects.create_user(
        username, password="correct horse battery", **fields
    )
    if group:
        user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


def make_researcher(username="researcher"):
    return make_user(username, group=RESEARCHERS_GROUP)


def make_archivist(username="archivist"):
    return make_user(username, group=ARCHIVISTS_GROUP, is_staff=True)


def make_theme(name, **fields):
    """A theme (pages tests: description, parent, names in other languages)."""
    from testimonies.models import Theme

    return Theme.objects.create(name=name, **fields)


def make_place(name, **fields):
    """A place; ``parent``, ``kind``, ``names``, ``latitude``/``longitude`` optional."""
    from testimonies.models import Place

    return Place.objects.create(name=name, **fields)
