"""Reading the file: bytes → one JSON object per line, with problems by line number.

The file is read as bytes and split on ``\\n`` only, so a U+2028 inside a string
never breaks a line, and invalid UTF-8 is reported on its own line instead of
stopping the whole read.
"""

import codecs
import json
from decimal import Decimal

from django.utils.translation import gettext as _

from .problems import Problem

PROGRESS_EVERY = 10_000


class LineError(ValueError):
    pass


def unique_keys(pairs):
    """``object_pairs_hook``: a key given twice is a mistake, not "last one wins"."""
    data = dict(pairs)
    if len(data) != len(pairs):
        seen = set()
        for key, _value in pairs:
            if key in seen:
                raise LineError(_("key “%(key)s” appears twice") % {"key": key})
            seen.add(key)
    return data


def reject_constant(name):
    raise LineError(_("%(name)s is not a JSON number") % {"name": name})


def decode(raw):
    """Parse one line. Numbers with a fraction become Decimals: coordinates stay
    exactly as written instead of picking up binary floating-point noise."""
    return json.loads(
        raw.decode("utf-8"),
        object_pairs_hook=unique_keys,
        parse_float=Decimal,
        parse_constant=reject_constant,
    )


def read_lines(stream, problems, progress=None):
    """Yield ``(line number, value, has escapes)`` for each non-blank line of the
    binary ``stream``, appending a :class:`Problem` for each line that cannot be
    read. ``value`` may be any JSON value; the caller checks it is an object."""
    for number, raw in enumerate(stream, 1):
        if progress and number % PROGRESS_EVERY == 0:
            progress(_("Read %(count)s lines…") % {"count": f"{number:,}"})
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        raw = raw.rstrip(b"\r\n")
        if not raw.strip():
            continue
        try:
            value = decode(raw)
        except UnicodeDecodeError as error:
            message = _("not valid UTF-8 (byte %(byte)s)") % {"byte": error.start + 1}
        except json.JSONDecodeError as error:
            message = _("invalid JSON: %(message)s (column %(column)s)") % {
                "message": error.msg,
                "column": error.colno,
            }
        except LineError as error:
            message = _("invalid JSON: %(message)s") % {"message": error}
        except RecursionError:
            message = _("invalid JSON: nested too deeply")
        except ValueError:
            # Python refuses to convert integers of more than 4,300 digits.
            message = _("invalid JSON: a number with too many digits")
        else:
            yield number, value, b"\\u" in raw
            continue
        problems.append(Problem(number, "", message))
