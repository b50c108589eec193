from django.apps import AppConfig
from django.db.models.signals import post_delete


class RecommenderConfig(AppConfig):
    name = "recommender"
    verbose_name = "Recommendations"

    def ready(self) -> None:
        from recommender.look_images import upload_deleted
        from recommender.models import ShopperUpload

        # A shopper's photo also appears in composed look pictures: they are deleted with the upload.
        post_delete.connect(upload_deleted, sender=ShopperUpload, dispatch_uid="look_images_upload_deleted")
