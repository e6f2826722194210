from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TestimoniesConfig(AppConfig):
    name = "testimonies"
    verbose_name = _("Testimonies")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        # The search index follows every change to what it holds.
        from .accounts.backends import refund_success
        from .search import signals

        signals.connect(self)
        user_logged_in.connect(refund_success, dispatch_uid="accounts.sign_ins")
