"""The takedown request form of each testimony page.

Anyone who reads a testimony may ask the archivists to take it down or change it:
the narrator, a relative, someone named in it. The request is stored for
archivists (admin: takedown requests), who are told by email; nothing is sent to
the person who asked, and the page never shows what others asked. Requests are
limited per client address (``ACCOUNT_RATE_LIMITS["takedown"]``), and a field
hidden from people catches form-filling robots, whose requests are dropped without
telling them.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView

from .. import notifications
from ..accounts import throttle
from ..models import TakedownRequest
from ..models.testimony import validate_identifier
from .listing import VisibleTestimoniesMixin

#: The field people never see (``hidden`` in the page); robots fill it in.
HONEYPOT = "website"


class TakedownForm(forms.Form):
    reason = forms.CharField(
        label=_("What should change, and why?"),
        min_length=10,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "For example: you gave this testimony and withdraw your consent, or "
            "it names or shows you. Archivists read every request."
        ),
    )
    contact = forms.CharField(
        label=_("How can the archivists reach you? (optional)"),
        required=False,
        max_length=300,
        help_text=_(
            "An email address or a phone number. Only archivists see it; it is "
            "never published, and the archive sends nothing to it by itself."
        ),
    )
    website = forms.CharField(
        label=_("Leave this field empty"), required=False, max_length=300
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "takedown-%s")
        super().__init__(*args, **kwargs)
        self.fields[HONEYPOT].widget.attrs.update(
            {"tabindex": "-1", "autocomplete": "off"}
        )

    def is_robot(self):
        return bool(self.cleaned_data.get(HONEYPOT))


@method_decorator(sensitive_post_parameters("contact"), name="dispatch")
class TakedownView(VisibleTestimoniesMixin, FormView):
    """The form on its own page: where it posts, shows errors and thanks."""

    template_name = "testimonies/takedown.html"
    form_class = TakedownForm

    def dispatch(self, request, *args, identifier, **kwargs):
        try:
            validate_identifier(identifier)
        except ValidationError:
            raise Http404 from None
        self.testimony = get_object_or_404(
            self.visible().only("identifier", "title", "language"),
            identifier=identifier,
        )
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if not throttle.allow(request, "takedown"):
            context = self.get_context_data(limited=True)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        if not form.is_robot():
            takedown = TakedownRequest.objects.create(
                testimony=self.testimony,
                reason=form.cleaned_data["reason"],
                contact=form.cleaned_data["contact"],
            )
            notifications.takedown_received(self.request, takedown)
        return redirect(f"{self.request.path}?sent=1")

    def get_context_data(self, **kwargs):
        kwargs.setdefault("sent", self.request.GET.get("sent") == "1")
        return super().get_context_data(testimony=self.testimony, **kwargs)
