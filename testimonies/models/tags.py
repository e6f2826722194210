"""Themes and places: two taggit vocabularies, each with its own tag and through model.

Both carry names in other languages (``names``: ``{"ru": "Суджа"}``) and a parent,
 so themes form a small hierarchy and places nest country → region → district →
settlement. Names are matched by :func:`~testimonies.tagging.name_key`, never by exact
spelling, so import and admin cannot create "Evacuation" beside "evacuation".
"""

import hashlib

from django.core.exceptions import ValidationError
from django.db import connections, models
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from taggit.managers import _TaggableManager
from taggit.models import ItemBase, NaturalKeyManager, TagBase

from ..tagging import clean_name, name_key, unique_names

SLUG_MAX_LENGTH = 90
#: How many levels a hierarchy of themes or places may have: country → region →
#: district → settlement → quarter is five; three more leave room. Every walk of a
#: hierarchy stops here, so no import line can make a page recurse without end.
MAX_DEPTH = 8


class TagQuerySet(models.QuerySet):
    def with_usage(self):
        """Annotate ``usage``: how many testimonies carry the tag (any status)."""
        return self.annotate(usage=models.Count("tagged_items", distinct=True))

    def by_keys(self, names):
        """Map the key of each existing tag among ``names`` to the tag."""
        keys = {name_key(name) for name in names}
        return {tag.key: tag for tag in self.filter(key__in=keys)} if keys else {}

    def merged_into(self, slug):
        """The tag that the tag once at ``slug`` was merged into, or None."""
        if "\x00" in slug:
            return None  # no slug holds one, and PostgreSQL refuses to compare it
        return self.filter(merged__slug=slug).first()

    def by_slugs(self, slugs):
        """Map each of ``slugs`` to its tag, a merged tag's to the kept one."""
        found = self.in_bulk(slugs, field_name="slug")
        missing = [slug for slug in slugs if slug not in found and "\x00" not in slug]
        if missing:
            kept = self.filter(merged__slug__in=missing).annotate(
                former=models.F("merged__slug")
            )
            found.update({tag.former: tag for tag in kept})
        return found

    def resolve(self, names):
        """Return the tags for ``names`` in order, creating the missing ones."""
        names = unique_names(names)
        found = self.by_keys(names)
        tags = []
        for name in names:
            tag = found.get(name_key(name))
            if tag is None:
                tag = found[name_key(name)] = self.create(name=name)
            tags.append(tag)
        return tags


class TagManager(NaturalKeyManager.from_queryset(TagQuerySet)):
    pass


class TestimonyTagManager(_TaggableManager):
    """Taggit's related manager, resolving names by key instead of exact spelling."""

    def _to_tag_model_instances(self, tags, tag_kwargs):
        tag_model = self.through.tag_model()
        names = [tag for tag in tags if isinstance(tag, str)]
        resolved = {tag.key: tag for tag in tag_model._default_manager.resolve(names)}
        result = []
        for tag in tags:
            if isinstance(tag, str):
                tag = resolved.get(name_key(tag))
                if tag is None:  # a blank name
                    continue
            elif not isinstance(tag, tag_model):
                raise ValueError(f"Cannot add {tag!r}: expected {tag_model.__name__}.")
            if tag not in result:
                result.append(tag)
        return result


