"""Personal API tokens: a researcher's scripts read the API and downloads as the
researcher (docs/api.md "Tokens"). Only a hash of each token is stored; the
token itself is shown once, when it is made (testimonies.accounts.tokens)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiTokenQuerySet(models.QuerySet):
    def active(self, now=None):
        """Tokens that open the API now: neither revoked nor expired."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(
        _("name"),
        max_length=100,
        help_text=_("What the token is for, so that you know which one to revoke."),
    )
    #: The public part of the token, shown in lists and used to find it.
    lookup = models.CharField(_("beginning"), max_length=16, unique=True)
    #: SHA-256 of the whole token: tokens are long and random, so a fast hash
    #: is as strong as a slow one and costs nothing per request.
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]
        # Made and deleted by their owners only; archivists see and revoke them.
        default_permissions = ("change", "view")

    def __str__(self):
        return f"{self.name} (ta_{self.lookup}…)"

    @property
    def is_active(self):
        return self.revoked_at is None and self.expires_at > timezone.now()
