"""The test suite: fast hashing, media in a temporary folder, plain static storage."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Mail inline, so a test reads mail.outbox as soon as the response is back
# (tests/test_accounts.py checks the after-the-response path on its own).
TESTIMONY_MAIL_AFTER_RESPONSE = False
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="testimony-archive-media-"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Empty search answers wait for nobody here (tests/test_leaks.py checks the floor).
TESTIMONY_SEARCH_EMPTY_ANSWER_SECONDS = 0
# Queued work runs at once, in the test's own process (tests/test_public_copy.py
# runs the database backend and its worker on their own).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
