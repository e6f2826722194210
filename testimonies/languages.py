"""Language codes (BCP 47) of testimonies and translations."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

BCP47 = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


def normalize_language(code):
    """Lower-case the language subtag, keep the rest as written ("sr-Latn")."""
    code = (code or "").strip().replace("_", "-")
    first, _sep, rest = code.partition("-")
    return first.lower() + ("-" + rest if rest else "")


def validate_language(code):
    if not isinstance(code, str) or not BCP47.match(code):
        raise ValidationError(
            _("“%(code)s” is not a language code such as en, ja, ru or uk."),
            code="invalid_language",
            params={"code": code},
        )


def language_name(code):
    """The language's name in the active interface language, or the code itself."""
    try:
        return get_language_info(code)["name_translated"]
    except KeyError:
        try:
            return get_language_info(code.split("-")[0])["name_translated"]
        except KeyError:
            return code
