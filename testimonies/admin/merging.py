"""Merging themes or places into one, and clearing away unused ones.

Taggit's own merge action and clean-up commands only know its default ``Tag``; these
work on any of our tag models (``Theme``, ``Place``) through their relations, so a
model that later points at places (like ``Narrator.home_place``) is carried along.
"""

from dataclasses import dataclass, field

from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.db import transaction
from django.db.models import Min
from django.utils.translation import gettext as _

from ..history import merge_reason, record_changes
from ..tagging import name_key, unique_names

# Details the kept tag takes from a merged one when it has none of its own.
FILLED_FIELDS = ("description", "latitude", "longitude")


@dataclass
class MergeResult:
    kept: object
    merged: list = field(default_factory=list)  # names of the tags merged away
    reassigned: int = 0  # taggings moved to the kept tag
    duplicates: int = 0  # taggings dropped: the testimony already had the kept tag
    children: int = 0  # tags moved under the kept tag
    testimony_ids: list = field(default_factory=list)


def through_model(tag_model):
    return tag_model._meta.get_field("tagged_items").related_model


def merged_model(tag_model):
    return tag_model._meta.get_field("merged").related_model


def merge_tags(keep, tags, *, user=None):
    """Merge ``tags`` into ``keep`` in one transaction and return a MergeResult.

    Every tagging of a merged tag is moved to ``keep``, except where the testimony
    already has ``keep`` (the row is dropped: the unique constraint allows one);
    tags below a merged one move below ``keep``; names in other languages are
    combined, ``keep``'s own winning, and every other spelling of a merged tag
    becomes an alternative name of ``keep``; the merged tags are deleted, their
    addresses now leading to ``keep``. Each retagged testimony gets a version
    saying so.
    """
    tag_model = type(keep)
    through = through_model(tag_model)
    with transaction.atomic():
        # Fresh rows, locked (on PostgreSQL) against a concurrent edit or merge.
        locked = list(
            tag_model.objects.select_for_update()
            .filter(pk__in=[keep.pk, *(tag.pk for tag in tags)])
            .order_by("name")
        )
        others = [tag for tag in locked if tag.pk != keep.pk]
        keep = next(tag for tag in locked if tag.pk == keep.pk)
        other_ids = [tag.pk for tag in others]
        result = MergeResult(kept=keep, merged=[tag.name for tag in others])
        if not others:
            return result
        retagged = set(
            through.objects.filter(tag_id__in=other_ids).values_list(
                "content_object_id", flat=True
            )
        )

        # One tagging per testimony is moved; the rest (the testimony already has
        # the kept tag, or two merged tags) are duplicates and go.
        has_keep = through.objects.filter(tag=keep).values("content_object")
        movable = (
            through.objects.filter(tag_id__in=other_ids)
            .exclude(content_object__in=has_keep)
            .values("content_object")
            .annotate(first=Min("pk"))
            .values("first")
        )
        result.reassigned = through.objects.filter(pk__in=movable).update(tag=keep)
        result.duplicates, _counts = through.objects.filter(
            tag_id__in=other_ids
        ).delete()

        result.children = reparent_children(keep, others)
        # Also points the addresses of tags once merged into these at keep.
        repoint_other_references(tag_model, through, keep, other_ids)
        keep_addresses(keep, others)
        absorb_details(keep, others)

        reason = merge_reason(result.merged, keep.name)
        if user is not None:
            log_merge(user, keep, others)
        tag_model.objects.filter(pk__in=other_ids).delete()
        keep._change_reason = reason
        keep.save()

        result.testimony_ids = sorted(
            through.objects.filter(tag=keep).values_list("content_object_id", flat=True)
        )
        # Kept-tag testimonies that had no merged tag are found by new names.
        record_changes(
            changed=retagged,
            reindexed=result.testimony_ids,
            user=user,
            reason=reason,
        )
    return result


