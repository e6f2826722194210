"""Keep the search index current, in the same transaction as each change.

Connected in ``TestimoniesConfig.ready()`` through :func:`connect`. Besides the
model signals, ``testimonies.signals.testimonies_changed`` covers bulk changes
(imports, admin actions, tag merges, a transcript's cues or a recording's segments
written), and ``post_migrate`` repairs the index after
``migrate`` and ``flush`` (which empties tables without sending signals).
"""

import threading

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader
from django.db.models import signals

from ..signals import testimonies_changed
from . import changes, index

# The last migration that changed the store: until it is applied, the store is
# left alone (an older analyzer's, or missing after going back).
MIGRATION = ("testimonies", "0015_search_spoken_words")

# Keys of objects whose deletion is under way in this thread. Their dependent rows
# (taggings, translations) are deleted first, each sending a signal; reindexing
# per row would be wasted work, so the receivers wait for the owner's post_delete.
_local = threading.local()


def _deleting():
    if not hasattr(_local, "keys"):
        _local.keys = set()
    return _local.keys


def _touch(ids, using, *, unless=()):
    changes.compact_after_commit(using)
    deleting = _deleting()
    if any(key in deleting for key in unless):
        return
    index.reindex([pk for pk in ids if (using, "testimony", pk) not in deleting], using)


def testimony_saved(sender, instance, using, update_fields=None, **kwargs):
    # A testimony being saved is not being deleted (even if a deletion of it
    # failed earlier in this thread and left its key behind).
    _deleting().discard((using, "testimony", instance.pk))
    changes.compact_after_commit(using)
    if update_fields is not None and not index.INDEXED_FIELDS & set(update_fields):
        return
    index.reindex([instance.pk], using)


def testimony_deleting(sender, instance, using, **kwargs):
    _deleting().add((using, "testimony", instance.pk))


def testimony_deleted(sender, instance, using, **kwargs):
    _deleting().discard((using, "testimony", instance.pk))
    changes.compact_after_commit(using)
    index.remove([instance.pk], using)


def translation_changed(sender, instance, using, **kwargs):
    _touch([instance.testimony_id], using)


def tagging_changed(sender, instance, using, **kwargs):
    """A through row (ThemedItem, PlacedItem) saved or deleted directly."""
    tag_key = (using, sender.tag_model()._meta.label, instance.tag_id)
    _touch([instance.content_object_id], using, unless=[tag_key])


def tags_changed(sender, instance, action, reverse, pk_set, using, **kwargs):
    """Taggit's add/set/remove/clear, from a testimony or (reverse) from a tag."""
    if not reverse:
        if action in ("post_add", "post_remove", "post_clear"):
            _touch([instance.pk], using)
    elif action == "pre_clear":
        instance._search_ids = _tagged_ids(sender, instance, using)
    elif action == "post_clear":
        _touch(getattr(instance, "_search_ids", []), using)
    elif action in ("post_add", "post_remove"):
        _touch(pk_set or [], using)


def _tagged_ids(through, tag, using):
    return list(
        through.objects.using(using)
        .filter(tag=tag)
        .values_list("content_object_id", flat=True)
    )


def tag_saving(sender, instance, using, **kwargs):
    if instance.pk is not None:
        instance._search_names = (
            sender.objects.using(using)
            .filter(pk=instance.pk)
            .values_list("name", "names")
            .first()
        )


def tag_saved(sender, instance, created, using, **kwargs):
    before = getattr(instance, "_search_names", None)
    if not created and before != (instance.name, instance.names):
        _touch(_tagged_ids(_through(sender), instance, using), using)


def tag_deleting(sender, instance, using, **kwargs):
    _deleting().add((using, sender._meta.label, instance.pk))
    instance._search_ids = _tagged_ids(_through(sender), instance, using)


def tag_deleted(sender, instance, using, **kwargs):
    _deleting().discard((using, sender._meta.label, instance.pk))
    _touch(getattr(instance, "_search_ids", []), using)


def _through(tag_model):
    return tag_model.tagged_items.rel.related_model


def narrator_saving(sender, instance, using, **kwargs):
    if instance.pk is not None:
        instance._search_alias = (
            sender.objects.using(using)
            .filter(pk=instance.pk)
            .values_list("alias", flat=True)
            .first()
        )


