"""/oai/: the OAI-PMH 2.0 endpoint for harvesters (docs/oai-pmh.md).

Reads the request's arguments (the query string of a GET, the form body of a
POST, as the protocol allows both) and hands them to :func:`testimonies.oai.verbs.
answer`, which never depends on who asks. Whatever arrives, the answer is an
OAI-PMH document: arguments Django refuses to parse (too many, too large, a body
that cannot be read) are a ``badArgument`` like any other bad argument.
"""

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpResponse, QueryDict, UnreadablePostError
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from ..oai.verbs import answer

CONTENT_TYPE = "text/xml; charset=utf-8"
FORM = "application/x-www-form-urlencoded"


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def endpoint(request):
    content = answer(
        arguments(request),
        base_url=request.build_absolute_uri(reverse("testimonies:oai")),
        absolute=request.build_absolute_uri,
    )
    return HttpResponse(content, content_type=CONTENT_TYPE)


def arguments(request):
    """The protocol arguments of ``request``, as a QueryDict; ``None`` when
    they cannot be read."""
    try:
        if request.method != "POST":
            return request.GET
        if request.content_type != FORM:
            return QueryDict()  # no argument, so no verb: badVerb
        return request.POST
    except (SuspiciousOperation, RequestDataTooBig, UnreadablePostError):
        return None
