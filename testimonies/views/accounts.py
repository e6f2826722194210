"""Sign-up, sign-in and password pages for researchers, in the site's style.

Django's auth views do the work; these add the sign-up flow and a rate limit on
the requests that create accounts or send email. Failed sign-ins are limited by
axes (settings: AXES_*).
"""

from axes.helpers import get_cool_off, get_failure_limit
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView, TemplateView

from ..access import Audience, audience_of
from ..accounts import throttle, tokens
from ..accounts.forms import DeferredPasswordResetForm, SignUpForm, TokenForm
from ..accounts.services import apply_for_research_access
from ..models import ResearcherApplication


def too_many_requests(request, scope):
    return TemplateResponse(
        request, "registration/too_many_requests.html", {"scope": scope}, status=429
    )


class ThrottledPostMixin:
    """Refuse POSTs beyond ``ACCOUNT_RATE_LIMITS[throttle_scope]`` per address."""

    throttle_scope = None

    def post(self, request, *args, **kwargs):
        if not throttle.allow(request, self.throttle_scope):
            return too_many_requests(request, self.throttle_scope)
        return super().post(request, *args, **kwargs)


@method_decorator(sensitive_post_parameters("password1", "password2"), name="dispatch")
class SignUpView(ThrottledPostMixin, FormView):
    template_name = "registration/signup.html"
    form_class = SignUpForm
    success_url = reverse_lazy("signup_done")
    throttle_scope = "signup"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("testimonies:home")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        apply_for_research_access(form=form, request=self.request)
        return super().form_valid(form)


class SignUpDoneView(TemplateView):
    template_name = "registration/signup_done.html"


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    # The admin renders registration/logged_out.html in its own style; this page
    # keeps the site's.
    template_name = "registration/signed_out.html"


class PasswordResetView(ThrottledPostMixin, auth_views.PasswordResetView):
    form_class = DeferredPasswordResetForm
    throttle_scope = "password_reset"
    subject_template_name = "registration/password_reset_subject.txt"
    email_template_name = "registration/password_reset_email.txt"


class WrongPasswordThrottleMixin:
    """Wrong current passwords count per account, so a session left open cannot
    be used to guess the password (and then change it)."""

    throttle_scope = "password_change"

    def post(self, request, *args, **kwargs):
        # The number is taken before the password is checked, so concurrent
        # guesses are counted one by one; a right password gives it back.
        if not throttle.allow(request, self.throttle_scope, key=request.user.pk):
            return too_many_requests(request, self.throttle_scope)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        self._refund()
        return super().form_valid(form)

    def form_invalid(self, form):
        if "old_password" not in form.errors:  # a mistyped new password
            self._refund()
        return super().form_invalid(form)

    def _refund(self):
        throttle.refund(self.request, self.throttle_scope, key=self.request.user.pk)


class PasswordChangeView(WrongPasswordThrottleMixin, auth_views.PasswordChangeView):
    # Named apart from registration/password_change_form.html, which the admin's
    # own password page uses.
    template_name = "registration/change_password.html"


class AdminPasswordChangeView(
    WrongPasswordThrottleMixin, auth_views.PasswordChangeView
):
    """The admin's own password page (/admin/password_change/), as the admin
    renders it, with the same count of wrong current passwords."""

    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("admin:password_change_done")

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            **admin.site.each_context(self.request),
        }


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/change_password_done.html"


@method_decorator(never_cache, name="dispatch")
class AccountView(LoginRequiredMixin, TemplateView):
    """The signed-in user's own page: who the archive takes them for (what they
    may read), their application to read as a researcher, and where to change
    their password or make API tokens."""

    template_name = "registration/account.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        application = ResearcherApplication.objects.filter(user=user).first()
        return super().get_context_data(
            audience=audience_of(user),
            Audience=Audience,
            application=application,
            active_tokens=sum(token.is_active for token in user.api_tokens.all()),
            **kwargs,
        )


@method_decorator(never_cache, name="dispatch")
class TokensView(LoginRequiredMixin, FormView):
    """The account's personal API tokens: make one (shown once), see when each
    was last used, revoke one (docs/api.md "Tokens")."""

    template_name = "registration/tokens.html"
    form_class = TokenForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def post(self, request, *args, **kwargs):
        pk = request.POST.get("revoke")
        if pk:
            if pk.isdigit() and tokens.revoke(request.user, int(pk)):
                messages.success(request, _("The token is revoked."))
            return redirect("tokens")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        token, text = tokens.issue(
            self.request.user,
            name=form.cleaned_data["name"],
            days=form.cleaned_data["days"],
        )
        # Shown in this answer only: it is not stored, and never shown again.
        context = self.get_context_data(form=TokenForm(user=self.request.user))
        context.update(new_token=token, new_text=text)
        return self.render_to_response(context)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tokens"] = self.request.user.api_tokens.all()[:50]
        return context


def locked_out(request, original_response=None, credentials=None):
    """The page axes shows for a locked-out sign-in (AXES_LOCKOUT_CALLABLE)."""
    cool_off = get_cool_off(request)
    return TemplateResponse(
        request,
        "registration/locked_out.html",
        {
            "failure_limit": get_failure_limit(request, credentials),
            "minutes": int(cool_off.total_seconds() // 60) if cool_off else 0,
        },
        status=settings.AXES_HTTP_RESPONSE_CODE,
    ).render()
