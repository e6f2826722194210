"""Photos and documents attached to a testimony.

Files are stored under random names, never the uploader's, so a file's address tells
nothing and cannot be guessed from another. Validation, metadata stripping and
thumbnails live in :mod:`testimonies.media`. Each keeps the SHA-256 of its stored
file, taken when it was stored, so that ``check_fixity`` can tell a file that
changed or vanished on disk (:mod:`testimonies.fixity`).
"""

from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from .. import media


class AttachmentQuerySet(models.QuerySet):
    def for_fixity(self):
        """What a fixity check reads of each attachment: its file, hash, testimony."""
        return self.select_related("testimony").only(
            "pk", "sha256", "testimony__identifier", self.model.FILE_FIELD
        )


def sha256_field():
    return models.CharField(
        _("SHA-256"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("Checksum of the stored file, taken when it was stored."),
    )


class Photo(models.Model):
    testimony = models.ForeignKey(
        "Testimony",
        verbose_name=_("testimony"),
        on_delete=models.CASCADE,
        related_name="photos",
    )
    image = models.ImageField(
        _("image"),
        upload_to=media.photo_path,
        width_field="width",
        height_field="height",
        validators=[media.validate_image_upload],
    )
    thumbnail = models.ImageField(
        _("thumbnail"), upload_to=media.thumbnail_path, blank=True, editable=False
    )
    width = models.PositiveIntegerField(_("width"), null=True, editable=False)
    height = models.PositiveIntegerField(_("height"), null=True, editable=False)
    alt_text = models.CharField(
        _("alternative text"),
        max_length=300,
        help_text=_("What the image shows, for readers who cannot see it."),
    )
    caption = models.TextField(_("caption"), blank=True)
    credit = models.CharField(_("credit"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    sha256 = sha256_field()

    objects = AttachmentQuerySet.as_manager()

    # The stored file that the checksum is of; the thumbnail is made from it again.
    FILE_FIELD = "image"

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.alt_text or self.image.name

    def save(self, *args, **kwargs):
        media.prepare_photo(self)
        super().save(*args, **kwargs)


class Document(models.Model):
    testimony = models.ForeignKey(
        "Testimony",
        verbose_name=_("testimony"),
        on_delete=models.CASCADE,
        related_name="documents",
    )
    file = models.FileField(
        _("file"),
        upload_to=media.document_path,
        validators=[media.validate_document_upload],
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    credit = models.CharField(_("credit"), max_length=200, blank=True)
    content_type = models.CharField(
        _("content type"), max_length=100, blank=True, editable=False
    )
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, editable=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    sha256 = sha256_field()

    objects = AttachmentQuerySet.as_manager()

    FILE_FIELD = "file"

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        media.prepare_document(self)
        super().save(*args, **kwargs)


@receiver(post_delete, sender=Photo)
@receiver(post_delete, sender=Document)
def delete_files_with_attachment(sender, instance, **kwargs):
    """Django leaves files behind on delete; a removed photo must not stay reachable."""
    media.delete_stored_files(instance)
