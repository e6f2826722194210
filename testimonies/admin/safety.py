"""Admin inputs that a typo, an old bookmark or an attacker can fill with anything:
the selected rows of an action, the ids in history addresses, the year of a date
drill-down. Each is checked against the primary key's type and the database's
integer range and answered with a message, a 404 or Django's "bad filter" page,
never with a 500 from the database ("expected a number", an integer overflow)."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404, HttpResponseRedirect
from django.utils.translation import gettext as _


def is_valid_key(model, value):
    """Whether ``value`` can be looked up as a primary key of ``model``."""
    key = model._meta.pk
    try:
        value = key.to_python(value)
    except ValidationError:
        return False
    if isinstance(value, int):
        low, high = connection.ops.integer_field_range(key.get_internal_type())
        return (low is None or value >= low) and (high is None or value <= high)
    return True


class SafeInputsAdmin(admin.ModelAdmin):
    """Put it first among an admin's bases, so its checks run before the others'."""

    def response_action(self, request, queryset):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(is_valid_key(self.model, value) for value in selected):
            self.message_user(
                request,
                _("The selection was not understood; select the rows again."),
                messages.ERROR,
            )
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset)

    def get_changelist_instance(self, request):
        try:
            return super().get_changelist_instance(request)
        except OverflowError:
            # ?recorded_on__year=99999999999999999999: Django catches the
            # ValueError of a bad date, not the overflow of a huge one.
            raise IncorrectLookupParameters from None

    def history_view(self, request, object_id, extra_context=None):
        self._check_key(self.model, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._check_key(self.model, object_id)
        self._check_key(self.model.history.model, version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    @staticmethod
    def _check_key(model, value):
        if not is_valid_key(model, value):
            raise Http404
