"""Signing up for researcher access."""

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from .. import notifications
from ..models import ResearcherApplication
from .outbox import send_later


def apply_for_research_access(*, form, request):
    """Create the account and its pending application from a valid SignUpForm.

    When the email already belongs to an account nothing is created: its owner is
    told by email instead, and the caller answers exactly as for a new account,
    so the form never reveals which addresses are registered. Returns the new
    application, or None.
    """
    email = form.cleaned_data["email"]
    existing = User.objects.filter(email__iexact=email).order_by("pk").first()
    if existing is not None:
        # Hash the password anyway: a reply that came back faster would tell.
        make_password(form.cleaned_data["password1"])
        notify(request, existing.email, "registration/signup_existing_email")
        return None
    with transaction.atomic():
        user = form.save()
        application = ResearcherApplication.objects.create(
            user=user, **form.application_values()
        )
    notify(request, email, "registration/signup_received_email", user=user)
    notifications.application_received(request, application)
    return application


def notify(request, email, template, **context):
    """Send ``template``'s subject and body to ``email``, after the response.

    A mail server that is down must not turn a recorded application into an
    error page, so failures are logged for the operator instead (.outbox).
    """
    context = {
        "site_url": request.build_absolute_uri("/"),
        "reset_url": request.build_absolute_uri(reverse("password_reset")),
        **context,
    }
    subject = render_to_string(f"{template}_subject.txt", context, request)
    body = render_to_string(f"{template}.txt", context, request)
    send_later(EmailMessage(" ".join(subject.split()), body, None, [email]))
