from django.urls import path, register_converter

from recommender import views

app_name = "recommender"


class LookKeyConverter:
    """A signed look key (URL-safe base64 and colons); the signature itself is checked by the view."""

    regex = r"[A-Za-z0-9_\-:.]{1,400}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(LookKeyConverter, "lookkey")

urlpatterns = [
    path("", views.home, name="home"),
    path("recommend/", views.recommend, name="recommend"),
    path("recommend/<uuid:public_id>/", views.upload_result, name="upload-result"),
    path("recommend/<uuid:public_id>/correct/", views.correct_upload, name="upload-correct"),
    path("recommend/<uuid:public_id>/choose/", views.choose_garment, name="upload-choose"),
    path("feedback/", views.feedback, name="feedback"),
    path("garments/<int:pk>/", views.garment_detail, name="garment-detail"),
    path("goes-with/<str:slot>/<str:color>/", views.goes_with, name="goes-with"),
    path("looks/<lookkey:key>.jpg", views.look_image, name="look-image"),
]
