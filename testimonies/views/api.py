"""The JSON API, version 1 (docs/api.md): search and single records.

Thin views over the search page's form and :func:`~testimonies.views.answers.answer`;
the shapes live in :mod:`testimonies.api`. Bad parameters answer 400 with every
problem by parameter, never a 500; what the user may not see answers 404, a
withdrawn testimony 410, as its page does.
"""

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from .. import api
from ..forms import SearchApiForm
from ..models import Testimony
from ..models.testimony import validate_identifier
from .answers import answer
from .downloads import Refused, download

CONTENT_TYPE = "application/json; charset=utf-8"


def read_only(view):
    """GET and HEAD only: any other method is answered 405 with ``Allow``, as the
    API's description says, before CSRF protection (which guards writes, and the
    API writes nothing) would answer an unknown method 403."""
    return csrf_exempt(require_safe(view))


def json_response(data, status=200):
    return JsonResponse(
        data,
        status=status,
        content_type=CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )


def errors_response(errors):
    return json_response({"errors": errors}, status=400)


@read_only
def testimony_list(request):
    visible = Testimony.objects.visible_to(request.user)
    form = SearchApiForm(request.GET, visible=visible)
    if not form.is_valid():
        return errors_response(
            {
                name: [str(error) for error in errors]
                for name, errors in form.errors.items()
            }
        )
    format = form.download_format()
    if format:
        return download_response(request, visible, form, format)
    found = answer(visible, form, form.per_page())
    if found.page_error:
        return errors_response({"page": [found.page_error]})
    return json_response(api.list_data(request, found))


def download_response(request, visible, form, format):
    """``format=csv`` (or another download format): the whole result set."""
    try:
        return download(
            request, visible, form, format, searching=True, name="testimonies"
        )
    except Refused as refused:
        if refused.status == 429:
            response = json_response({"detail": " ".join(refused.messages)}, 429)
            response["Retry-After"] = "3600"
            return response
        return errors_response({"format": refused.messages})


@read_only
def testimony_detail(request, identifier):
    try:
        validate_identifier(identifier)
    except ValidationError:
        return not_found()
    visible = Testimony.objects.visible_to(request.user)
    testimony = visible.filter(identifier=identifier).for_record().first()
    if testimony is not None:
        return json_response(api.record_data(testimony, request))
    withdrawn = Testimony.objects.filter(
        identifier=identifier, status=Testimony.Status.WITHDRAWN
    )
    if withdrawn.exists():
        return json_response(
            {"detail": _("This testimony has been withdrawn from the archive.")},
            status=410,
        )
    return not_found()


def not_found():
    return json_response({"detail": _("There is no such testimony.")}, status=404)


@read_only
def openapi(request):
    return json_response(api.openapi_description())
