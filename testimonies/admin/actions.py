"""Bulk actions on the testimony list: export, publication status, access level.

Each is one UPDATE per batch rather than a save() per row, so it stamps
``updated_at`` (and ``published_at`` on publishing) itself, writes the admin log,
and hands the changed rows to ``record_changes`` (versions with the action as their
reason, and the search index), all in one transaction.
"""

import io
import tempfile

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.http import FileResponse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy

from ..exporting import export_bundle, export_table, export_testimonies
from ..history import action_reason, record_changes
from ..models import Testimony

# Keeps each statement well under SQLite's limit on query parameters.
BATCH_SIZE = 500
# How many refused identifiers a message lists before "and N more".
LISTED = 20


def set_field(modeladmin, request, queryset, field, value, done_message, *, action):
    """Set ``field`` to ``value`` on the selected testimonies and report counts;
    ``action`` (the admin action) names the change in their history.

    Rows that the change would publish beyond their narrator's consent are left as
    they were and named in an error message; the others still change.
    """
    with transaction.atomic():
        total = queryset.count()
        changing = queryset.exclude(**{field: value})
        refused = changing.refused_by_consent(**{field: value})
        refused_identifiers = list(
            refused.order_by("identifier").values_list("identifier", flat=True)
        )
        ids = list(
            changing.exclude(pk__in=refused.values("pk")).values_list("pk", flat=True)
        )
        # To the second, as the admin's form shows and saves published_at back.
        now = timezone.now().replace(microsecond=0)
        with translation.override(None):  # the history stores English names
            label = str(capfirst(Testimony._meta.get_field(field).verbose_name))
        for start in range(0, len(ids), BATCH_SIZE):
            batch = Testimony.objects.filter(pk__in=ids[start : start + BATCH_SIZE])
            if field == "status" and value == Testimony.Status.PUBLISHED:
                batch.filter(published_at__isnull=True).update(published_at=now)
            batch.update(**{field: value, "updated_at": now})
            LogEntry.objects.log_actions(
                user_id=request.user.pk,
                queryset=batch,
                action_flag=CHANGE,
                change_message=[{"changed": {"fields": [label]}}],
            )
        record_changes(
            changed=ids,
            user=request.user,
            reason=action_reason(action.short_description),
        )
    if refused_identifiers:
        report_refused(modeladmin, request, refused_identifiers)
    modeladmin.message_user(
        request, done_message % {"count": len(ids)}, messages.SUCCESS
    )
    unchanged = total - len(ids) - len(refused_identifiers)
    if unchanged:
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)d testimony already was and was left as it was.",
                "%(count)d testimonies already were and were left as they were.",
                unchanged,
            )
            % {"count": unchanged},
            messages.INFO,
        )


def report_refused(modeladmin, request, identifiers):
    listed = ", ".join(identifiers[:LISTED])
    if len(identifiers) > LISTED:
        listed += " " + _("and %(count)d more") % {"count": len(identifiers) - LISTED}
    modeladmin.message_user(
        request,
        ngettext(
            "%(count)d testimony was left as it was: its narrator's consent does not "
            "allow publishing it to these readers (%(identifiers)s). Record the "
            "consent first.",
            "%(count)d testimonies were left as they were: their narrators' consent "
            "does not allow publishing them to these readers (%(identifiers)s). "
            "Record the consent first.",
            len(identifiers),
        )
        % {"count": len(identifiers), "identifiers": listed},
        messages.ERROR,
    )


@admin.action(description=_("Publish selected testimonies"), permissions=["change"])
def publish(modeladmin, request, queryset):
    set_field(
        modeladmin,
        request,
        queryset,
        "status",
        Testimony.Status.PUBLISHED,
        ngettext_lazy(
            "%(count)d testimony published.",
            "%(count)d testimonies published.",
            "count",
        ),
        action=publish,
    )


@admin.action(
    description=_("Send selected testimonies to review"), permissions=["change"]
)
def send_to_review(modeladmin, request, queryset):
    set_field(
        modeladmin,
        request,
        queryset,
        "status",
        Testimony.Status.IN_REVIEW,
        ngettext_lazy(
            "%(count)d testimony sent to review.",
            "%(count)d testimonies sent to review.",
            "count",
        ),
        action=send_to_review,
    )


