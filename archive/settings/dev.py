"""Local development: debug on unless DJANGO_DEBUG says otherwise."""

from .base import *  # noqa: F403
from .base import env_flag

DEBUG = env_flag("DJANGO_DEBUG", True)

# Password-reset and sign-up emails are printed in the runserver console.
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
