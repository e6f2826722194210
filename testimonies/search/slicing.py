"""A list that is counted and loaded a slice at a time, as Django's
``Paginator`` takes it: ``count()``, ``len()``, truth, iteration and plain slices.
"""


class SlicedList:
    """Subclasses give ``count()`` and ``_load(offset, limit)``."""

    # Paginator warns about unordered object lists; these always have an order.
    ordered = True

    def count(self):
        raise NotImplementedError

    def _load(self, offset, limit):
        raise NotImplementedError

    def __len__(self):
        return self.count()

    def __bool__(self):
        return self.count() > 0

    def __iter__(self):
        total, step = self.count(), 200
        for start in range(0, total, step):
            yield from self[start : start + step]

    def __getitem__(self, key):
        if isinstance(key, int):
            if key < 0:
                raise IndexError("Negative indexing is not supported.")
            items = self[key : key + 1]
            if not items:
                raise IndexError("Search result index out of range.")
            return items[0]
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise TypeError("Search results take an index or a plain slice.")
        start = key.start or 0
        stop = self.count() if key.stop is None else key.stop
        if start < 0 or stop < 0:
            raise IndexError("Negative indexing is not supported.")
        return self._load(start, stop - start) if stop > start else []
