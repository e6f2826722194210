from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TestimoniesConfig(AppConfig):
    name = "testimonies"
    verbose_name = _("Testimonies")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth.signals import user_login_failed

        # The search index follows every change to what it holds.
        from .accounts.backends import count_failure
        from .search import signals

        signals.connect(self)
        user_login_failed.connect(count_failure, dispatch_uid="accounts.failures")
