"""Downloads of the result set a page or the API shows: ``format=`` on the
search page, the browse page and the API's list (:mod:`testimonies.downloads`).

The page's own form is validated first, so a download finds exactly what the
page lists; what cannot be downloaded says why (400), and a user who downloads
too often is asked to wait (429, ``ACCOUNT_RATE_LIMITS["download"]``).
"""

from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from .. import downloads
from ..accounts import throttle
from ..search import search
from .listing import active_filters, filter_messages, url_without

THROTTLE_SCOPE = "download"


class Refused(Exception):
    def __init__(self, status, messages):
        super().__init__(*messages)
        self.status = status
        self.messages = messages


def wanted_format(request):
    """The format asked for (``None``: the page itself), or :class:`Refused`."""
    name = request.GET.get("format")
    if name is None:
        return None
    if len(request.GET.getlist("format")) > 1 or name not in downloads.FORMATS:
        choices = ", ".join(downloads.FORMATS)
        message = downloads.UNKNOWN_FORMAT % {"value": name[:40], "choices": choices}
        raise Refused(400, [message])
    return name


def result_set(request, visible, form, *, searching):
    """``(ordered ids, total)`` of what the validated ``form`` finds."""
    problems = filter_messages(form)
    if "sort" in form.errors:
        problems += [str(error) for error in form.errors["sort"]]
    if problems:
        raise Refused(400, problems)
    if not throttle.allow(request, THROTTLE_SCOPE, key=user_key(request)):
        raise Refused(
            429, [_("Too many downloads from you in the last hour. Please wait.")]
        )
    limit = downloads.limit()
    if searching:
        results = search(
            visible, form.query(), sort=form.sort_key(), filters=form.filters()
        )
        return [pk for pk, _score in results.ranked(0, limit)], results.count()
    queryset = visible.filter_by(**form.filters()).order_by(*form.ordering())
    return list(queryset.values_list("pk", flat=True)[:limit]), queryset.count()


def user_key(request):
    """Downloads count per account when signed in, else per address."""
    user = request.user
    return f"user:{user.pk}" if user.is_authenticated else None


def download(request, visible, form, format, *, searching, name):
    """The streamed download of what ``form`` finds among ``visible``."""
    ids, total = result_set(request, visible, form, searching=searching)
    url = request.build_absolute_uri(url_without(request, "format", "page_size"))
    return downloads.Download(
        request,
        visible,
        ids,
        format=format,
        url=url,
        query=form.query().text if searching else "",
        filters=[
            (str(entry["label"]), str(entry["value"]))
            for entry in active_filters(request, form)
        ],
        total=total,
    ).response(name)


def links():
    """What the list pages need to offer their downloads."""
    return {
        "download_formats": list(downloads.FORMATS.values()),
        "download_limit": downloads.limit(),
    }


def refused_page(request, refused):
    response = TemplateResponse(
        request,
        "testimonies/download_refused.html",
        {"messages_": refused.messages, "back": back_url(request)},
        status=refused.status,
    )
    if refused.status == 429:
        response["Retry-After"] = "3600"
    return response


def back_url(request):
    query = request.GET.copy()
    query.pop("format", None)
    return f"{request.path}?{query.urlencode()}" if query else request.path
