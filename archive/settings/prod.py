"""Production: refuses to start without its own secret key and hosts, and sends the
headers of a site served only over HTTPS (``manage.py check --deploy`` is clean).

docs/deployment.md describes every variable read here.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DEVELOPMENT_SECRET_KEY, SECRET_KEY, env_flag, env_list

if SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 32:
    raise ImproperlyConfigured(
        "Set DJANGO_SECRET_KEY to a random value of at least 32 characters; "
        "production refuses the development key."
    )
if not env_list("DJANGO_ALLOWED_HOSTS"):
    raise ImproperlyConfigured("Set DJANGO_ALLOWED_HOSTS to the site's host names.")


def env_int(name, default):
    value = os.environ.get(name, "").strip()
    try:
        return int(value) if value else default
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number.") from None


DEBUG = env_flag("DJANGO_DEBUG", False)

# Cookies only over HTTPS; the session cookie never reaches scripts.
SESSION_COOKIE_SECURE = env_flag("DJANGO_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# HSTS: browsers refuse plain HTTP for this host (and, with the flags, its
# subdomains, and the browsers' preload list) for this many seconds. Start low
# (e.g. 300) on a new host; preload is a promise that is slow to take back.
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_flag("DJANGO_HSTS_PRELOAD", True)

# Behind a reverse proxy that terminates TLS, the proxy tells us the request was
# HTTPS; only trust that header when the proxy is known to set it (and to strip
# any the client sent).
if env_flag("DJANGO_BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Redirect plain HTTP to HTTPS here, unless the proxy in front already does.
SECURE_SSL_REDIRECT = env_flag("DJANGO_SSL_REDIRECT", True)
if not SECURE_SSL_REDIRECT:
    # The operator said the proxy redirects: the check cannot see the proxy.
    SILENCED_SYSTEM_CHECKS = ["security.W008"]

# Mail (password resets, sign-up notices) through an SMTP relay.
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_flag("DJANGO_EMAIL_USE_TLS", False)
