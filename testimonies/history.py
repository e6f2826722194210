"""The versions a testimony's history page lists, and why each was written.

django-simple-history records a version of a testimony (and of its narrator,
source, translations, themes and places) on every ``save()`` and ``delete()``,
with the user of the current request. :class:`TestimonyRecords` adds to each
testimony's version the names of its themes and places at the time, and writes
no version of a save that changed nothing.

``QuerySet.update()``, ``bulk_create()`` and the importer's bulk writes send no
signal at all: every such writer calls :func:`record_changes` once it is done,
which writes the versions (:func:`record_versions`) and tells the search index.

Reasons are stored in English, made by :func:`import_reason`,
:func:`action_reason` and :func:`merge_reason`, and shown in the reader's
language by :func:`reason_text`.
"""

import re

from django.conf import settings
from django.db import connections, models, router
from django.db.models.signals import m2m_changed
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

# simple_history's change-reason column holds 100 characters.
REASON_LENGTH = 100
# Keeps each statement well under SQLite's limit on query parameters.
BATCH_SIZE = 900
#: The tag fields of a testimony and the column of its version holding their names.
TAG_COLUMNS = {"themes": "theme_names", "places": "place_names"}

IMPORT = gettext_noop("Import")
IMPORT_OF = gettext_noop("Import of %(file)s")
ACTION = gettext_noop("Bulk action: %(action)s")
MERGE = gettext_noop("Merged %(merged)s into %(kept)s")
#: Stored reason patterns, and which of their values are themselves msgids.
REASONS = {IMPORT: (), IMPORT_OF: (), ACTION: ("action",), MERGE: ()}


def import_reason(file_name=""):
    name = str(file_name).replace("\\", "/").rsplit("/", 1)[-1]
    return IMPORT_OF % {"file": name} if name else IMPORT


def action_reason(description):
    """``description``: the action's (lazy) description, stored in English."""
    with translation.override(None):
        return ACTION % {"action": str(description)}


def merge_reason(merged, kept):
    """ "Merged A, B into C", the merged names shortened to fit the column."""
    kept = f"“{kept}”"
    room = REASON_LENGTH - len(MERGE % {"merged": "", "kept": kept})
    names = ", ".join(f"“{name}”" for name in merged)
    if len(names) > room:
        names = names[: max(room - 1, 0)] + "…"
    return MERGE % {"merged": names, "kept": kept}


def _pattern(template):
    parts = re.split(r"%\((\w+)\)s", template)
    regex = "".join(
        re.escape(part) if index % 2 == 0 else f"(?P<{part}>.+)"
        for index, part in enumerate(parts)
    )
    return re.compile(f"^{regex}$", re.DOTALL)


PATTERNS = [(template, _pattern(template)) for template in REASONS]


def reason_text(stored):
    """A stored reason in the active language; "" for none, others as stored."""
    if not stored:
        return ""
    for template, pattern in PATTERNS:
        match = pattern.match(stored)
        if match:
            values = {
                key: gettext(value) if key in REASONS[template] else value
                for key, value in match.groupdict().items()
            }
            return gettext(template) % values
    return stored


def record_changes(*, changed=(), created=(), reindexed=(), user=None, reason=""):
    """After a bulk write of testimonies: a version of each ``created`` and
    ``changed`` one naming ``user`` and ``reason``, and one message to the search
    index covering them and ``reindexed`` (testimonies whose searchable content
    changed with something else: a renamed tag, a merge). Call it inside the
    writer's transaction."""
    # The models import this module (TestimonyRecords).
    from .models import Testimony
    from .signals import testimonies_changed

    created, changed = sorted(set(created)), sorted(set(changed) - set(created))
    ids = sorted({*created, *changed, *reindexed})
    if ids:
        testimonies_changed.send(sender=Testimony, ids=ids)
    record_versions(Testimony, created, user=user, reason=reason, created=True)
    record_versions(Testimony, changed, user=user, reason=reason)


