"""Themes and places in an import: reading mentions, planning and writing the tags.

A line names a tag by a string or defines it by an object; either way the tag is
found by its key (:func:`~testimonies.tagging.name_key`), so "Drones" and "DRONES"
are one theme. An object's fields update the tag; when a file defines a tag twice
the last mention wins, field by field. A ``parent`` may itself be a name or an
object, which is how an export carries a place's whole hierarchy.
"""

from dataclasses import dataclass, field

from django.db import connection
from django.utils.translation import gettext as _

from ..models import Place, Theme
from ..models.tags import MAX_DEPTH
from ..tagging import clean_name, name_key
from .bulk import in_chunks
from .fields import INVALID, join
from .problems import ABSENT, Problem

KEYS = {
    Theme: ("name", "description", "parent", "names"),
    Place: ("name", "parent", "kind", "latitude", "longitude", "names"),
}
VALUE_FIELDS = {
    Theme: ("description", "names"),
    Place: ("kind", "latitude", "longitude", "names"),
}
COORDINATE_LIMITS = {"latitude": 90, "longitude": 180}


@dataclass
class TagMention:
    model: type
    name: str
    key: str
    values: dict = field(default_factory=dict)
    parent: object = ABSENT  # ABSENT, None (no parent) or the parent's key
    where: tuple = (0, "")  # line and path of the mention that set the parent


def clean_tags(c, model, value, path, mentions):
    """A list of names or tag objects: return their keys, without repeats."""
    if c.array(value, path) is INVALID:
        return INVALID
    keys = []
    for index, item in enumerate(value):
        key = clean_tag(c, model, item, f"{path}[{index}]", mentions)
        if key is not INVALID and key not in keys:
            keys.append(key)
    return keys if c.ok else INVALID


def clean_tag(c, model, value, path, mentions, level=1):
    """One name or tag object; appends its mentions (parents first), returns its key.
    ``level`` counts the parents nested around this one."""
    # A name alone may close a chain one level further: an export names the stored
    # parent of data deeper than the limit (from before it) without defining it,
    # and the plan then checks the depth against what is stored (_check_depth).
    if level > MAX_DEPTH and not (level == MAX_DEPTH + 1 and isinstance(value, str)):
        return c.error(
            path,
            _("parents nested more than %(limit)s levels deep") % {"limit": MAX_DEPTH},
        )
    if isinstance(value, str):
        name_path, data = path, {"name": value}
    elif isinstance(value, dict):
        name_path = join(path, "name")
        data = c.object(value, path, KEYS[model], required=("name",))
        if data is INVALID or "name" not in data:
            return INVALID
    else:
        return c.type_error(path, _("a name or an object"), value)

    name = c.text(data["name"], name_path)
    if name is INVALID:
        return INVALID
    name = c.field(model, "name", clean_name(name), name_path)
    if name is INVALID or c.field(model, "key", name_key(name), name_path) is INVALID:
        return INVALID
    mention = TagMention(model, name, name_key(name))

    for key in VALUE_FIELDS[model]:
        if key not in data:
            continue
        item_path = join(path, key)
        if key == "names":
            result = clean_names(c, data[key], item_path)
        elif key in COORDINATE_LIMITS:
            limit = COORDINATE_LIMITS[key]
            result = c.coordinate(model, key, data[key], item_path, limit)
        else:
            result = c.field(model, key, data[key], item_path)
        if result is not INVALID:
            mention.values[key] = result

    if "parent" in data:
        parent = data["parent"]
        mention.where = (c.line, join(path, "parent"))
        if parent is None:
            mention.parent = None
        else:
            parent_key = clean_tag(
                c, model, parent, join(path, "parent"), mentions, level + 1
            )
            if parent_key == mention.key:
                c.error(join(path, "parent"), _("a tag cannot be its own parent"))
            mention.parent = parent_key
    mentions.append(mention)
    return mention.key


def clean_names(c, value, path):
    """``{"ru": "Суджа", "ja": "スジャ"}``: language code to name."""
    if not isinstance(value, dict):
        return c.type_error(path, _("an object of language code to name"), value)
    names = {}
    for key, name in value.items():
        code = c.language_code(key, join(path, key))
        name = c.text(name, join(path, key))
        if code is not INVALID and name is not INVALID and clean_name(name):
            names[code] = clean_name(name)
    return names