def keep_addresses(keep, others):
    """Make the merged tags' addresses lead to ``keep``. An address used again
    since an earlier merge now follows this one; ``keep``'s own is its page."""
    model = merged_model(type(keep))
    model.objects.filter(slug__in=[keep.slug, *(tag.slug for tag in others)]).delete()
    model.objects.bulk_create(
        model(slug=tag.slug, name=tag.name, kept=keep) for tag in others
    )


def surviving_ancestor(tag, gone):
    """The nearest ancestor of ``tag`` whose primary key is not in ``gone``."""
    node, seen = tag.parent, {tag.pk}
    while node is not None and node.pk in gone and node.pk not in seen:
        seen.add(node.pk)
        node = node.parent
    return None if node is None or node.pk in gone else node


def reparent_children(keep, others):
    """Move the tags below merged ones under ``keep``; return how many moved.

    A tag that is itself above ``keep`` cannot go below it (that would make a
    loop), so it takes the nearest surviving ancestor instead, as does ``keep``
    when its own parent is merged away.
    """
    tag_model = type(keep)
    other_ids = {tag.pk for tag in others}
    above_keep = {tag.pk for tag in keep.ancestors()}
    children = tag_model.objects.filter(parent_id__in=other_ids).exclude(
        pk__in=other_ids
    )
    moved = children.exclude(pk__in=above_keep | {keep.pk}).update(parent=keep)
    gone = other_ids | {keep.pk}
    for child in children.filter(pk__in=above_keep).select_related("parent"):
        child.parent = surviving_ancestor(child, gone)
        child.save(update_fields=["parent"])
        moved += 1
    if keep.parent_id in other_ids:
        keep.parent = surviving_ancestor(keep, gone)
    return moved


def repoint_other_references(tag_model, through, keep, other_ids):
    """Point every other foreign key to a merged tag (a narrator's home place…)
    at ``keep``, so deleting the merged tags loses nothing."""
    for relation in tag_model._meta.related_objects:
        if not relation.one_to_many or relation.related_model in (through, tag_model):
            continue
        name = relation.field.name
        relation.related_model._base_manager.filter(
            **{f"{name}__in": other_ids}
        ).update(**{name: keep})


def absorb_details(keep, others):
    names = {}
    for tag in others:
        for code, name in (tag.names or {}).items():
            names.setdefault(code, name)
    keep.names = {**names, **(keep.names or {})}
    # Old searches still find: names that lost to keep's own become alternatives.
    own = {name_key(name) for name in [keep.name, *keep.names.values()]}
    merged = [name for tag in others for name in tag.all_names()]
    spellings = unique_names([*(keep.alternative_names or []), *merged])
    keep.alternative_names = [n for n in spellings if name_key(n) not in own]
    for name in FILLED_FIELDS:
        if hasattr(keep, name) and getattr(keep, name) in (None, ""):
            for tag in others:
                if getattr(tag, name) not in (None, ""):
                    setattr(keep, name, getattr(tag, name))
                    break


def log_merge(user, keep, others):
    LogEntry.objects.log_actions(
        user_id=user.pk,
        queryset=[keep],
        action_flag=CHANGE,
        change_message=_("Merged %(names)s into this one.")
        % {"names": ", ".join(tag.name for tag in others)},
    )
    LogEntry.objects.log_actions(
        user_id=user.pk,
        queryset=others,
        action_flag=DELETION,
        change_message=_("Merged into “%(name)s”.") % {"name": keep.name},
    )


def unused_tags(queryset):
    """The tags in ``queryset`` nothing refers to: no testimony, no tag below
    them, no narrator's home place. Deleting these loses nothing (the old
    addresses of tags merged into one go with it: they led to an empty page)."""
    merged = merged_model(queryset.model)
    for relation in queryset.model._meta.related_objects:
        # Taggings are the through model's foreign keys.
        if relation.one_to_many and relation.related_model is not merged:
            name = relation.field.related_query_name()
            queryset = queryset.filter(**{f"{name}__isnull": True})
    return queryset
