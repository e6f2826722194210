"""The protocol's rules for requests: verbs, their arguments, errors, dates and
identifiers (OAI-PMH 2.0, sections 3.1, 3.3, 3.6 and 4).

Everything a request holds is checked here before any of it reaches the
database: a value the schema would not accept back in the answer's ``request``
element (an identifier that is no URI, a set that is no setSpec) is a
``badArgument``, so what is echoed is always valid XML and valid OAI-PMH.
"""

import dataclasses
import datetime
import re
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..models.testimony import validate_identifier

OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"

#: verb → (required arguments, optional arguments, exclusive argument or None).
VERBS = {
    "Identify": ((), (), None),
    "ListMetadataFormats": ((), ("identifier",), None),
    "ListSets": ((), (), "resumptionToken"),
    "GetRecord": (("identifier", "metadataPrefix"), (), None),
    "ListIdentifiers": (
        ("metadataPrefix",),
        ("from", "until", "set"),
        "resumptionToken",
    ),
    "ListRecords": (("metadataPrefix",), ("from", "until", "set"), "resumptionToken"),
}

# The schema's types for what a request element may echo.
METADATA_PREFIX = re.compile(r"[A-Za-z0-9\-_.!~*'()]+")
SET_SPEC = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*")
# A URI's characters (RFC 3986: unreserved, reserved, and "%" before two hex
# digits): anything else cannot be an identifier, and would not be echoed as one.
URI = re.compile(r"([A-Za-z0-9\-_.~!*'();/?:@&=+$,#\[\]]|%[0-9A-Fa-f]{2})+")
TOKEN = re.compile(r"[A-Za-z0-9\-_:.]+")
DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
SECOND = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z")
#: Longer values are refused before they are parsed (a token is some 200 characters).
MAX_LENGTH = 2_000


class OAIError(Exception):
    """An error condition of the protocol: its code and a readable message."""

    def __init__(self, code, message):
        super().__init__(code)
        self.code = code
        self.message = message


def bad_argument(message):
    return OAIError("badArgument", message)


@dataclasses.dataclass
class Request:
    """A request whose verb and arguments passed the checks of :func:`parse`."""

    verb: str
    arguments: dict

    def get(self, name):
        return self.arguments.get(name)


def parse(query):
    """Check ``query`` (a QueryDict, or ``None`` for arguments that could not be
    read) as the protocol says; return a :class:`Request` or raise
    :class:`OAIError` (``badVerb``, ``badArgument``)."""
    if query is None:
        raise bad_argument(_("The arguments cannot be read: too many or too long."))
    verbs = query.getlist("verb")
    if not verbs:
        raise OAIError("badVerb", _("The request has no verb."))
    if len(verbs) > 1:
        raise OAIError("badVerb", _("The verb is repeated."))
    verb = verbs[0]
    if verb not in VERBS:
        raise OAIError("badVerb", _("This is not a verb of OAI-PMH 2.0."))
    required, optional, exclusive = VERBS[verb]
    arguments = {}
    for name in query:
        if name == "verb":
            continue
        values = query.getlist(name)
        if name not in (*required, *optional, exclusive):
            raise bad_argument(
                _("%(verb)s takes no argument “%(name)s”.")
                % {"verb": verb, "name": clean_name(name)}
            )
        if len(values) > 1:
            raise bad_argument(
                _("The argument “%(name)s” is repeated.") % {"name": name}
            )
        if not values[0] or len(values[0]) > MAX_LENGTH:
            raise bad_argument(
                _("The argument “%(name)s” is empty or too long.") % {"name": name}
            )
        arguments[name] = values[0]
    if exclusive in arguments:
        if len(arguments) > 1:
            raise bad_argument(
                _("A resumptionToken is the only argument besides the verb.")
            )
    else:
        missing = [name for name in required if name not in arguments]
        if missing:
            raise bad_argument(
                _("Missing argument: %(names)s.") % {"names": ", ".join(missing)}
            )
    check_syntax(arguments)
    return Request(verb, arguments)


def check_syntax(arguments):
    """Refuse values that no answer could echo: the schema's types."""
    checks = {
        "metadataPrefix": METADATA_PREFIX,
        "set": SET_SPEC,
        "identifier": URI,
    }
    for name, pattern in checks.items():
        value = arguments.get(name)
        if value is not None and not pattern.fullmatch(value):
            raise bad_argument(_("“%(name)s” has an illegal syntax.") % {"name": name})
    since = parse_date(arguments.get("from"), "from")
    until = parse_date(arguments.get("until"), "until")
    if since and until:
        if since.granularity != until.granularity:
            raise bad_argument(_("“from” and “until” have different granularities."))
        if since.start > until.start:
            raise bad_argument(_("“from” is later than “until”."))


def clean_name(name):
    """An argument's name fit to quote in a message: only plain characters."""
    return "".join(re.findall(r"[A-Za-z0-9_.-]", name))[:50] or "?"


@dataclasses.dataclass(frozen=True)
class Moment:
    """A ``from`` or ``until`` value: the first second it stands for, the
    second after the last (UTC, whole seconds) and its granularity."""

    start: datetime.datetime
    end: datetime.datetime | None  # None: past the calendar's last day
    granularity: str


def parse_date(value, name):
    """``YYYY-MM-DD`` or ``YYYY-MM-DDThh:mm:ssZ`` as a :class:`Moment`, or
    ``None`` for no value; a ``badArgument`` for anything else."""
    if value is None:
        return None
    day, second = DAY.fullmatch(value), SECOND.fullmatch(value)
    try:
        if day:
            start = datetime.datetime(*map(int, day.groups()), tzinfo=datetime.UTC)
            step, granularity = datetime.timedelta(days=1), "YYYY-MM-DD"
        elif second:
            start = datetime.datetime(*map(int, second.groups()), tzinfo=datetime.UTC)
            step, granularity = datetime.timedelta(seconds=1), GRANULARITY
        else:
            raise ValueError(value)
    except ValueError:
        raise bad_argument(
            _("“%(name)s” is not a date (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ).")
            % {"name": name}
        ) from None
    try:
        end = start + step
    except OverflowError:
        end = None
    return Moment(start, end, granularity)


def format_datestamp(moment):
    """A UTC datestamp at the repository's granularity (seconds)."""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def repository_identifier():
    return settings.TESTIMONY_OAI_REPOSITORY_IDENTIFIER


def oai_identifier(identifier):
    """``oai:<repository identifier>:<testimony identifier>``."""
    return f"oai:{repository_identifier()}:{identifier}"


def local_identifier(value):
    """The testimony identifier inside an OAI identifier of ours, or ``None``
    (the caller answers ``idDoesNotExist``, as for an unknown testimony)."""
    prefix = f"oai:{repository_identifier()}:"
    if not value.startswith(prefix):
        return None
    identifier = value[len(prefix) :]
    try:
        validate_identifier(identifier)
    except ValidationError:
        return None
    return identifier if len(identifier) <= 64 else None


def admin_emails():
    """Whom harvesters write to: the setting, else the site's admins, else the
    address the site sends mail from (Identify needs one at least)."""
    configured = list(settings.TESTIMONY_OAI_ADMIN_EMAILS)
    admins = [address for _name, address in settings.ADMINS]
    return configured or admins or [parseaddr(settings.DEFAULT_FROM_EMAIL)[1]]