def by_other_names(items, taken):
    """``{key of a name in another language: item}`` for ``(item, names)`` pairs,
    leaving out a name two items carry (ambiguous) and one that is some stored
    tag's own name (``taken``: its own name wins)."""
    found, ambiguous = {}, set()
    for item, names in items:
        for name in set((names or {}).values()):
            key = name_key(clean_name(name))
            if key in taken:
                continue
            if key in found and found[key] is not item and found[key] != item:
                ambiguous.add(key)
            found[key] = item
    return {key: item for key, item in found.items() if key not in ambiguous}


class Vocabulary:
    """Every tag of one model that a file mentions, merged, then planned and written."""

    def __init__(self, model, chosen=None):
        self.model = model
        # key of a name → pk of the stored tag the archivist chose for it, where
        # the file would otherwise create a new one (the preview's suggestions)
        self.chosen = {name_key(name): pk for name, pk in (chosen or {}).items()}
        self.mentions = {}  # key → merged TagMention
        self.tags = {}  # key → tag (existing or new) once planned
        self.created = []
        self.updated = {}  # key → existing tag whose fields change
        self.reindex = set()  # pks of existing tags whose names or parent change
        self.matched = []  # (name as written, the tag's name) found by another name

    def add(self, mention):
        merged = self.mentions.get(mention.key)
        if merged is None:
            # The first spelling names a new tag.
            merged = self.mentions[mention.key] = TagMention(
                self.model, mention.name, mention.key
            )
        merged.values.update(mention.values)
        if mention.parent is not ABSENT:
            merged.parent, merged.where = mention.parent, mention.where

    def plan(self, problems):
        """Match mentions to stored tags (one query), prepare new ones, check cycles."""
        if connection.in_atomic_block and connection.features.has_select_for_update:
            # PostgreSQL lets an archivist edit a tag while the import runs: lock
            # the ones this file names before reading them, so the edit waits
            # instead of being overwritten with what the plan read. (SQLite: the
            # import holds the database's one write lock already.)
            locked = self.model.objects.select_for_update().values_list("pk")
            list(in_chunks(locked, "key", list(self.mentions)))
        existing = {tag.key: tag for tag in self.model.objects.all()}
        self.by_pk = {tag.pk: tag for tag in existing.values()}
        slugs = {tag.slug for tag in existing.values()}
        # A name in another language means the tag that carries it ("スジャ" is
        # Sudzha): a stored tag's, or one this file defines with its names.
        stored = by_other_names(
            ((tag, tag.names) for tag in existing.values()), existing
        )
        defined = by_other_names(
            ((key, m.values.get("names")) for key, m in self.mentions.items()),
            existing,
        )
        aliases = {}
        for key, mention in self.mentions.items():
            tag = existing.get(key) or stored.get(key)
            if tag is None and key in self.chosen:
                tag = self.by_pk.get(self.chosen[key])
                if tag is None:
                    message = _(
                        "the %(kind)s chosen for “%(name)s” no longer exists: check "
                        "the file again"
                    ) % {"kind": self.model._meta.verbose_name, "name": mention.name}
                    problems.append(Problem(0, "", message))
                    continue
            if tag is None and defined.get(key, key) != key:
                aliases[key] = defined[key]
                continue
            if tag is not None and tag.key != key:
                self.matched.append((mention.name, tag.name))
            if tag is None:
                tag = self.model(name=mention.name, key=key, **mention.values)
                tag.slug = self._unique_slug(tag, slugs)
                self.created.append(tag)
            elif any(getattr(tag, f) != v for f, v in mention.values.items()):
                if tag.names != mention.values.get("names", tag.names):
                    self.reindex.add(tag.pk)
                for name, value in mention.values.items():
                    setattr(tag, name, value)
                self.updated[tag.key] = tag
            self.tags[key] = tag
        for key, target in aliases.items():
            self.tags[key] = self.tags[target]
            self.matched.append((self.mentions[key].name, self.tags[target].name))
        self.existing = existing
        self._check_cycles(problems)
        self._check_depth(problems)

    def _unique_slug(self, tag, slugs):
        # Taggit's own scheme (name, then name_1, name_2…), without its per-tag
        # queries: every stored slug is already in memory.
        slug, number = tag.slugify(tag.name), 1
        while slug in slugs:
            slug, number = tag.slugify(tag.name, number), number + 1
        slugs.add(slug)
        return slug

    def _parent_key(self, key):
        mention = self.mentions.get(key)
        if mention is not None and mention.parent is not ABSENT:
            return mention.parent
        tag = self.existing.get(key)
        parent = self.by_pk.get(tag.parent_id) if tag else None
        return parent.key if parent else None

    def _check_cycles(self, problems):
        limit = len(self.existing) + len(self.mentions) + 1
        for key, mention in self.mentions.items():
            node, steps = mention.parent, 0
            while node not in (None, ABSENT) and node != key and steps < limit:
                node, steps = self._parent_key(node), steps + 1
            if node == key and mention.parent not in (None, ABSENT, key):
                line, path = mention.where
                parent = self.tags[mention.parent].name
                message = _(
                    "“%(name)s” cannot lie inside “%(parent)s”, which lies inside it"
                ) % {"parent": parent, "name": mention.name}
                problems.append(Problem(line, path, message))

    def _check_depth(self, problems):
        """Refuse a file whose parents would nest any tag, stored or new, deeper
        than ``MAX_DEPTH``; name the line that sets the parent too deep."""
        children = {}
        for key in {*self.existing, *self.mentions}:
            children.setdefault(self._parent_key(key), []).append(key)
        # Breadth first from the tops: levels of the hierarchy as it would be.
        level, frontier, seen = 1, children.get(None, []), set()
        too_deep = []
        while frontier:
            seen.update(frontier)
            if level > MAX_DEPTH:
                too_deep = frontier
                break
            frontier = [
                child
                for key in frontier
                for child in children.get(key, [])
                if child not in seen
            ]
            level += 1
        reported = set()
        for key in too_deep:
            # The nearest tag on its way up whose parent this file sets.
            node = key
            while node is not None and not self._moves(node):
                node = self._parent_key(node)
            if node is None or node in reported:
                continue
            reported.add(node)
            mention = self.mentions[node]
            line, path = mention.where
            message = _(
                "“%(name)s” would lie more than %(limit)s levels deep (themes and "
                "places nest at most %(limit)s levels)"
            ) % {"name": mention.name, "limit": MAX_DEPTH}
            problems.append(Problem(line, path, message))

    def _moves(self, key):
        """Whether the file gives the tag ``key`` a parent it does not have yet
        (an export repeats every stored parent, roots' null included)."""
        mention = self.mentions.get(key)
        if mention is None or mention.parent is ABSENT:
            return False
        tag = self.existing.get(key)
        if tag is None:
            return True
        stored = self.by_pk.get(tag.parent_id)
        return mention.parent != (stored.key if stored else None)

    def write(self):
        """Create new tags, then set parents and changed fields (bulk, no per-tag
        queries). Parents come second: a new parent has no primary key until then."""
        self.model.objects.bulk_create(self.created)
        changed = dict(self.updated)
        for key, mention in self.mentions.items():
            if mention.parent is ABSENT:
                continue
            tag = self.tags[key]
            parent_id = self.tags[mention.parent].pk if mention.parent else None
            if tag.parent_id != parent_id:
                if tag.pk in self.by_pk:
                    self.reindex.add(tag.pk)
                tag.parent_id = parent_id
                changed[key] = tag
        if changed:
            fields = [*VALUE_FIELDS[self.model], "parent"]
            self.model.objects.bulk_update(list(changed.values()), fields)

    def pk(self, key):
        return self.tags[key].pk

    def tagged_ids(self, through):
        """Testimonies carrying a tag whose searchable definition changed."""
        rows = through.objects.values_list("content_object_id", flat=True)
        return set(in_chunks(rows, "tag", self.reindex))
