"""Settings shared by every environment.

Configuration comes from the environment: ``DATABASE_URL``, ``DJANGO_DEBUG``,
``DJANGO_SECRET_KEY``, ``DJANGO_ALLOWED_HOSTS``, ``DJANGO_MEDIA_ROOT``,
``DJANGO_STATIC_ROOT``, ``DJANGO_CSRF_TRUSTED_ORIGINS``, ``DJANGO_BEHIND_PROXY``,
``DJANGO_PROXY_COUNT``, ``DJANGO_DEFAULT_FROM_EMAIL``, ``DJANGO_ADMINS``
(docs/deployment.md lists them all).

The protections every environment shares live here too, so development and the test
suite see what production does: the Content-Security-Policy, login lockout (axes),
change history (simple_history). docs/security.md explains them. So does the
logging (docs/deployment.md, "Logging").
"""

import os
import re
from email.utils import getaddresses
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEVELOPMENT_SECRET_KEY = "development-only-key-never-use-in-production"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", DEVELOPMENT_SECRET_KEY)


def env_flag(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [
        item.strip()
        for item in os.environ.get(name, default).split(",")
        if item.strip()
    ]


def env_addresses(name):
    """Django's ``(name, address)`` pairs from a list written as in a mail header:
    ``Name <a@example.org>, Other <b@example.org>`` or plain addresses."""
    value = os.environ.get(name, "")
    pairs = []
    # getaddresses reads commas inside quoted names ("Doe, Jane" <j@…>) as part of
    # the name, which a plain split on commas would not.
    for display, address in getaddresses([value]):
        if not display and not address:
            continue
        if address.count("@") != 1 or not all(address.split("@")):
            raise ImproperlyConfigured(
                f"{name}: {address or display!r} is not an email address; write "
                '"Name <name@example.org>, other@example.org".'
            )
        pairs.append((display or address, address))
    return pairs


DEBUG = env_flag("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "taggit",
    "simple_history",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "testimonies",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Authorization: Bearer <personal API token>, for the API and downloads.
    "testimonies.accounts.middleware.BearerTokenMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Lets history records made during a request name the user who made them
    # (inline formsets, signals), not only the admin's save_model().
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "archive.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "testimonies.accounts.context_processors.account",
            ],
        },
    },
]

WSGI_APPLICATION = "archive.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "0")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# SQLite, the embedded default, for many readers and several writers at once
# (docs/deployment.md, "Concurrent writers"): in WAL mode readers never wait for a
# writer; every transaction takes the write lock when it begins (IMMEDIATE), so two
# writers queue for it instead of one failing half-way when it upgrades a read; and a
# writer waits up to DJANGO_SQLITE_TIMEOUT seconds for the lock before giving up,
# which the site answers with a "busy, try again" page (testimonies.busy), never a
# 500. The other PRAGMAs size SQLite for a large archive that search reads over and
# over: memory-mapped reads, a 64 MiB page cache, temporary B-trees in memory.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": float(os.environ.get("DJANGO_SQLITE_TIMEOUT", "30")),
            "init_command": ";".join(
                [
                    "PRAGMA journal_mode = WAL",
                    # FULL (not NORMAL): a committed import survives a power cut.
                    "PRAGMA synchronous = FULL",
                    "PRAGMA mmap_size = 1073741824",
                    "PRAGMA cache_size = -65536",
                    "PRAGMA temp_store = MEMORY",
                ]
            ),
        }
    )

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("ja", _("Japanese")),
    ("uk", _("Ukrainian")),
    ("ru", _("Russian")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The archive's calendar: embargoes ("sealed until") end at midnight here.
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# The maps' Leaflet, TopoJSON reader and Natural Earth outline, installed by npm
# (make setup) and served as our own static files, never from a CDN: these files
# of these packages only (archive.vendored, docs/maps.md).
VENDORED_STATIC = {
    "vendor/leaflet": (
        BASE_DIR / "node_modules" / "leaflet" / "dist",
        ["leaflet.js", "leaflet.js.map", "leaflet.css", "images/*.png"],
    ),
    "vendor/topojson": (
        BASE_DIR / "node_modules" / "topojson-client" / "dist",
        ["topojson-client.min.js"],
    ),
    "vendor/world-atlas": (
        BASE_DIR / "node_modules" / "world-atlas",
        ["countries-50m.json", "LICENSE"],
    ),
}
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "archive.vendored.VendoredFinder",
]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}

# Requests larger than this are refused before they reach a view (uploads excepted,
# which stream to disk and are limited by TESTIMONY_MAX_UPLOAD_BYTES).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# Taggit: themes and places are comma-separated; the Japanese comma works too and
# spaces never split a name ("Closed evacuation routes" is one theme).
TAGGIT_TAGS_FROM_STRING = "testimonies.tagging.parse_tag_string"
TAGGIT_STRING_FROM_TAGS = "testimonies.tagging.format_tag_string"

