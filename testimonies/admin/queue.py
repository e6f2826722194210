"""The admin home's work queue: what waits for an archivist, counted."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from ..models import ResearcherApplication, TakedownRequest, Testimony

#: What waits, as the changelist filter that shows it: model, lookups, label.
QUEUE = [
    (
        Testimony,
        {"status__exact": Testimony.Status.IN_REVIEW},
        _("Testimonies in review"),
    ),
    (
        ResearcherApplication,
        {"status__exact": ResearcherApplication.Status.PENDING},
        _("Researcher applications waiting"),
    ),
    (
        TakedownRequest,
        {"status__exact": TakedownRequest.Status.OPEN},
        _("Open takedown requests"),
    ),
]


@dataclass(frozen=True)
class Waiting:
    label: str
    count: int
    url: str


def work_queue(request, admin_site):
    """What waits, for the lists ``request.user`` may view: one count query each."""
    waiting = []
    for model, lookups, label in QUEUE:
        model_admin = admin_site.get_model_admin(model)
        if not model_admin.has_view_permission(request):
            continue
        opts = model._meta
        url = reverse(
            f"{admin_site.name}:{opts.app_label}_{opts.model_name}_changelist"
        )
        waiting.append(
            Waiting(
                label=label,
                count=model._default_manager.filter(**lookups).count(),
                url=f"{url}?{urlencode(lookups)}",
            )
        )
    return waiting