def tag_names(model, pks):
    """``{pk: {column: sorted tag names}}`` for the rows ``pks`` of ``model``."""
    found = {pk: {column: [] for column in TAG_COLUMNS.values()} for pk in pks}
    for name, column in TAG_COLUMNS.items():
        through = model._meta.get_field(name).through
        rows = through.objects.filter(content_object_id__in=list(found)).values_list(
            "content_object_id", "tag__name"
        )
        for pk, tag in rows.order_by("tag__name"):
            found[pk][column].append(tag)
    return found


def record_versions(model, pks, *, user=None, reason="", created=False):
    """Write one version of each ``model`` row in ``pks`` as it now stands.

    ``created`` marks them as additions ("+") rather than changes ("~"). Returns
    the number of versions written. Writers call :func:`record_changes`.

    The rows are copied inside the database (``INSERT … SELECT``), as
    simple_history's own ``bulk_history_create()`` would, but without loading and
    re-saving each row in Python: an import of 100,000 testimonies stays an import
    of 100,000 testimonies, not three times as long. A testimony's tag names
    follow in one UPDATE per batch.
    """
    pks = list(pks)
    if not pks or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return 0
    history = model.history.model
    using = router.db_for_write(history)
    connection = connections[using]
    quote = connection.ops.quote_name
    copied = [
        (quote(model._meta.get_field(field.name).column), quote(field.column))
        for field in history.tracked_fields
    ]
    meta = history._meta
    date = timezone.now()
    stamps = {
        "history_date": meta.get_field("history_date").get_db_prep_save(
            date, connection
        ),
        "history_change_reason": reason[:REASON_LENGTH],
        "history_type": "+" if created else "~",
        "history_user_id": getattr(user, "pk", None),
    }
    columns = [target for _source, target in copied] + [
        quote(meta.get_field(name).column) for name in stamps
    ]
    tagged = all(hasattr(history, column) for column in TAG_COLUMNS.values())
    written = 0
    with connection.cursor() as cursor:
        for start in range(0, len(pks), BATCH_SIZE):
            batch = pks[start : start + BATCH_SIZE]
            sql = "INSERT INTO {history} ({columns}) SELECT {values} FROM {table} "
            sql += "WHERE {pk} IN ({placeholders}) ORDER BY {pk}"
            cursor.execute(
                sql.format(
                    history=quote(meta.db_table),
                    columns=", ".join(columns),
                    values=", ".join(
                        [source for source, _target in copied] + ["%s"] * len(stamps)
                    ),
                    table=quote(model._meta.db_table),
                    pk=quote(model._meta.pk.column),
                    placeholders=", ".join(["%s"] * len(batch)),
                ),
                [*stamps.values(), *batch],
            )
            written += cursor.rowcount
            if tagged:
                _write_tag_names(model, history, batch, date, using)
            if not created:
                written -= _drop_repeats(cursor, history, batch, stamps, quote)
    return written


# Null-safe equality: SQLite's IS, the standard's IS NOT DISTINCT FROM.
SAME = {"sqlite": "IS"}


def _drop_repeats(cursor, history, batch, stamps, quote):
    """Delete the versions just written that repeat the one before them (a file
    imported again, a line that changed nothing): no entry says nothing."""
    meta = history._meta
    same = SAME.get(cursor.db.vendor, "IS NOT DISTINCT FROM")
    compared = [field.column for field in history.tracked_fields]
    compared += [
        meta.get_field(column).column
        for column in TAG_COLUMNS.values()
        if hasattr(history, column)
    ]
    table, key, pk = quote(meta.db_table), quote("history_id"), quote("id")
    sql = (
        f"DELETE FROM {table} WHERE {key} IN (SELECT new.{key} FROM {table} new "
        f"JOIN {table} old ON old.{pk} = new.{pk} AND old.{key} = (SELECT MAX(h.{key}) "
        f"FROM {table} h WHERE h.{pk} = new.{pk} AND h.{key} < new.{key}) "
        f"WHERE new.{quote('history_date')} = %s AND new.{pk} IN "
        f"({', '.join(['%s'] * len(batch))}) AND "
        + " AND ".join(f"old.{quote(c)} {same} new.{quote(c)}" for c in compared)
        + ")"
    )
    cursor.execute(sql, [stamps["history_date"], *batch])
    return cursor.rowcount