# PostgreSQL: how long an import waits for another import to finish before it
# gives up, having written nothing (SQLite's imports wait DJANGO_SQLITE_TIMEOUT).
TESTIMONY_IMPORT_LOCK_TIMEOUT = float(
    os.environ.get("DJANGO_IMPORT_LOCK_TIMEOUT", "30")
)

# The most records one download of a result set holds (docs/api.md "Downloads").
TESTIMONY_DOWNLOAD_LIMIT = 10_000
# The largest import file the admin accepts (the command line has no limit).
# A ZIP bundle (docs/import-format.md) may unpack to at most so many bytes and
# hold at most so many files.
TESTIMONY_MAX_BUNDLE_BYTES = 8 * 1024**3
TESTIMONY_MAX_BUNDLE_FILES = 20_000
TESTIMONY_MAX_IMPORT_BYTES = 512 * 1024 * 1024
# Limits for attached photos and documents.
TESTIMONY_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
TESTIMONY_MAX_IMAGE_PIXELS = 50_000_000
TESTIMONY_THUMBNAIL_SIZE = (480, 480)
# Limits for recordings, and the tools that check and clean them (docs/recordings.md).
TESTIMONY_MAX_RECORDING_BYTES = 4 * 1024**3
TESTIMONY_MAX_RECORDING_SECONDS = 8 * 60 * 60
TESTIMONY_MAX_TRANSCRIPT_BYTES = 10 * 1024 * 1024
TESTIMONY_FFPROBE = os.environ.get("DJANGO_FFPROBE", "ffprobe")
TESTIMONY_FFMPEG = os.environ.get("DJANGO_FFMPEG", "ffmpeg")
# Seconds one run of either may take before the file is refused.
TESTIMONY_FFMPEG_TIMEOUT = 600
# Seconds one re-encoding may take (a public copy with redacted ranges silenced,
# made in the background): an hour of video takes minutes.
TESTIMONY_TRANSCODE_TIMEOUT = 4 * 60 * 60
# Work that must not hold a web request (testimonies.public_copy) is queued in the
# database and run by the worker, `manage.py db_worker`, which make run and make
# serve start beside the web server (docs/operations.md).
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "DJANGO_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}
# Who sends the bytes of a photo or document once testimonies.views.media allowed
# it: "" (Django), "x-accel-redirect" (nginx) or "x-sendfile" (Apache), with the
# internal location or folder as prefix (docs/deployment.md).
TESTIMONY_MEDIA_ACCEL = os.environ.get("DJANGO_MEDIA_ACCEL", "")
TESTIMONY_MEDIA_ACCEL_PREFIX = os.environ.get("DJANGO_MEDIA_ACCEL_PREFIX", "")

# An empty search answer is held until this long after the search began, so that a
# word only hidden testimonies contain answers no slower than a word nobody wrote
# (docs/security.md, "Search timing").
TESTIMONY_SEARCH_EMPTY_ANSWER_SECONDS = 0.02

# OAI-PMH for harvesters (docs/oai-pmh.md): records (or sets) per answer, how long a
# resumption token works, the repository's identifier (a domain name, part of every
# record's oai: identifier, so never changed once harvested) and whom harvesters
# write to. The last two are placeholders: set them in production.
TESTIMONY_OAI_PAGE_SIZE = 100
TESTIMONY_OAI_TOKEN_SECONDS = 24 * 60 * 60
TESTIMONY_OAI_REPOSITORY_IDENTIFIER = os.environ.get(
    "DJANGO_OAI_REPOSITORY_IDENTIFIER", "testimony-archive.example"
)
TESTIMONY_OAI_ADMIN_EMAILS = env_list(
    "DJANGO_OAI_ADMIN_EMAILS", "archive@testimony-archive.example"
)

# Accounts: the site's own sign-in for researchers (the admin keeps its own page).
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "testimonies:home"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out username or address is refused before any password
    # is checked: failures per address whatever the username, then per username
    # and address (axes).
    "testimonies.accounts.backends.AddressLockoutBackend",
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
DEFAULT_FROM_EMAIL = os.environ.get(
    "DJANGO_DEFAULT_FROM_EMAIL", "Testimony Archive <archive@localhost>"
)
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # a day: reset links are keys to accounts

# Who is mailed each server error (with its traceback and the request) when DEBUG is
# off: people trusted with the archive's data, as the request may quote it.
ADMINS = env_addresses("DJANGO_ADMINS")
# Who else hears of a new researcher application or takedown request, besides the
# active staff who may act on them (testimonies/notifications.py): a shared inbox.
TESTIMONY_NOTIFY_EMAILS = [
    address for _name, address in env_addresses("DJANGO_NOTIFY_EMAILS")
]
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Logging, the same in every environment so that development and the test suite log
# what production does: Django's warnings and errors (every 500 and 503 with its
# traceback) go to standard error, which is gunicorn's error log under `make serve`
# and the console under runserver, whatever DEBUG says (Django's default prints
# them only with DEBUG on); with DEBUG off each server error is also mailed to
# ADMINS. Not propagated: gunicorn's root logger would print them a second time.
LOGGING = {
    "version": 1,
    # Keeps gunicorn's loggers and Django's django.server (runserver) working.
    "disable_existing_loggers": False,
    "filters": {
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        "not_busy": {"()": "testimonies.busy.NotBusy"},
    },
    "formatters": {
        "plain": {
            "format": "%(asctime)s [%(process)d] [%(levelname)s] %(name)s: %(message)s",
        },
    },
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "plain"},
        "mail_admins": {
            "level": "ERROR",
            "filters": ["require_debug_false", "not_busy"],
            "class": "django.utils.log.AdminEmailHandler",
        },
    },
    "loggers": {
        "django": {
            "handlers": ["stderr", "mail_admins"],
            "level": "INFO",
            "propagate": False,
        },
    },
}

