"""Signals of the testimonies app.

``testimonies_changed`` is sent whenever testimonies or their tags change *without*
``Testimony.save()`` running for each one: ``QuerySet.update()``, ``bulk_create``,
``bulk_update``, an import, a tag merge. Receivers (the search index) then catch up
in the same transaction.

Bulk writers do not send it themselves: they call
:func:`testimonies.history.record_changes`, which sends it once and writes the
versions the history page shows, so neither is forgotten. It is sent as::

    testimonies_changed.send(sender=Testimony, ids=[...])
"""

from django.dispatch import Signal

testimonies_changed = Signal()