class MultilingualTag(TagBase):
    """A taggit tag with a parent, a comparison key and names in other languages."""

    name = models.CharField(_("name"), unique=True, max_length=100)
    slug = models.SlugField(_("slug"), unique=True, max_length=100, allow_unicode=True)
    key = models.CharField(
        _("comparison key"),
        unique=True,
        max_length=100,
        editable=False,
        help_text=_("The name in a form that ignores case and width."),
    )
    names = models.JSONField(
        _("names in other languages"),
        default=dict,
        blank=True,
        help_text=_('Language code to name, e.g. {"ru": "Суджа", "ja": "スジャ"}.'),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    alternative_names = models.JSONField(
        _("alternative names"),
        default=list,
        blank=True,
        help_text=_(
            "Other spellings it is found by: the names of the tags merged into it."
        ),
    )

    objects = TagManager()

    class Meta:
        abstract = True
        ordering = ["name"]

    def save(self, *args, **kwargs):
        self.name = clean_name(self.name)
        self.key = name_key(self.name)
        self.names = {
            code: clean_name(value)
            for code, value in (self.names or {}).items()
            if value
        }
        self._descendant_ids = None
        return super().save(*args, **kwargs)

    def clean(self):
        self.name = clean_name(self.name or "")
        if not self.name:
            raise ValidationError({"name": _("A name is required.")})
        if not isinstance(self.names, dict) or not all(
            isinstance(code, str) and isinstance(value, str)
            for code, value in self.names.items()
        ):
            raise ValidationError(
                {"names": _("Give names as an object of language code to name.")}
            )
        duplicate = (
            type(self)
            ._default_manager.filter(key=name_key(self.name))
            .exclude(pk=self.pk)
            .first()
        )
        if duplicate:
            raise ValidationError(
                {"name": _("“%(name)s” already exists.") % {"name": duplicate.name}}
            )
        ancestors = self.ancestors()
        for ancestor in ancestors:
            if ancestor.pk == self.pk and self.pk is not None:
                raise ValidationError(
                    {"parent": _("A tag cannot be its own ancestor.")}
                )
        levels = len(ancestors) + self.height()
        if levels > MAX_DEPTH:
            raise ValidationError(
                {
                    "parent": _(
                        "Themes and places nest at most %(limit)s levels deep; "
                        "under this parent there would be %(levels)s."
                    )
                    % {"limit": MAX_DEPTH, "levels": levels}
                }
            )

    def slugify(self, tag, i=None):
        slug = slugify(clean_name(tag), allow_unicode=True)[:SLUG_MAX_LENGTH].strip("-")
        if not slug:
            # Names made only of punctuation or symbols still get a stable slug.
            slug = "t-" + hashlib.sha1(tag.encode()).hexdigest()[:10]
        if i is not None:
            slug += f"_{i}"
        return slug

    def ancestors(self):
        """Return the parents from the nearest up, stopping at a cycle, or a level
        past the depth limit (bad data from before it)."""
        result, seen, node = [], {self.pk}, self.parent
        while node is not None and node.pk not in seen and len(result) <= MAX_DEPTH:
            result.append(node)
            seen.add(node.pk)
            node = node.parent
        if node is not None and node.pk in seen:
            result.append(node)  # lets clean() report the cycle
        return result

    def height(self):
        """Levels from this tag down to its deepest descendant (1: no children),
        counted one query a level, at most one level past the depth limit."""
        if self.pk is None:
            return 1
        manager = type(self)._default_manager
        levels, frontier, seen = 1, {self.pk}, {self.pk}
        while levels <= MAX_DEPTH:
            frontier = (
                set(manager.filter(parent__in=frontier).values_list("pk", flat=True))
                - seen
            )
            if not frontier:
                break
            seen |= frontier
            levels += 1
        return levels

    def descendant_ids(self):
        """The primary keys of this tag and every tag below it, remembered by
        this instance (and forgotten when it is saved): one search asks for a
        filter's tags several times (the form, the hits, each facet)."""
        if getattr(self, "_descendant_ids", None) is None:
            self._descendant_ids = frozenset(type(self).descendant_ids_of([self.pk]))
        return self._descendant_ids

    @classmethod
    def descendant_ids_of(cls, pks):
        """The primary keys of the tags ``pks`` and every tag below any of them
        (to the depth limit), in one recursive query."""
        ids = set(pks)
        if not ids:
            return ids
        using = cls._default_manager.db
        quote = connections[using].ops.quote_name
        table, parent = quote(cls._meta.db_table), quote("parent_id")
        marks = ", ".join(["%s"] * len(ids))
        # UNION, not UNION ALL, and the depth limit: a cycle written around the
        # checks ends too.
        sql = (
            f"WITH RECURSIVE tree(id, level) AS ("
            f"SELECT id, 1 FROM {table} WHERE id IN ({marks}) UNION "
            f"SELECT child.id, tree.level + 1 FROM {table} child "
            f"JOIN tree ON child.{parent} = tree.id WHERE tree.level < %s) "
            "SELECT id FROM tree"
        )
        with connections[using].cursor() as cursor:
            cursor.execute(sql, [*ids, MAX_DEPTH])
            ids.update(pk for (pk,) in cursor.fetchall())
        return ids

    def name_in(self, language=None):
        """The name in ``language`` (default: the active one), else the stored name."""
        language = (language or get_language() or "").lower()
        names = self.names or {}
        return names.get(language) or names.get(language.split("-")[0]) or self.name

    def all_names(self):
        """Every spelling of the tag, for search and matching: a merged tag's
        names stay with the tag it was merged into, so old searches still find."""
        return unique_names(
            [self.name, *(self.names or {}).values(), *(self.alternative_names or [])]
        )


class Theme(MultilingualTag):
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords()

    class Meta(MultilingualTag.Meta):
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def get_absolute_url(self):
        return reverse("testimonies:theme", args=[self.slug])


class Place(MultilingualTag):
    class Kind(models.TextChoices):
        COUNTRY = "country", _("country")
        REGION = "region", _("region")
        DISTRICT = "district", _("district")
        SETTLEMENT = "settlement", _("settlement")

    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.SETTLEMENT
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    history = HistoricalRecords()

    class Meta(MultilingualTag.Meta):
        verbose_name = _("place")
        verbose_name_plural = _("places")

    def get_absolute_url(self):
        return reverse("testimonies:place", args=[self.slug])

    def clean(self):
        super().clean()
        if self.latitude is not None and not -90 <= self.latitude <= 90:
            raise ValidationError({"latitude": _("Latitude lies between -90 and 90.")})
        if self.longitude is not None and not -180 <= self.longitude <= 180:
            raise ValidationError(
                {"longitude": _("Longitude lies between -180 and 180.")}
            )


class ThemedItem(ItemBase):
    content_object = models.ForeignKey(
        "Testimony", on_delete=models.CASCADE, related_name="themed_items"
    )
    tag = models.ForeignKey(
        Theme, on_delete=models.CASCADE, related_name="tagged_items"
    )

    class Meta:
        verbose_name = _("theme of a testimony")
        verbose_name_plural = _("themes of testimonies")
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="unique_theme_per_testimony"
            )
        ]


