"""Testimonies, their tag links and translations: planned against the database in a
few queries, then written in bulk. Nothing here runs a query per line."""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import PlacedItem, Testimony, ThemedItem, Translation
from .bulk import BATCH, batches, in_chunks, insert_rows, update_rows
from .problems import ABSENT, Problem
from .records import FIELD_KEYS

#: See :mod:`.preview`, which reads ``Testimonies.before``.
DIFF_LIMIT = 200
LONG_TEXTS = ("summary", "body")


class Testimonies:
    """The testimonies of an import, in file order, matched by identifier."""

    def __init__(self, entries):
        self.entries = entries
        self.testimonies = []  # parallel to entries
        self.changes = []  # parallel: fields an update writes
        self.created = []
        self.stored_pks = set()
        # index → stored values of the fields a line sets, for the preview of
        # the first updates (preview.DIFF_LIMIT), read before they are replaced
        self.before = {}

    def plan(self, problems):
        # Bodies can be long and an update of a stored testimony never reads them.
        # Identifiers are unique ignoring case (the constraint's index serves this).
        stored_rows = Testimony.objects.defer("summary", "body").annotate(
            identifier_key=Lower("identifier")
        )
        keys = [entry.identifier.lower() for entry in self.entries]
        stored = {
            t.identifier_key: t for t in in_chunks(stored_rows, "identifier_key", keys)
        }
        self.stored_pks = {testimony.pk for testimony in stored.values()}
        self.now = timezone.now()
        for index, entry in enumerate(self.entries):
            testimony = stored.get(entry.identifier.lower())
            if testimony is not None and testimony.identifier != entry.identifier:
                message = _(
                    "“%(identifier)s” differs only in case from the stored "
                    "testimony “%(stored)s”: write it as stored"
                ) % {"identifier": entry.identifier, "stored": testimony.identifier}
                problems.append(Problem(entry.line, "identifier", message))
                self.testimonies.append(testimony)  # kept parallel to entries
                self.changes.append(set())
                continue
            if testimony is None:
                testimony = Testimony()
                self.created.append(testimony)
            elif len(self.before) < DIFF_LIMIT:
                read = {*entry.values, "recorded_on", "recorded_precision"}
                self.before[index] = {
                    name: getattr(testimony, name)
                    for name in read
                    if name not in LONG_TEXTS
                }
            for name, value in entry.values.items():
                setattr(testimony, name, value)
            changes = set(entry.values) | testimony.prepare_for_save(self.now)
            try:
                testimony.clean()
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    field = "" if name == "__all__" else FIELD_KEYS.get(name, name)
                    problems.extend(Problem(entry.line, field, m) for m in messages)
            self.testimonies.append(testimony)
            self.changes.append(changes)

    @property
    def pairs(self):
        return zip(self.entries, self.testimonies, strict=True)

    def write(self, narrators, sources, progress):
        for (entry, testimony), changes in zip(self.pairs, self.changes, strict=True):
            if entry.narrator is not ABSENT:
                narrator = entry.narrator
                testimony.narrator_id = narrators.pk(narrator) if narrator else None
                changes.add("narrator")
            if entry.source is not ABSENT:
                source = entry.source
                testimony.source_id = sources.pk(source) if source else None
                changes.add("source")

        done, total = 0, len(self.testimonies)
        for batch in batches(self.created):
            Testimony.objects.bulk_create(batch)
            done += len(batch)
            self._progress(progress, done, total)

        # An update writes one set of fields for all its rows, so updates are
        # grouped by the keys their lines carry (a handful of shapes per file).
        groups = defaultdict(list)
        for testimony, changes in zip(self.testimonies, self.changes, strict=True):
            if testimony.pk in self.stored_pks:
                testimony.updated_at = self.now
                groups[frozenset(changes | {"updated_at"})].append(testimony)
        for fields, testimonies in groups.items():
            for batch in batches(testimonies):
                update_rows(Testimony, batch, sorted(fields))
                done += len(batch)
                self._progress(progress, done, total)

    def _progress(self, progress, done, total):
        if progress and total >= BATCH:
            progress(
                _("Wrote %(done)s of %(total)s testimonies…")
                % {"done": f"{done:,}", "total": f"{total:,}"}
            )

    def replace_tags(self, through, vocabulary, attribute):
        """Give each testimony whose line lists these tags exactly that set."""
        for batch in self.listing(attribute):
            self._delete(through, "content_object", [t.pk for t, _keys in batch])
            # Two names of one tag ("Sudzha", "スジャ") tag a testimony once.
            rows = dict.fromkeys(
                (testimony.pk, vocabulary.pk(key))
                for testimony, keys in batch
                for key in keys
            )
            insert_rows(through, ("content_object", "tag"), list(rows))

    def replace_translations(self):
        for batch in self.listing("translations"):
            self._delete(Translation, "testimony", [t.pk for t, _items in batch])
            rows = [
                Translation(testimony_id=testimony.pk, **values)
                for testimony, items in batch
                for values in items
            ]
            Translation.objects.bulk_create(rows)

    def listing(self, attribute):
        """Batches of (testimony, value) for the lines that carry ``attribute``;
        built batch by batch so a large file never holds every row at once."""
        listed = [
            (testimony, getattr(entry, attribute))
            for entry, testimony in self.pairs
            if getattr(entry, attribute) is not ABSENT
        ]
        return batches(listed)

    def _delete(self, model, field, pks):
        stale = [pk for pk in pks if pk in self.stored_pks]
        for batch in batches(stale, 900):
            rows = model.objects.filter(**{f"{field}__in": batch})
            if model._meta.related_objects:
                rows.delete()
            else:
                # One DELETE, without a post_delete signal per row: the search
                # index would reindex a testimony for each deleted row, and
                # testimonies_changed covers them all at the end. Nothing refers
                # to these rows, so no cascade is skipped.
                rows._raw_delete(rows.db)

    def affected_ids(self, themes, places, narrators):
        """Every testimony whose searchable content this import changed: its own,
        and those tagged with a renamed tag or told by a renamed narrator."""
        ids = {testimony.pk for testimony in self.testimonies}
        ids |= themes.tagged_ids(ThemedItem)
        ids |= places.tagged_ids(PlacedItem)
        renamed = [narrator.pk for narrator in narrators.renamed]
        rows = Testimony.objects.values_list("pk", flat=True)
        ids.update(in_chunks(rows, "narrator", renamed))
        return sorted(ids)
