"""Static files from npm packages, served as our own (docs/maps.md).

``settings.VENDORED_STATIC`` names, per URL prefix, a package folder under
``node_modules`` and the files of it the site uses: only those are found and
collected. Pointing ``STATICFILES_DIRS`` at the folders would collect every file
they hold (world-atlas alone ships 8 MB of outlines we never load), and compressing
them would take minutes of each ``make serve``.
"""

from fnmatch import fnmatch
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Warning
from django.core.files.storage import FileSystemStorage


class VendoredFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        self.sources = []
        for prefix, (root, patterns) in settings.VENDORED_STATIC.items():
            storage = FileSystemStorage(location=root)
            storage.prefix = prefix  # collectstatic copies under the prefix
            self.sources.append((prefix, storage, tuple(patterns)))

    def check(self, **kwargs):
        return [
            Warning(
                f"{storage.location} is missing: the maps cannot be drawn.",
                hint="Run `make setup` (npm ci).",
                id="archive.W001",
            )
            for _prefix, storage, _patterns in self.sources
            if not Path(storage.location).is_dir()
        ]

    def find(self, path, find_all=False, **kwargs):
        found = []
        for prefix, storage, patterns in self.sources:
            if not path.startswith(prefix + "/"):
                continue
            name = path[len(prefix) + 1 :]
            if any(fnmatch(name, pattern) for pattern in patterns) and (
                Path(storage.location, name).is_file()
            ):
                if not find_all:
                    return storage.path(name)
                found.append(storage.path(name))
        return found

    def list(self, ignore_patterns):
        for _prefix, storage, patterns in self.sources:
            root = Path(storage.location)
            names = {
                path.relative_to(root).as_posix()
                for pattern in patterns
                for path in root.glob(pattern)
                if path.is_file()
            }
            for name in sorted(names):
                yield name, storage
