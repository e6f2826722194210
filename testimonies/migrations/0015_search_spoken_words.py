"""The search index gains the words of recordings (their transcripts and segment
indexes, marked by access level: testimonies.search.audiences).

Each transcript gains ``text``, its cues' text in order (what search reads, one
row instead of hundreds), filled here from the cues. The stores keep their
tables; the rows of testimonies with recordings are dropped, and the
post_migrate receiver of testimonies.search indexes them again, with their
recordings' words, once all migrations have run (as after 0012 and 0013).
Going back drops the column and leaves the index rows: the older code never
asks for a marked word, and indexes a row again whenever its testimony changes.
"""

from django.db import migrations, models


def fill_texts(apps, schema_editor):
    alias = schema_editor.connection.alias
    Transcript = apps.get_model("testimonies", "Transcript")
    Cue = apps.get_model("testimonies", "Cue")
    for transcript in Transcript.objects.using(alias).only("pk").iterator():
        texts = (
            Cue.objects.using(alias)
            .filter(transcript_id=transcript.pk)
            .order_by("start_ms", "end_ms", "pk")
            .values_list("text", flat=True)
        )
        Transcript.objects.using(alias).filter(pk=transcript.pk).update(
            text="\n".join(texts)
        )


def drop_rows_with_recordings(apps, schema_editor):
    from testimonies.search.backends import backend_for

    store = backend_for(schema_editor.connection)
    if not store.is_installed():
        return
    Recording = apps.get_model("testimonies", "Recording")
    ids = sorted(
        set(
            Recording.objects.using(schema_editor.connection.alias).values_list(
                "testimony_id", flat=True
            )
        )
    )
    store.delete(ids)


class Migration(migrations.Migration):
    dependencies = [("testimonies", "0014_recordings")]

    operations = [
        migrations.AddField(
            model_name="transcript",
            name="text",
            field=models.TextField(
                blank=True, editable=False, verbose_name="text of its cues"
            ),
        ),
        migrations.RunPython(fill_texts, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(
            drop_rows_with_recordings, migrations.RunPython.noop, elidable=False
        ),
    ]
