from django.apps import AppConfig
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _


class RecommenderConfig(AppConfig):
    name = "recommender"
    verbose_name = _("Recommendations")

    def ready(self) -> None:
        # lazy: these modules import models, which can be imported only once the app registry is ready
        from recommender import tasks  # noqa: PLC0415
        from recommender.look_images import upload_deleted  # noqa: PLC0415
        from recommender.models import ShopperUpload  # noqa: PLC0415

        # A shopper's photo also appears in composed look pictures: they are deleted with the upload.
        post_delete.connect(upload_deleted, sender=ShopperUpload, dispatch_uid="look_images_upload_deleted")
        tasks.job_starters_register()
