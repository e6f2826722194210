"""Imports in the admin: upload a JSON Lines, CSV or XLSX file, read what the
check found, confirm.

Nothing is written until the archivist confirms: the upload is checked in full
by the task worker (every problem with its line and field, or what it would
create and update), the page reloads itself while the worker is at it, and
"Import" queues the import itself, all or nothing (testimonies.importing.jobs,
docs/admin-guide.md).
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from ..importing import jobs
from ..models import ImportJob
from .safety import SafeInputsAdmin, is_valid_key


class ImportUploadForm(forms.ModelForm):
    class Meta:
        model = ImportJob
        fields = ["file"]
        help_texts = {
            "file": _(
                "A JSON Lines, CSV or XLSX file, or a ZIP bundle of one with the "
                "photos, documents and recordings it names (docs/import-format.md). "
                "It is checked in full first; nothing is imported until you confirm."
            )
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.TESTIMONY_MAX_IMPORT_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is too large: imports may be at most %(limit)s.")
                % {"limit": filesizeformat(limit)}
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload


@admin.register(ImportJob)
class ImportJobAdmin(SafeInputsAdmin):
    change_form_template = "admin/testimonies/importjob/change_form.html"
    list_display = ["name", "state", "uploaded_by", "uploaded_at", "finished_at"]
    list_filter = ["state"]
    fields = [
        "name",
        "state",
        "uploaded_by",
        "uploaded_at",
        "result",
        "found",
        "suggested",
        "changes",
    ]
    readonly_fields = fields

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ImportUploadForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return ["file"] if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.name = form.cleaned_data["file"].name[:255]
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)
        if not change:
            jobs.submit(obj)

    def response_add(self, request, obj, post_url_continue=None):
        # To the job's page, which follows the check as it runs.
        url = reverse("admin:testimonies_importjob_change", args=[obj.pk])
        return HttpResponseRedirect(url)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        valid = is_valid_key(ImportJob, object_id)
        job = self.get_object(request, object_id) if valid else None
        if request.method == "POST" and job is not None and "_import" in request.POST:
            if not self.has_add_permission(request):
                return self.changeform_view(request, object_id, form_url, extra_context)
            if jobs.confirm(job, chosen_mapping(request.POST, job)):
                self.message_user(
                    request, _("The import has started."), messages.SUCCESS
                )
            else:
                self.message_user(
                    request,
                    _(
                        "This file is not ready to import (it was imported already, "
                        "or has problems)."
                    ),
                    messages.WARNING,
                )
            return HttpResponseRedirect(request.path)
        context = {**(extra_context or {}), "job": job}
        return super().change_view(request, object_id, form_url, context)

    # A job is a record of what was asked and what happened: not edited.
    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("result"))
    def result(self, job):
        if job.is_running:
            return job.progress or job.get_state_display()
        if job.state == ImportJob.State.REFUSED:
            return job.message
        summary = job.summary or {}
        if not summary:
            return job.message or "—"
        done = job.state == ImportJob.State.DONE
        names = format_html_join(
            "",
            "<br>{}: {}",
            [
                (label, ", ".join(items))
                for label, items in [
                    (_("New themes"), summary.get("new_themes", [])),
                    (_("New places"), summary.get("new_places", [])),
                    (
                        _("Found by a name in another language"),
                        [f"{a} → {b}" for a, b in summary.get("matched", [])],
                    ),
                ]
                if items
            ],
        )
        return format_html(
            "{}{}{}",
            (
                _(
                    "Created %(created)s testimonies and updated %(updated)s; new "
                    "themes %(themes_created)s, places %(places_created)s, narrators "
                    "%(narrators_created)s, sources %(sources_created)s."
                )
                if done
                else _(
                    "Would create %(created)s testimonies and update %(updated)s; "
                    "new themes %(themes_created)s, places %(places_created)s, "
                    "narrators %(narrators_created)s, sources %(sources_created)s. "
                    "Nothing is written until you select “Import”."
                )
            )
            % summary,
            f" {job.message}" if job.message else "",
            names,
        )

    @admin.display(description=_("problems"))
    def found(self, job):
        if not job.problems:
            return "—"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
            (
                # Line 0: the file as a whole (how a bundle is laid out).
                (p["line"] or _("the file"), p["field"], p["message"])
                for p in job.problems
            ),
        )
        more = ""
        if job.problem_count > len(job.problems):
            more = _("…and %(more)s more.") % {
                "more": job.problem_count - len(job.problems)
            }
        return format_html(
            '<table class="import-problems"><thead><tr><th scope="col">{}</th>'
            '<th scope="col">{}</th><th scope="col">{}</th></tr></thead>'
            "<tbody>{}</tbody></table>{}",
            _("line"),
            _("field"),
            _("problem"),
            rows,
            more,
        )

    @admin.display(description=_("new themes and places like stored ones"))
    def suggested(self, job):
        """For each name the file would create a tag for that looks like stored
        ones: create it, or use one of those (radio buttons, read on Import)."""
        suggestions = (job.summary or {}).get("suggestions") or {}
        if job.state != ImportJob.State.CHECKED or not any(suggestions.values()):
            return "—"
        blocks = []
        for kind, label in (("themes", _("New theme")), ("places", _("New place"))):
            for index, item in enumerate(suggestions.get(kind, [])):
                field = f"map-{kind}-{index}"
                options = [
                    format_html(
                        '<li><label><input type="radio" name="{}" value="" checked> '
                        "{}</label></li>",
                        field,
                        _("Create “%(name)s” as a new one") % {"name": item["name"]},
                    )
                ]
                options += [
                    format_html(
                        '<li><label><input type="radio" name="{}" value="{}"> {} '
                        '<span class="help">({})</span></label></li>',
                        field,
                        candidate["pk"],
                        _("Use “%(name)s”") % {"name": candidate["name"]},
                        candidate["why"],
                    )
                    for candidate in item["candidates"]
                ]
                blocks.append(
                    format_html(
                        '<fieldset class="import-choice"><legend>{} “{}”</legend>'
                        '<ul class="import-choice__options">{}</ul></fieldset>',
                        label,
                        item["name"],
                        format_html_join("", "{}", ((option,) for option in options)),
                    )
                )
        return format_html_join("", "{}", ((block,) for block in blocks))

    @admin.display(description=_("changes to stored testimonies"))
    def changes(self, job):
        updates = (job.summary or {}).get("updates") or []
        if job.state != ImportJob.State.CHECKED or not updates:
            return "—"
        rows = []
        for update in updates:
            where = _("%(identifier)s (line %(line)s)") % update
            if not update["changes"]:
                rows.append(
                    (where, "", _("no change: the line repeats what is stored"), "")
                )
            for change in update["changes"]:
                rows.append((where, change["field"], change["old"], change["new"]))
                where = ""
        more = ""
        if len(updates) < job.summary.get("updated", 0):
            more = _("Only the first %(count)s updated testimonies are shown.") % {
                "count": len(updates)
            }
        return format_html(
            '<table class="import-changes"><thead><tr><th scope="col">{}</th>'
            '<th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th>'
            "</tr></thead><tbody>{}</tbody></table>{}",
            _("testimony"),
            _("field"),
            _("stored"),
            _("in the file"),
            format_html_join(
                "",
                "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                rows,
            ),
            more,
        )


def chosen_mapping(post, job):
    """The stored tags the archivist chose on the preview, checked against what
    was offered (a posted primary key is never taken on trust)."""
    suggestions = (job.summary or {}).get("suggestions") or {}
    mapping = {}
    for kind in ("themes", "places"):
        for index, item in enumerate(suggestions.get(kind, [])):
            value = post.get(f"map-{kind}-{index}", "")
            offered = {
                str(candidate["pk"]): candidate for candidate in item["candidates"]
            }
            if value in offered:
                mapping.setdefault(kind, {})[item["name"]] = offered[value]["pk"]
    return mapping
