# Two commands: `make run` serves the archive with demo data; `make test` runs the suite.
# `make serve` serves it with production settings and gunicorn (docs/deployment.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1:8000
# Browser tests: Debian's Chromium (never a browser download) and axe-core from npm.
CHROMIUM ?= /usr/bin/chromium
AXE := node_modules/axe-core/axe.min.js
# A Japanese font for Chromium (Debian's), so pages in Japanese are laid out and
# measured with real glyphs, not empty boxes.
JA_FONT := /usr/share/fonts/opentype/ipafont-gothic/ipag.ttf
# The maps' Leaflet, TopoJSON reader and outlines, from npm, served as our own static
# files (docs/maps.md): every target that serves the site needs them.
LEAFLET := node_modules/leaflet/dist/leaflet.js
# Recordings: ffprobe checks and ffmpeg cleans uploads (Debian's ffmpeg package);
# espeak-ng speaks the demo's synthetic recordings (docs/recordings.md).
FFPROBE ?= /usr/bin/ffprobe
ESPEAK ?= /usr/bin/espeak-ng
# Interface languages besides English (docs/translating.md).
LANGUAGES := ja uk ru
I18N_IGNORE := --ignore=.venv --ignore=staticfiles --ignore=node_modules

.PHONY: setup run serve test test-sqlite test-postgres lint translations messages browser-setup media-tools

$(INSTALLED): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(INSTALLED)

setup: $(INSTALLED) $(LEAFLET)

# The .mo files are not in git: compile the catalogues (only those that changed).
translations: setup
	$(BIN)/python manage.py compilemessages $(I18N_IGNORE) -v0

# After adding or changing interface strings: update the .po files, then translate
# what msgfmt reports as untranslated or fuzzy (docs/translating.md).
messages: setup
	$(BIN)/python manage.py makemessages $(addprefix -l ,$(LANGUAGES)) $(I18N_IGNORE) --add-location=file -v0
	@for language in $(LANGUAGES); do \
		printf '%s: ' $$language; \
		msgfmt --statistics -o /dev/null locale/$$language/LC_MESSAGES/django.po; \
	done

run: setup translations media-tools
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo --if-empty
	$(BIN)/python scripts/with_worker.py manage.py runserver $(HOST)

# Production settings on one machine: migrates, collects static files, then gunicorn
# (gunicorn.conf.py). On loopback it runs over plain HTTP with a local secret key;
# scripts/serve.py says what to set for anything else.
serve: setup translations media-tools
	$(BIN)/python scripts/serve.py $(HOST)

lint: setup
	$(BIN)/ruff check .

# The two passes run side by side (each is mostly one busy process), each one's
# output printed whole when it ends. What they need is installed first, one thing
# at a time: apt-get and npm must not run at once.
test: lint translations browser-setup media-tools
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

# The browser tests run here, in the SQLite pass only.
test-sqlite: setup translations browser-setup media-tools
	$(BIN)/pytest

test-postgres: setup translations media-tools
	$(BIN)/python scripts/with_postgres.py $(BIN)/pytest -m "not browser"

browser-setup: $(CHROMIUM) $(JA_FONT) $(AXE)

media-tools: $(FFPROBE) $(ESPEAK)

# Both come from one apt-get run, whichever is missing first.
$(FFPROBE) $(ESPEAK) &:
	@test "$$(id -u)" = 0 || { echo "$@ is missing: install Debian's ffmpeg and espeak-ng packages (apt-get install ffmpeg espeak-ng)." >&2; exit 1; }
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ffmpeg espeak-ng

$(CHROMIUM):
	@test "$$(id -u)" = 0 || { echo "$(CHROMIUM) is missing: install Debian's chromium package (apt-get install chromium)." >&2; exit 1; }
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

$(JA_FONT): | $(CHROMIUM)
	@test "$$(id -u)" = 0 || { echo "$@ is missing: install Debian's fonts-ipafont-gothic package." >&2; exit 1; }
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fonts-ipafont-gothic

# npm stamps installed files with a fixed old date: touch, so make sees them as new.
$(AXE) $(LEAFLET) &: package.json package-lock.json
	@command -v npm >/dev/null || { test "$$(id -u)" = 0 && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm; } || { echo "npm is missing: install Node.js and npm." >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $(AXE) $(LEAFLET)
