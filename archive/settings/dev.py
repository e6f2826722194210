"""Local development: debug on unless DJANGO_DEBUG says otherwise."""

from .base import *  # noqa: F403
from .base import env_flag

DEBUG = env_flag("DJANGO_DEBUG", True)
