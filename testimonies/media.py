"""Validation and processing of uploaded photos and documents (stub: being built)."""

import uuid
from pathlib import PurePath


def _random_name(folder, filename, suffix=None):
    suffix = suffix or PurePath(filename).suffix.lower()
    return f"{folder}/{uuid.uuid4().hex}{suffix}"


def photo_path(instance, filename):
    return _random_name("photos", filename)


def thumbnail_path(instance, filename):
    return _random_name("thumbnails", filename)


def document_path(instance, filename):
    return _random_name("documents", filename)


def validate_image_upload(file):
    pass


def validate_document_upload(file):
    pass


def prepare_photo(photo):
    pass


def prepare_document(document):
    pass
