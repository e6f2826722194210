"""Bulk reads and writes that cost a few queries per thousand rows, not one a row."""

from django.db import connection

BATCH = 2_000


def batches(items, size=BATCH):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def in_chunks(queryset, field, values):
    """``queryset.filter(field__in=values)``, chunked to fit SQLite's variable limit."""
    values = list(values)
    size = max((connection.features.max_query_params or 10_000) - 99, 1)
    for chunk in batches(values, size):
        yield from queryset.filter(**{f"{field}__in": chunk})


def update_rows(model, objects, names):
    """Write the fields ``names`` of ``objects`` (which have primary keys).

    Like ``QuerySet.bulk_update()``, but as one ``UPDATE … WHERE pk = %s`` run
    with many parameter sets (``executemany``). bulk_update builds a CASE
    expression per row and field, which costs about a millisecond a row in
    Python (measured: 430 updates/s on 20,000 testimonies); this costs
    microseconds, is still one logged query per batch, and takes the values
    through each field's own ``get_db_prep_save()``.
    """
    fields = [model._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    sql = "UPDATE {table} SET {columns} WHERE {pk} = %s".format(
        table=quote(model._meta.db_table),
        columns=", ".join(f"{quote(field.column)} = %s" for field in fields),
        pk=quote(model._meta.pk.column),
    )
    with connection.cursor() as cursor:
        for batch in batches(objects):
            rows = [
                [
                    field.get_db_prep_save(getattr(obj, field.attname), connection)
                    for field in fields
                ]
                + [obj.pk]
                for obj in batch
            ]
            cursor.executemany(sql, rows)