def _write_tag_names(model, history, batch, date, using):
    names = tag_names(model, batch)
    versions = list(
        history.objects.using(using)
        .filter(id__in=batch, history_date=date)
        .only("history_id", "id")
    )
    for version in versions:
        for column, value in names[version.id].items():
            setattr(version, column, value)
    history.objects.using(using).bulk_update(versions, list(TAG_COLUMNS.values()))


class TagNames(models.Model):
    """What a testimony's version adds to its fields: the names of its tags then
    (None in versions from before they were kept: unknown, not "none")."""

    theme_names = models.JSONField(_("themes"), null=True, blank=True)
    place_names = models.JSONField(_("places"), null=True, blank=True)

    class Meta:
        abstract = True


class TestimonyRecords(HistoricalRecords):
    """simple_history for testimonies: each version also keeps the names of the
    testimony's themes and places (``bases=[TagNames]``), a change of tags alone
    is a version too, and a save that changed nothing writes none.

    The admin saves a testimony before its tags: a tag change in the same request
    completes that request's version instead of adding another.
    """

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        if self.cls is not sender:
            return
        for name in TAG_COLUMNS:
            m2m_changed.connect(
                self.tags_changed,
                sender=sender._meta.get_field(name).through,
                weak=False,
                dispatch_uid=f"{sender._meta.label}.{name}.history",
            )
        pre_create_historical_record.connect(
            self.keep_tag_names,
            sender=getattr(sender, self.manager_name).model,
            weak=False,
            dispatch_uid=f"{sender._meta.label}.tag_names",
        )

    def post_save(self, instance, created, using=None, **kwargs):
        if created or kwargs.get("raw") or not self.unchanged(instance):
            super().post_save(instance, created, using=using, **kwargs)

    def latest(self, instance):
        history = getattr(instance, self.manager_name)
        return history.order_by("-history_date", "-history_id").first()

    def unchanged(self, instance):
        """Whether ``instance`` stands as its latest version does."""
        latest = self.latest(instance)
        if latest is None:
            return False
        for field in self.fields_included(instance):
            if not same_value(
                getattr(latest, field.attname), getattr(instance, field.attname)
            ):
                return False
        return tag_names(self.cls, [instance.pk])[instance.pk] == {
            column: getattr(latest, column) for column in TAG_COLUMNS.values()
        }

    def keep_tag_names(self, sender, instance, history_instance, **kwargs):
        names = tag_names(self.cls, [instance.pk])[instance.pk]
        for column, value in names.items():
            setattr(history_instance, column, value)
        request = getattr(HistoricalRecords.context, "request", None)
        instance._tags_version = (request, history_instance) if request else None

    def tags_changed(self, sender, instance, action, reverse, pk_set, **kwargs):
        if action not in ("post_add", "post_remove", "post_clear"):
            return
        if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
            return
        if reverse:  # tag.testimonies.add(…): the testimonies are pk_set
            if pk_set:
                record_versions(self.cls, pk_set)
            return
        if hasattr(instance, "skip_history_when_saving"):
            return
        names = tag_names(self.cls, [instance.pk])[instance.pk]
        request, version = getattr(instance, "_tags_version", None) or (None, None)
        if version is not None and request is getattr(
            HistoricalRecords.context, "request", None
        ):
            type(version).objects.filter(pk=version.pk).update(**names)
            for column, value in names.items():
                setattr(version, column, value)
            return
        latest = self.latest(instance)
        if latest is not None and names == {
            column: getattr(latest, column) for column in TAG_COLUMNS.values()
        }:
            return
        self.create_historical_record(instance, "~")


def same_value(old, new):
    """Equal as the history shows them: times to the second (the admin's form
    keeps no microseconds, and a version copied by a bulk write may), texts
    whatever their line endings (a browser sends a textarea's as CR LF)."""
    if hasattr(old, "microsecond") and hasattr(new, "microsecond"):
        return old.replace(microsecond=0) == new.replace(microsecond=0)
    if isinstance(old, str) and isinstance(new, str):
        return old.replace("\r\n", "\n") == new.replace("\r\n", "\n")
    return old == new
