"""The history page of a testimony, theme, place…: what each version changed.

simple_history's page lists a field's stored values ("in_review", a time to the
microsecond) and "None" for a version without a reason. Here a change reads as
the form does: choices by their labels, times to the second (and equal times
are no change), a testimony's tags as "added …; removed …", and the reason in
the reader's language.
"""

import dataclasses
import datetime

from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from ..history import TAG_COLUMNS, reason_text, same_value
from ..models import Testimony

#: JSON lists whose items are choices.
ITEM_CHOICES = {(Testimony, "content_warnings"): Testimony.ContentWarning}
NOTHING = "—"


def shown(field, value):
    """``value`` of ``field`` as the admin's form would show it."""
    if value is None or value == "" or value == []:
        return NOTHING
    choices = ITEM_CHOICES.get((field.model, field.name))
    if choices is not None and isinstance(value, list):
        labels = dict(choices.choices)
        return ", ".join(str(capfirst(labels.get(item, item))) for item in value)
    if field.flatchoices:
        return str(capfirst(dict(field.flatchoices).get(value, value)))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        moment = timezone.localtime(value) if timezone.is_aware(value) else value
        return (
            formats.date_format(moment, "DATE_FORMAT")
            + " "
            + moment.strftime("%H:%M:%S")
        )
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    return value


class LabelledChanges(HistoricalRecordContextHelper):
    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if field.is_relation:
            return NOTHING if value is None else str(value)
        return shown(field, value)


def tag_changes(model, older, newer):
    """``[{"field": "Themes", "summary": "added …; removed …"}]`` between two
    versions that both know their tags."""
    found = []
    for name, column in TAG_COLUMNS.items():
        before, after = getattr(older, column, None), getattr(newer, column, None)
        if before is None or after is None or before == after:
            continue
        parts = []
        added = [tag for tag in after if tag not in before]
        removed = [tag for tag in before if tag not in after]
        if added:
            parts.append(_("added %(names)s") % {"names": ", ".join(added)})
        if removed:
            parts.append(_("removed %(names)s") % {"names": ", ".join(removed)})
        label = capfirst(model._meta.get_field(name).verbose_name)
        found.append({"field": label, "summary": "; ".join(parts)})
    return found


class VersionsAdmin(SimpleHistoryAdmin):
    """SimpleHistoryAdmin whose page shows labels, tag changes and reasons."""

    object_history_list_template = "admin/history/object_history_list.html"

    def set_history_delta_changes(
        self, request, historical_records, foreign_keys_are_objs=True
    ):
        records = list(historical_records)
        for record in records:
            record.reason_text = reason_text(record.history_change_reason)
        for newer, older in zip(records, records[1:], strict=False):
            # A related row since deleted shows as simple_history's DeletedObject.
            delta = newer.diff_against(
                older, foreign_keys_are_objs=foreign_keys_are_objs
            )
            changes = [
                change
                for change in delta.changes
                if not same_value(change.old, change.new)
            ]
            delta = dataclasses.replace(
                delta,
                changes=changes,
                changed_fields=[change.field for change in changes],
            )
            helper = LabelledChanges(self.model, newer)
            newer.history_delta_changes = [
                *helper.context_for_delta_changes(delta),
                *tag_changes(self.model, older, newer),
            ]
