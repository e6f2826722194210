"""The researcher sign-up form, and the password-reset form that mails later."""

from django import forms
from django.contrib.auth.forms import PasswordResetForm, UserCreationForm
from django.contrib.auth.models import User
from django.core.mail import EmailMultiAlternatives
from django.template import loader
from django.utils.translation import gettext_lazy as _

from ..models import ResearcherApplication
from .outbox import send_later


def application_field(name, **kwargs):
    """A form field made from the application model's field of that name."""
    return ResearcherApplication._meta.get_field(name).formfield(**kwargs)


class SignUpForm(UserCreationForm):
    """An account (username, email, password twice) and the application with it.

    Whether the email already belongs to an account is deliberately not checked
    here: the form must answer the same either way (see ``services``).
    """

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("For password resets and the archivists' answer. Never shown."),
    )
    full_name = application_field("full_name", label=_("Your name"))
    affiliation = application_field(
        "affiliation",
        label=_("Affiliation or institution"),
        help_text=_("University, archive, organisation, or “independent”."),
    )
    purpose = application_field(
        "purpose",
        label=_("Research purpose"),
        help_text=_(
            "What you mean to study and how you will use the testimonies. "
            "Archivists read this before opening researcher-only testimonies "
            "to you."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def clean_email(self):
        return User.objects.normalize_email(self.cleaned_data["email"]).strip()

    def clean_purpose(self):
        purpose = self.cleaned_data["purpose"].strip()
        if len(purpose) < 20:
            raise forms.ValidationError(
                _("Please say in a sentence or two what you mean to study.")
            )
        return purpose

    def application_values(self):
        return {
            name: self.cleaned_data[name]
            for name in ("full_name", "affiliation", "purpose")
        }


class DeferredPasswordResetForm(PasswordResetForm):
    """Django's form, its mail sent after the response (.outbox): a reset for a
    registered address answers as fast as one for an unknown address."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(loader.render_to_string(subject_template_name, context))
        body = loader.render_to_string(email_template_name, context)
        message = EmailMultiAlternatives(
            " ".join(subject.split()), body, from_email, [to_email]
        )
        if html_email_template_name is not None:
            html = loader.render_to_string(html_email_template_name, context)
            message.attach_alternative(html, "text/html")
        send_later(message)


class TokenForm(forms.Form):
    """A new personal API token: what it is for and how long it lives."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for (“thesis scripts”), to tell it apart."),
    )
    days = forms.TypedChoiceField(
        label=_("Expires after"),
        coerce=int,
        initial=90,
        choices=[
            (30, _("30 days")),
            (90, _("90 days")),
            (365, _("a year")),
        ],
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        from .tokens import MAX_ACTIVE

        cleaned = super().clean()
        if self.user is not None and (
            self.user.api_tokens.active().count() >= MAX_ACTIVE
        ):
            raise forms.ValidationError(
                _(
                    "You have %(count)s tokens in use, the most an account may "
                    "have. Revoke one you no longer need first."
                ),
                code="too_many",
                params={"count": MAX_ACTIVE},
            )
        return cleaned
