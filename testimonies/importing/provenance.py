"""Narrators and sources in an import: who told a testimony and where it comes from.

Narrators are found by ``code`` when the line gives one. Without a code, a narrator
is the one *without a code* bearing exactly that alias; when several share it the
line is refused, because guessing would attach a testimony to the wrong person.

Sources have no identity of their own: two sources with the same fields are the
same source (:meth:`Source.natural_key`), shared by every testimony citing it.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..models import Narrator, Place, Source
from .bulk import in_chunks, update_rows
from .fields import INVALID, join
from .problems import ABSENT, Problem
from .tags import clean_tag

NARRATOR_FIELDS = ("alias", "age_group", "gender", "role", "profile")
NARRATOR_PRIVATE = ("real_name", "contact", "private_notes")
NARRATOR_KEYS = (
    "code",
    *NARRATOR_FIELDS[:4],
    "home_place",
    "profile",
    *NARRATOR_PRIVATE,
)
SOURCE_KEYS = Source.NATURAL_KEY_FIELDS


@dataclass
class NarratorMention:
    line: int
    path: str
    identity: tuple  # ("code", code) or ("alias", alias)
    values: dict = field(default_factory=dict)
    home_place: object = ABSENT  # ABSENT, None or a place key


def clean_narrator(c, value, path, mentions):
    """The ``narrator`` object, or None for null; home place names go to mentions."""
    if value is None:
        return None
    data = c.object(value, path, NARRATOR_KEYS, required=("alias",))
    if data is INVALID:
        return INVALID
    code = None if data.get("code") == "" else data.get("code")
    code = c.field(Narrator, "code", code, join(path, "code"), null=True)
    values = {}
    for key in (*NARRATOR_FIELDS, *NARRATOR_PRIVATE):
        if key in data:
            values[key] = c.field(Narrator, key, data[key], join(path, key))
    home_place = ABSENT
    if "home_place" in data:
        home_place = data["home_place"]
        if home_place is not None:
            home_place = clean_tag(
                c, Place, home_place, join(path, "home_place"), mentions
            )
    if not c.ok:
        return INVALID
    identity = ("code", code) if code else ("alias", values["alias"])
    return NarratorMention(c.line, path, identity, values, home_place)


def clean_source(c, value, path):
    """The ``source`` object as Source field values, or None for null."""
    if value is None:
        return None
    data = c.object(value, path, SOURCE_KEYS)
    if data is INVALID:
        return INVALID
    values = {}
    for key, item in data.items():
        null = key == "date"
        values[key] = c.field(Source, key, item, join(path, key), null=null)
    if not any(values.values()):
        return c.error(path, _("give at least one field, or null for no source"))
    return values if c.ok else INVALID


def model_problems(error, line, path):
    """A model ``clean()`` error as problems under ``path``."""
    for name, messages in error.message_dict.items():
        where = path if name == "__all__" else join(path, name)
        for message in messages:
            yield Problem(line, where, message)


class Narrators:
    def __init__(self):
        self.mentions = {}  # identity → merged mention (last one wins, per field)
        self.narrators = {}  # identity → narrator, once planned
        self.created = []
        self.renamed = []  # existing narrators whose alias changes (search shows it)
        self.changed = {}  # identity → existing narrator whose fields change

    def add(self, mention):
        merged = self.mentions.setdefault(
            mention.identity, NarratorMention(0, "", mention.identity)
        )
        merged.line, merged.path = mention.line, mention.path
        merged.values.update(mention.values)
        if mention.home_place is not ABSENT:
            merged.home_place = mention.home_place
        return mention.identity

    def plan(self, problems):
        codes = [value for kind, value in self.mentions if kind == "code"]
        aliases = [value for kind, value in self.mentions if kind == "alias"]
        by_code = {n.code: n for n in in_chunks(Narrator.objects, "code", codes)}
        by_alias = defaultdict(list)
        uncoded = Narrator.objects.filter(code__isnull=True).order_by("pk")
        for narrator in in_chunks(uncoded, "alias", aliases):
            by_alias[narrator.alias].append(narrator)
        for identity, mention in self.mentions.items():
            kind, value = identity
            if kind == "code":
                narrator = by_code.get(value)
            elif len(by_alias[value]) > 1:
                problems.append(
                    Problem(
                        mention.line,
                        join(mention.path, "alias"),
                        _(
                            "%(count)s narrators without a code are called "
                            "“%(alias)s”: give the code of the one you mean"
                        )
                        % {"count": len(by_alias[value]), "alias": value},
                    )
                )
                continue
            else:
                narrator = (by_alias[value] or [None])[0]
            if narrator is None:
                narrator = Narrator(code=value if kind == "code" else None)
                self.created.append(narrator)
            else:
                if narrator.alias != mention.values["alias"]:
                    self.renamed.append(narrator)
                if any(getattr(narrator, k) != v for k, v in mention.values.items()):
                    self.changed[identity] = narrator
            for name, item in mention.values.items():
                setattr(narrator, name, item)
            try:
                narrator.clean()
            except ValidationError as error:
                problems.extend(model_problems(error, mention.line, mention.path))
            self.narrators[identity] = narrator

    def write(self, places):
        for identity, mention in self.mentions.items():
            if mention.home_place is not ABSENT:
                narrator = self.narrators[identity]
                home = places.pk(mention.home_place) if mention.home_place else None
                if narrator.home_place_id != home:
                    narrator.home_place_id = home
                    if narrator.pk is not None:
                        self.changed[identity] = narrator
        Narrator.objects.bulk_create(self.created)
        fields = [*NARRATOR_FIELDS, *NARRATOR_PRIVATE, "home_place"]
        update_rows(Narrator, list(self.changed.values()), fields)

    def pk(self, identity):
        return self.narrators[identity].pk


class Sources:
    def __init__(self):
        self.sources = {}  # natural key → source (new, or stored once planned)
        self.where = {}  # natural key → (line, path) of its first mention
        self.created = []

    def add(self, values, line, path):
        source = Source(**values)
        key = source.natural_key()
        self.sources.setdefault(key, source)
        self.where.setdefault(key, (line, path))
        return key

    def plan(self, problems):
        titles = {source.title for source in self.sources.values()}
        stored = {}
        for source in in_chunks(Source.objects.order_by("pk"), "title", titles):
            stored.setdefault(source.natural_key(), source)
        for key, source in self.sources.items():
            if key in stored:
                self.sources[key] = stored[key]
                continue
            try:
                source.clean()
            except ValidationError as error:
                problems.extend(model_problems(error, *self.where[key]))
            self.created.append(source)

    def write(self):
        Source.objects.bulk_create(self.created)

    def pk(self, key):
        return self.sources[key].pk
