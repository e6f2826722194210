"""Admin inputs that a typo, an old bookmark or an attacker can fill with anything:
the selected rows of an action, the ids in history addresses. Each is checked
against the primary key's type and range and answered with a message or a 404,
never with a 500 from the database ("expected a number", an integer overflow)."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.utils.translation import gettext as _

#: The largest value a 64-bit primary key column holds.
LARGEST_KEY = 2**63 - 1


def valid_key(field, value):
    """Whether ``value`` (from a URL or a form) can be a value of ``field``."""
    try:
        key = field.to_python(value)
    except (ValidationError, TypeError, ValueError):
        return False
    return not isinstance(key, int) or 0 < key <= LARGEST_KEY


class SafeInputsAdmin(admin.ModelAdmin):
    def response_action(self, request, queryset):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        primary_key = self.model._meta.pk
        if not all(valid_key(primary_key, value) for value in selected):
            self.message_user(
                request,
                _("The selection was not understood; select the rows again."),
                messages.ERROR,
            )
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset)

    def history_view(self, request, object_id, extra_context=None):
        self._check_key(self.model._meta.pk, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._check_key(self.model._meta.pk, object_id)
        self._check_key(self.model.history.model._meta.pk, version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    @staticmethod
    def _check_key(field, value):
        if not valid_key(field, value):
            raise Http404