class PlacedItem(ItemBase):
    content_object = models.ForeignKey(
        "Testimony", on_delete=models.CASCADE, related_name="placed_items"
    )
    tag = models.ForeignKey(
        Place, on_delete=models.CASCADE, related_name="tagged_items"
    )

    class Meta:
        verbose_name = _("place of a testimony")
        verbose_name_plural = _("places of testimonies")
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="unique_place_per_testimony"
            )
        ]


class MergedTag(models.Model):
    """The address and name of a tag merged into another, so that its old links
    lead to the one kept (``kept`` is repointed when that one is merged in turn:
    every old address is one redirect away from a living tag)."""

    slug = models.SlugField(
        _("former slug"), unique=True, max_length=100, allow_unicode=True
    )
    name = models.CharField(_("former name"), max_length=100)
    merged_at = models.DateTimeField(_("merged"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["slug"]

    def __str__(self):
        return self.name


class MergedTheme(MergedTag):
    kept = models.ForeignKey(
        Theme,
        verbose_name=_("merged into"),
        on_delete=models.CASCADE,
        related_name="merged",
    )

    class Meta(MergedTag.Meta):
        verbose_name = _("merged theme")
        verbose_name_plural = _("merged themes")


class MergedPlace(MergedTag):
    kept = models.ForeignKey(
        Place,
        verbose_name=_("merged into"),
        on_delete=models.CASCADE,
        related_name="merged",
    )

    class Meta(MergedTag.Meta):
        verbose_name = _("merged place")
        verbose_name_plural = _("merged places")