# The number of reverse proxies in front of the application that append to
# X-Forwarded-For. Zero: REMOTE_ADDR is the client (see testimonies.accounts.network).
TRUSTED_PROXY_COUNT = (
    int(os.environ.get("DJANGO_PROXY_COUNT", "1"))
    if env_flag("DJANGO_BEHIND_PROXY")
    else 0
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# Sign-up, password-reset and takedown requests allowed per client address and window
# (seconds); wrong old passwords per account; failed sign-ins per address whatever
# the username (password spraying; axes counts per username and address). Counted
# in the database, which every worker and machine shares (testimonies.accounts.
# throttle).
ACCOUNT_RATE_LIMITS = {
    "signup": (10, 60 * 60),
    "password_reset": (5, 60 * 60),
    "takedown": (5, 60 * 60),
    "password_change": (5, 60 * 60),
    "login_address": (30, 60 * 60),
    # Result-set downloads (docs/api.md), per account, or per address if anonymous.
    "download": (60, 60 * 60),
    # Requests with one personal API token, and wrong tokens per address.
    "api_token": (2000, 60 * 60),
    "token_failure": (30, 60 * 60),
}

# Login protection (django-axes): five failures for one username from one address
# lock that pair out for an hour. `manage.py axes_reset` lifts every lockout.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "testimonies.views.accounts.locked_out"
AXES_CLIENT_IP_CALLABLE = "testimonies.accounts.network.client_ip"

# Change history (django-simple-history): archivists may revert to a version.
SIMPLE_HISTORY_REVERT_DISABLED = False

# Browser protections. Django's defaults already send nosniff, same-origin referrer
# and DENY framing; they are written out so a reader sees the whole policy.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# No script of ours reads the CSRF cookie: forms carry the token.
CSRF_COOKIE_HTTPONLY = True

# Maps of places (docs/maps.md): a tile server's URL template, with {z}, {x}, {y}
# (and {s}), and the attribution its licence asks for, shown on every map; HTML
# from the operator, e.g. '&copy; <a href="https://www.openstreetmap.org/copyright">
# OpenStreetMap</a> contributors'. Without a tile server the points sit on a plain
# outline of the countries served with the site: nothing is fetched from elsewhere.
TESTIMONY_MAP_TILES = os.environ.get("DJANGO_MAP_TILES", "").strip()
TESTIMONY_MAP_ATTRIBUTION = os.environ.get("DJANGO_MAP_ATTRIBUTION", "").strip()
if TESTIMONY_MAP_TILES and not TESTIMONY_MAP_ATTRIBUTION:
    # Every public tile server's licence asks for it (OpenStreetMap's among them).
    raise ImproperlyConfigured(
        "DJANGO_MAP_TILES is set without DJANGO_MAP_ATTRIBUTION: give the credit "
        "the tile server's licence asks for (docs/maps.md)."
    )


def tile_source(template):
    """The Content-Security-Policy source of a tile server's URL template
    ("https://{s}.tile.example.org/{z}/{x}/{y}.png" → "https://*.tile.example.org"),
    or None without one. Refuses what a browser could not load or a policy not name:
    a policy naming too much would no longer be strict."""
    if not template:
        return None
    match = re.fullmatch(
        r"(https?)://((?:\{s\}\.)?[a-z0-9.-]+(?::\d+)?)/\S*", template, re.IGNORECASE
    )
    if not match or not all(part in template for part in ("{z}", "{x}", "{y}")):
        raise ImproperlyConfigured(
            f"DJANGO_MAP_TILES: {template!r} is not a tile URL template; write "
            '"https://tile.example.org/{z}/{x}/{y}.png" (docs/maps.md).'
        )
    scheme, host = match.groups()
    return f"{scheme.lower()}://{host.lower().replace('{s}', '*')}"


# Content-Security-Policy (django-csp): everything from our own origin, nothing
# inline. Templates must not carry <script> or <style> blocks, style="" or on…=
# attributes (tests/test_security.py scans the pages). Images may come from the
# map's tile server too, when one is set, and from nowhere else.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": [
            "'self'",
            "data:",
            *filter(None, [tile_source(TESTIMONY_MAP_TILES)]),
        ],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}
