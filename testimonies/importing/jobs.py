"""Imports uploaded in the admin, run by the task worker: checked, then imported.

The admin stores the file as an :class:`~testimonies.models.ImportJob` and queues
:func:`check_job`, a dry run of the whole file (every problem, or what it would
change), so that no web request reads a 100,000-line file. The archivist reads
the result on the job's page and confirms; :func:`run_job` then imports it, the
same :func:`~testimonies.importing.import_testimonies` as the command line: one
transaction, all or nothing. Both say how far they are in the job's progress
file, which the page shows as it reloads itself.
"""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from ..models import ImportJob
from . import ImportFailed, import_testimonies
from .problems import ImportRefused

logger = logging.getLogger(__name__)


def submit(job):
    """Queue the check of a new ``job`` once its row is committed."""
    pk = job.pk
    transaction.on_commit(lambda: check_job.enqueue(pk))


def confirm(job, mapping=None):
    """Queue the import of a checked ``job``, with the stored tags chosen for
    new names (``mapping``, see ``import_testimonies``); False when it is not
    (any more) ready to import (checked twice, or a second click)."""
    started = ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.CHECKED).update(
        state=ImportJob.State.IMPORTING, message="", mapping=mapping or {}
    )
    if started:
        pk = job.pk
        transaction.on_commit(lambda: run_job.enqueue(pk))
    return bool(started)


@task()
def check_job(job_id):
    """Check the whole file without writing anything."""
    return _run(job_id, dry_run=True)


@task()
def run_job(job_id):
    """Import the file (checked again: the archive may have changed since)."""
    return _run(job_id, dry_run=False)


def _run(job_id, *, dry_run):
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        return "gone"
    path = job.progress_path
    path.parent.mkdir(parents=True, exist_ok=True)

    def progress(message):
        path.write_text(str(message), encoding="utf-8")

    progress(_("Reading the file…"))
    fields = {"finished_at": timezone.now(), "problems": [], "problem_count": 0}
    try:
        with job.file.open("rb") as stream:
            result = import_testimonies(
                stream,
                dry_run=dry_run,
                progress=progress,
                name=job.name,
                mapping=None if dry_run else job.mapping,
            )
    except ImportRefused as refused:
        state = ImportJob.State.CHECKED if not dry_run else ImportJob.State.FAILED
        fields.update(state=state, message=refused.report())
    except ImportFailed as failed:
        fields.update(
            state=ImportJob.State.REFUSED,
            message=failed.report(limit=0).splitlines()[0],
            problem_count=len(failed.problems),
            problems=[
                {"line": p.line, "field": p.field, "message": str(p.message)}
                for p in failed.problems[: ImportJob.MAX_PROBLEMS]
            ],
        )
    except Exception:
        logger.exception("Import %s failed", job_id)
        fields.update(
            state=ImportJob.State.FAILED,
            message=_(
                "The import stopped on an error of the archive's own; nothing was "
                "imported. The error is in the server's log."
            ),
        )
    else:
        fields.update(
            state=ImportJob.State.CHECKED if dry_run else ImportJob.State.DONE,
            summary={
                "created": result.created,
                "updated": result.updated,
                "themes_created": result.themes_created,
                "places_created": result.places_created,
                "narrators_created": result.narrators_created,
                "sources_created": result.sources_created,
                "new_themes": result.new_themes[:200],
                "new_places": result.new_places[:200],
                "matched": [list(pair) for pair in result.matched[:200]],
                "suggestions": result.suggestions,
                "updates": result.updates,
            },
        )
    finally:
        path.unlink(missing_ok=True)
    ImportJob.objects.filter(pk=job_id).update(**fields)
    return fields["state"]
