"""Import testimonies from JSON Lines, the archive's interchange format, or from
a spreadsheet (CSV, XLSX) in the layout of :mod:`testimonies.tabular`.

docs/import-format.md is the contract. An import runs in three steps:

1. **read and clean** every line (:mod:`.reading`, :mod:`.records`): JSON, types and
   each value through its model field, no queries;
2. **plan** against the database in a few queries per kind of object: match
   identifiers, tags, narrators and sources, run the models' ``clean()`` rules;
3. **write** in bulk inside one transaction, then ``record_changes`` (versions and
   the search index).

Any problem in steps 1–2 raises :class:`ImportFailed` listing them all, and
nothing is written. A dry run stops after step 2.

Steps 2 and 3 of a real import run in one transaction that holds the import lock
(:func:`.locking.import_lock`), so two imports at once run one after the other and
the second plans against what the first wrote; one that cannot get the lock in time
raises :class:`ImportBusy`, having written nothing.
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, OperationalError, transaction
from django.utils.translation import gettext as _

from ..busy import is_busy
from ..history import import_reason, record_changes
from ..models import Place, PlacedItem, Theme, ThemedItem
from .attachments import KINDS, replace_attachments
from .fields import Cleaner
from .files import opened, read_records
from .locking import import_lock
from .preview import suggestions, updates
from .problems import ImportBusy, ImportConflict, ImportFailed, Problem
from .provenance import Narrators, Sources
from .recordings import Media, check_access, replace_recordings
from .records import Entry, clean_entry
from .tags import Vocabulary
from .writing import Testimonies

__all__ = [
    "ImportBusy",
    "ImportConflict",
    "ImportFailed",
    "ImportResult",
    "Problem",
    "import_testimonies",
]


@dataclass
class ImportResult:
    created: int
    updated: int
    themes_created: int
    places_created: int
    narrators_created: int
    sources_created: int
    dry_run: bool
    # Names of the themes and places it creates (would create, on a dry run), and
    # the names it found by a name in another language: (as written, the tag's).
    new_themes: list = field(default_factory=list)
    new_places: list = field(default_factory=list)
    matched: list = field(default_factory=list)
    # A dry run's preview (.preview): stored tags each new theme or place looks
    # like, and the changed fields of the first updated testimonies.
    suggestions: dict = field(default_factory=dict)
    updates: list = field(default_factory=list)


def import_testimonies(
    stream, *, dry_run=False, progress=None, folder=None, name="", mapping=None
):
    """Import the JSON Lines, CSV or XLSX file of the binary ``stream``, or a
    ZIP bundle of one with the media it names (told apart by content; ``name``
    decides only for an empty file) and return an ImportResult.

    Raises :class:`ImportFailed` (having written nothing) when any line has a
    problem, or one of its kinds when the database could not take the import now.
    ``progress``, when given, is called with a short message now and then on
    large files. ``folder`` is where the files that recordings, photos and
    documents name are read (the file's own folder, or the bundle's); without
    it a line naming a file is refused. ``mapping`` (``{"themes": {name: pk}, "places":
    …}``) makes a name the file would create a new tag for mean that stored tag
    instead, as the archivist chose from the preview's suggestions.
    """
    with opened(stream, folder, name) as (stream, folder, name):
        return _import(stream, dry_run, progress, folder, name, mapping or {})


def _import(stream, dry_run, progress, folder, name, mapping):
    batch = Batch(Media(folder), mapping)
    committed = False
    try:
        records = read_records(stream, batch.problems, progress, name)
        for line, value, escapes in records:
            batch.add(line, value, Cleaner(line, batch.problems, escapes=escapes))
        if dry_run or batch.problems:
            batch.plan()
            if batch.problems:
                raise ImportFailed(batch.problems)
            return batch.result(dry_run)
        try:
            with transaction.atomic(), import_lock():
                batch.plan()
                if batch.problems:
                    raise ImportFailed(batch.problems)
                batch.write(progress, name)
            committed = True
        except OperationalError as error:
            if is_busy(error):
                raise ImportBusy() from error
            raise
        except IntegrityError as error:
            # Only a writer outside imports (an archivist saving the same new
            # theme in the admin at that moment) can get here: imports queue for
            # the lock.
            raise ImportConflict() from error
        return batch.result(dry_run)
    finally:
        batch.media.finish(committed)


class Batch:
    """Everything one file asks for, gathered line by line."""

    def __init__(self, media, mapping=None):
        mapping = mapping or {}
        self.media = media
        self.problems = []
        self.entries = []
        self.lines = {}  # identifier, lower case → line that gave it first
        self.themes = Vocabulary(Theme, mapping.get("themes"))
        self.places = Vocabulary(Place, mapping.get("places"))
        self.narrators = Narrators()
        self.sources = Sources()

    def add(self, line, value, cleaner):
        identifier = value.get("identifier") if isinstance(value, dict) else None
        if isinstance(identifier, str):
            key = identifier.lower()  # identifiers are unique ignoring case
            if key in self.lines:
                message = _("“%(identifier)s” already appears on line %(line)s") % {
                    "identifier": identifier,
                    "line": self.lines[key],
                }
                cleaner.error("identifier", message)
            self.lines.setdefault(key, line)
        entry = clean_entry(value, cleaner, self.media)
        if entry is None or not cleaner.ok:
            return
        self._gather(entry)
        self.entries.append(entry)

    def _gather(self, entry: Entry):
        for mention in entry.mentions:
            (self.themes if mention.model is Theme else self.places).add(mention)
        entry.mentions = None  # merged into the vocabularies; 100k lines add up
        if entry.narrator:
            entry.narrator = self.narrators.add(entry.narrator)
        if entry.source:
            entry.source = self.sources.add(entry.source, entry.line, "source")

    def plan(self):
        self.themes.plan(self.problems)
        self.places.plan(self.problems)
        self.narrators.plan(self.problems)
        self.sources.plan(self.problems)
        self.testimonies = Testimonies(self.entries)
        self.testimonies.plan(self.problems)
        check_access(self.entries, self.testimonies.testimonies, self.problems)

    def write(self, progress=None, file_name=""):
        self.themes.write()
        self.places.write()
        self.narrators.write(self.places)
        self.sources.write()
        testimonies = self.testimonies
        testimonies.write(self.narrators, self.sources, progress)
        testimonies.replace_tags(ThemedItem, self.themes, "themes")
        testimonies.replace_tags(PlacedItem, self.places, "places")
        testimonies.replace_translations()
        for kind in KINDS:
            replace_attachments(kind, testimonies.listing(kind.key), self.media)
        replace_recordings(
            testimonies.listing("recordings"), self.media, self.themes, self.places
        )
        record_changes(
            created=[testimony.pk for testimony in testimonies.created],
            changed=[testimony.pk for testimony in testimonies.testimonies],
            reindexed=testimonies.affected_ids(
                self.themes, self.places, self.narrators
            ),
            reason=import_reason(file_name),
        )

    def result(self, dry_run):
        created = len(self.testimonies.created)
        preview = {}
        if dry_run:
            preview = {
                "suggestions": {
                    "themes": suggestions(self.themes),
                    "places": suggestions(self.places),
                },
                "updates": updates(self),
            }
        return ImportResult(
            created=created,
            updated=len(self.entries) - created,
            themes_created=len(self.themes.created),
            places_created=len(self.places.created),
            narrators_created=len(self.narrators.created),
            sources_created=len(self.sources.created),
            dry_run=dry_run,
            new_themes=[tag.name for tag in self.themes.created],
            new_places=[tag.name for tag in self.places.created],
            matched=[*self.themes.matched, *self.places.matched],
            **preview,
        )