def narrator_saved(sender, instance, created, using, **kwargs):
    if not created and getattr(instance, "_search_alias", None) != instance.alias:
        _touch(_narrated_ids(instance, using), using)


def narrator_deleting(sender, instance, using, **kwargs):
    instance._search_ids = _narrated_ids(instance, using)


def narrator_deleted(sender, instance, using, **kwargs):
    # Its testimonies' narrator is already set to NULL here.
    _touch(getattr(instance, "_search_ids", []), using)


def _narrated_ids(narrator, using):
    return list(narrator.testimonies.using(using).values_list("pk", flat=True))


def recording_saved(sender, instance, created, using, **kwargs):
    # A new recording has no transcript or segment yet: their writers (the
    # admin, the import) send testimonies_changed once they are written. A
    # saved one may have changed its access level, which marks its words.
    if not created:
        _touch([instance.testimony_id], using)


def recording_deleting(sender, instance, using, **kwargs):
    _deleting().add((using, "recording", instance.pk))


def recording_deleted(sender, instance, using, **kwargs):
    _deleting().discard((using, "recording", instance.pk))
    _touch([instance.testimony_id], using)


def transcript_deleted(sender, instance, using, **kwargs):
    recording = (using, "recording", instance.recording_id)
    if recording in _deleting():
        return
    from ..models import Recording

    testimony = (
        Recording.objects.using(using)
        .filter(pk=instance.recording_id)
        .values_list("testimony_id", flat=True)
        .first()
    )
    _touch([testimony], using)


def bulk_changed(sender, ids=(), using=DEFAULT_DB_ALIAS, **kwargs):
    changes.compact_after_commit(using)
    index.reindex(ids, using)


def migrated(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    """After ``migrate`` or ``flush``: make the index match the testimony table."""
    from ..models import Testimony

    connection = connections[using]
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    if Testimony._meta.db_table in tables and _store_expected(connection):
        index.sync(using)
        changes.install(connection)


def _store_expected(connection):
    """True when :data:`MIGRATION` is applied, or when the app runs without
    migrations (``--nomigrations``), where tables are made from the models and
    the store is made here."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    return (
        MIGRATION[0] in loader.unmigrated_apps or MIGRATION in loader.applied_migrations
    )


def connect(app_config):
    from ..models import (
        Narrator,
        Place,
        PlacedItem,
        Recording,
        Testimony,
        Theme,
        ThemedItem,
        Transcript,
        Translation,
    )

    def on(signal, receiver, sender):
        signal.connect(
            receiver,
            sender=sender,
            dispatch_uid=f"search.{receiver.__name__}.{sender._meta.label}",
        )

    on(signals.post_save, testimony_saved, Testimony)
    on(signals.pre_delete, testimony_deleting, Testimony)
    on(signals.post_delete, testimony_deleted, Testimony)
    on(signals.post_save, translation_changed, Translation)
    on(signals.post_delete, translation_changed, Translation)
    for through in (ThemedItem, PlacedItem):
        on(signals.post_save, tagging_changed, through)
        on(signals.post_delete, tagging_changed, through)
        on(signals.m2m_changed, tags_changed, through)
    for tag in (Theme, Place):
        on(signals.pre_save, tag_saving, tag)
        on(signals.post_save, tag_saved, tag)
        on(signals.pre_delete, tag_deleting, tag)
        on(signals.post_delete, tag_deleted, tag)
    on(signals.pre_save, narrator_saving, Narrator)
    on(signals.post_save, narrator_saved, Narrator)
    on(signals.pre_delete, narrator_deleting, Narrator)
    on(signals.post_delete, narrator_deleted, Narrator)
    on(signals.post_save, recording_saved, Recording)
    on(signals.pre_delete, recording_deleting, Recording)
    on(signals.post_delete, recording_deleted, Recording)
    on(signals.post_delete, transcript_deleted, Transcript)
    testimonies_changed.connect(bulk_changed, dispatch_uid="search.bulk_changed")
    signals.post_migrate.connect(
        migrated, sender=app_config, dispatch_uid="search.migrated"
    )