@admin.action(description=_("Withdraw selected testimonies"), permissions=["change"])
def withdraw(modeladmin, request, queryset):
    set_field(
        modeladmin,
        request,
        queryset,
        "status",
        Testimony.Status.WITHDRAWN,
        ngettext_lazy(
            "%(count)d testimony withdrawn.",
            "%(count)d testimonies withdrawn.",
            "count",
        ),
        action=withdraw,
    )


@admin.action(description=_("Set access: public"), permissions=["change"])
def make_public(modeladmin, request, queryset):
    set_field(
        modeladmin,
        request,
        queryset,
        "access",
        Testimony.Access.PUBLIC,
        ngettext_lazy(
            "%(count)d testimony made public.",
            "%(count)d testimonies made public.",
            "count",
        ),
        action=make_public,
    )


@admin.action(description=_("Set access: researchers only"), permissions=["change"])
def make_researchers_only(modeladmin, request, queryset):
    set_field(
        modeladmin,
        request,
        queryset,
        "access",
        Testimony.Access.RESEARCHERS,
        ngettext_lazy(
            "%(count)d testimony opened to researchers only.",
            "%(count)d testimonies opened to researchers only.",
            "count",
        ),
        action=make_researchers_only,
    )


@admin.action(description=_("Set access: restricted"), permissions=["change"])
def make_restricted(modeladmin, request, queryset):
    set_field(
        modeladmin,
        request,
        queryset,
        "access",
        Testimony.Access.RESTRICTED,
        ngettext_lazy(
            "%(count)d testimony restricted to archivists.",
            "%(count)d testimonies restricted to archivists.",
            "count",
        ),
        action=make_restricted,
    )


def exported_file(write, extension, content_type):
    """A download of what ``write(binary stream)`` writes. Written to a temporary
    file first, so a large selection never sits in memory."""
    stream = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it)
    write(stream)
    stream.seek(0)
    stamp = timezone.localtime().strftime("%Y-%m-%d-%H%M")
    return FileResponse(
        stream,
        as_attachment=True,
        filename=f"testimonies-{stamp}.{extension}",
        content_type=content_type,
    )


def as_text(write, queryset, newline):
    """``write(text stream, queryset=…)`` as a writer of UTF-8 bytes."""

    def write_bytes(stream):
        text = io.TextIOWrapper(stream, encoding="utf-8", newline=newline)
        write(text, queryset=queryset)
        text.flush()
        text.detach()  # leaves the file open for the response

    return write_bytes


@admin.action(description=_("Export as JSON Lines"), permissions=["view"])
def export_json_lines(modeladmin, request, queryset):
    """The selected testimonies (or, with "select all", the whole filtered list) as
    the archivists' JSON Lines export, the same as ``export_testimonies``: texts as
    stored, no narrator's private fields, no recordings' files."""
    return exported_file(
        as_text(export_testimonies, queryset, "\n"),
        "jsonl",
        "application/jsonl; charset=utf-8",
    )


@admin.action(description=_("Export as CSV (spreadsheet)"), permissions=["view"])
def export_csv(modeladmin, request, queryset):
    """The same as a spreadsheet (``export_testimonies --format csv``), which
    imports back as it is."""
    return exported_file(
        as_text(export_table, queryset, ""), "csv", "text/csv; charset=utf-8"
    )


@admin.action(description=_("Export as ZIP with media"), permissions=["view"])
def export_zip(modeladmin, request, queryset):
    """The JSON Lines export with each recording's file and transcripts, in a ZIP
    bundle the admin's import (or ``import_testimonies``) reads back whole."""
    return exported_file(
        lambda stream: export_bundle(stream, queryset=queryset),
        "zip",
        "application/zip",
    )


TESTIMONY_ACTIONS = [
    export_json_lines,
    export_csv,
    export_zip,
    publish,
    send_to_review,
    withdraw,
    make_public,
    make_researchers_only,
    make_restricted,
]
