"""The server-error handler: a busy database gets its own honest page."""

import sys

from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults

from ..busy import RETRY_AFTER_SECONDS, is_busy


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """Django's 500 page, or a 503 "try again" when a write waited too long for the
    database lock. Django calls this inside its ``except`` block, so the exception
    being handled is the one that failed the request."""
    if not is_busy(sys.exc_info()[1]):
        return defaults.server_error(request, template_name)
    message = _(
        "The archive is busy saving other changes (an import, perhaps), so nothing "
        "was saved. Please send it again in a minute."
    )
    match = getattr(request, "resolver_match", None)
    if match is not None and (match.url_name or "").startswith("api-"):
        response = JsonResponse({"detail": message}, status=503)
    else:
        try:
            content = loader.render_to_string("503.html", {"message": message})
        except Exception:  # the page must answer even if its template cannot
            content = message
        response = HttpResponse(content, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
