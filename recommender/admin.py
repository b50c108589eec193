from django.contrib import admin
from django.utils.html import format_html

from recommender.models import ShopperUpload


@admin.register(ShopperUpload)
class ShopperUploadAdmin(admin.ModelAdmin):
    list_display = ["thumbnail", "detected_type", "detected_color", "type_confidence", "color_confidence",
                    "model_version", "created_at"]
    list_filter = ["detected_slot", "detected_color", "model_version"]
    readonly_fields = [f.name for f in ShopperUpload._meta.fields]

    @admin.display(description="photo")
    def thumbnail(self, upload: ShopperUpload) -> str:
        return format_html('<img src="{}" alt="" style="height:64px">', upload.image.url) if upload.image else "–"

    def has_add_permission(self, request) -> bool:
        return False
