from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Catalog")

    def ready(self) -> None:
        # lazy: these modules import models, which can be imported only once the app registry is ready
        from catalog import signals, tasks  # noqa: PLC0415

        signals.connect()
        tasks.job_starters_register()
