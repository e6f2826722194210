"""Counts of the rate limits (testimonies.accounts.throttle), in the database.

Every worker of every machine that shares the database shares the counts. A cache
would lose them: Django's database cache deletes a third of its entries once it
holds 300, so an attacker filling it would lift the limits, and a per-process cache
counts per worker. One row per (limit, subject, window), incremented in place.
"""

from django.db import models


class RateCountQuerySet(models.QuerySet):
    def expired(self, now):
        return self.filter(window_ends__lte=now)


class RateCount(models.Model):
    key = models.CharField(max_length=100, unique=True)
    count = models.PositiveIntegerField(default=0)
    window_ends = models.DateTimeField(db_index=True)

    objects = RateCountQuerySet.as_manager()

    class Meta:
        verbose_name = "rate count"
        default_permissions = ()  # nobody edits these in the admin

    def __str__(self):
        return f"{self.key}: {self.count}"
