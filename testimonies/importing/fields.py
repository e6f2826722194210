"""Checking one line's values against the model fields they will be stored in.

The rules are the models' own: each value goes through ``Field.clean()`` (max
length, choices, blank, validators such as the identifier and language checks), so
the import cannot drift from the admin. What JSON adds, the cleaner adds: type
checks (``"title": 5`` is an error, not the title "5") and the partial dates.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ..dates import last_day, parse_partial_date
from ..languages import normalize_language, validate_language
from .problems import Problem

INVALID = object()
COORDINATE_PLACES = Decimal("0.000001")


def describe(value):
    """The JSON type of a value, for messages."""
    if value is None:
        return _("null")
    if isinstance(value, bool):
        return _("true or false")
    if isinstance(value, int | Decimal):
        return _("a number")
    if isinstance(value, str):
        return _("a string")
    if isinstance(value, list):
        return _("a list")
    return _("an object")


def join(path, key):
    return f"{path}.{key}" if path else key


class Cleaner:
    """Cleans the values of one line, recording a :class:`Problem` for each fault.

    Every method returns the cleaned value, or ``INVALID`` after recording why.
    ``escapes`` says whether the raw line holds ``\\u`` escapes: only they can smuggle
    a NUL or a lone surrogate into a string, which no database can store.
    """

    def __init__(self, line, problems, *, escapes=True):
        self.line = line
        self.problems = problems
        self.escapes = escapes
        self.ok = True

    def error(self, path, message):
        self.ok = False
        self.problems.append(Problem(self.line, path, str(message)))
        return INVALID

    def type_error(self, path, expected, value):
        return self.error(
            path,
            _("expected %(expected)s, got %(got)s")
            % {"expected": expected, "got": describe(value)},
        )

    def object(self, value, path, keys, required=()):
        """A JSON object with only ``keys``, carrying every ``required`` one.

        Unknown and missing keys are recorded but the object is still returned, so
        the keys that are there get checked too: one pass reports every fault.
        """
        if not isinstance(value, dict):
            return self.type_error(path, _("an object"), value)
        for key in value:
            if key not in keys:
                self.error(
                    join(path, key),
                    _("unknown key (expected one of: %(keys)s)")
                    % {"keys": ", ".join(keys)},
                )
        for key in required:
            if key not in value:
                self.error(join(path, key), _("required, but missing"))
        return value

    def text(self, value, path):
        if not isinstance(value, str):
            return self.type_error(path, _("a string"), value)
        if self.escapes:
            if "\x00" in value:
                return self.error(path, _("contains a NUL character (\\u0000)"))
            try:
                value.encode()
            except UnicodeEncodeError:
                return self.error(path, _("contains an unpaired surrogate escape"))
        return value

    def array(self, value, path):
        if not isinstance(value, list):
            return self.type_error(path, _("a list"), value)
        return value

    def boolean(self, value, path):
        if not isinstance(value, bool):
            return self.type_error(path, _("true or false"), value)
        return value

    def field(self, model, name, value, path, *, null=False):
        """A string (or null when ``null``) cleaned by the model field ``name``."""
        if value is None and null:
            return None
        if self.text(value, path) is INVALID:
            return INVALID
        field = model._meta.get_field(name)
        try:
            return field.clean(value, None)
        except ValidationError as error:
            for item in error.error_list:
                message = " ".join(item.messages)
                if item.code == "invalid_choice":
                    values = ", ".join(str(choice) for choice, _label in field.choices)
                    message += " " + _("Use one of: %(values)s.") % {"values": values}
                self.error(path, message)
            return INVALID

    def language(self, model, name, value, path):
        if self.text(value, path) is INVALID:
            return INVALID
        return self.field(model, name, normalize_language(value), path)

    def language_code(self, value, path):
        """A language code used as a key (tag names), not stored in a field."""
        code = normalize_language(value)
        try:
            validate_language(code)
        except ValidationError as error:
            return self.error(path, " ".join(error.messages))
        return code

    def partial_date(self, value, path):
        """``(first day, precision)`` or ``(None, None)`` for null."""
        if value is None:
            return None, None
        if self.text(value, path) is INVALID:
            return INVALID, None
        try:
            return parse_partial_date(value)
        except ValueError as error:
            self.error(path, str(error))
            return INVALID, None

    def period_end(self, value, path):
        """The last day of a partial date ("2024-08" → 2024-08-31), or None."""
        day, precision = self.partial_date(value, path)
        if day is None or day is INVALID:
            return day
        return last_day(day, precision)

    def moment(self, model, name, value, path):
        """An ISO 8601 date-time; one without an offset is read as UTC."""
        value = self.field(model, name, value, path, null=True)
        if isinstance(value, datetime.datetime) and timezone.is_naive(value):
            value = timezone.make_aware(value, datetime.UTC)
        return value

    def coordinate(self, model, name, value, path, limit):
        """A latitude or longitude, kept to six decimal places (about 0.1 m)."""
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            return self.type_error(path, _("a number"), value)
        if not -limit <= value <= limit:
            return self.error(
                path,
                _("must lie between -%(limit)s and %(limit)s") % {"limit": limit},
            )
        try:
            value = Decimal(value).quantize(COORDINATE_PLACES)
            return model._meta.get_field(name).clean(value, None)
        except (InvalidOperation, ValidationError) as error:
            return self.error(path, " ".join(getattr(error, "messages", [str(error)])))
