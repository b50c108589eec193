from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import LoginView
from django.urls import include, path, re_path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from catalog import api as catalog_api
from fashion.health import healthz
from fashion.login import login_attempts_limited
from fashion.observability import metrics_view
from recommender import api

router = DefaultRouter()
router.register("garments", catalog_api.GarmentViewSet, basename="garment")
router.register("rules", catalog_api.PairingRuleViewSet, basename="rule")

# Under /api/ errors are JSON in the API's one envelope (fashion/errors.py); elsewhere Django's pages.
handler400 = "fashion.middleware.bad_request"
handler403 = "fashion.middleware.permission_denied"
handler404 = "fashion.middleware.page_not_found"
handler500 = "fashion.middleware.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics_view, name="metrics"),
    path("admin/login/", login_attempts_limited(admin.site.login), name="admin-login"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/recommendations/", api.RecommendationView.as_view(), name="api-recommendations"),
    path("api/v1/recommendations/<uuid:upload_id>/correction/", api.CorrectionView.as_view(), name="api-correction"),
    path("api/v1/recommendations/<uuid:upload_id>/choice/", api.ChoiceView.as_view(), name="api-choice"),
    path("api/v1/feedback/", api.FeedbackView.as_view(), name="api-feedback"),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path(
        "api-auth/login/",
        login_attempts_limited(LoginView.as_view(template_name="rest_framework/login.html")),
        name="api-login",
    ),
    path("api-auth/", include("rest_framework.urls")),
    path("", include("classifier.urls")),
    path("", include("recommender.urls")),
]


def serve_media(request, path: str):
    # MEDIA_ROOT is read per request (tests point it at a temporary folder).
    return serve(request, path, document_root=str(settings.MEDIA_ROOT))


if settings.SERVE_MEDIA:
    urlpatterns += [re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.+)$", serve_media, name="media")]
