"""The public DRF API under /api/v1/: thin adapters over the recommendation and catalog services."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from catalog.models import Garment, PairingRule
from catalog.serializers import SimilarItemSerializer
from fashion.cache import rate_limit_hit
from fashion.clients import client_ip, client_key
from fashion.errors import error_body
from fashion.observability import throttle_refusal_record
from recommender.models import ShopperUpload
from recommender.serializers import (
    TAG_FIELDS,
    ChoiceSerializer,
    CorrectionSerializer,
    DetectedSerializer,
    FeedbackSerializer,
    OutfitSerializer,
    RecommendedItemSerializer,
    TagQuerySerializer,
    UploadSerializer,
    detected_payload,
)
from recommender.services import (
    CorrectionReviewed,
    InvalidChoice,
    UploadAnswer,
    correction_create,
    feedback_create,
    recommend_for_tag,
    recommend_for_upload,
    recommend_for_upload_tags,
    upload_answer,
    upload_choose,
)


def _not_a_view(request: HttpRequest) -> HttpResponse:
    """Stands in for the response and the view in the CSRF check below, which calls neither (and is not exempt)."""
    raise AssertionError("the CSRF check does not call the view")


class BrowserWritesNeedCsrf(permissions.BasePermission):
    """Anonymous writes that a browser makes carry Django's CSRF token (the site's own forms and scripts do).

    A browser marks every cross-site or script-made POST with `Origin` (and `Sec-Fetch-Site`), and sends the site's
    cookies; API clients (curl, apps, servers) send none of these and keep working without a token. So a request
    with any of them must pass Django's CSRF check, which refuses other sites' pages making their visitors upload,
    vote or correct.
    """

    message = "CSRF check failed: a browser must send the page's CSRF token (X-CSRFToken)."

    def has_permission(self, request: Request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        meta = request._request.META
        from_browser = any(meta.get(key) for key in ("HTTP_ORIGIN", "HTTP_SEC_FETCH_SITE", "HTTP_COOKIE"))
        if not from_browser:
            return True
        check = CsrfViewMiddleware(_not_a_view)
        check.process_request(request._request)
        if check.process_view(request._request, _not_a_view, (), {}) is not None:
            raise exceptions.PermissionDenied(self.message, code="csrf_failed")
        return True


class ClientThrottle(SimpleRateThrottle):
    """Counts per client: the account when logged in, else the address the trusted proxies saw (fashion/clients.py),
    so X-Forwarded-For written by the client itself changes nothing. The rate is read per request from settings."""

    scope: str
    anonymous_only = False
    # Set by SimpleRateThrottle.__init__ from the rate (None when there is none); missing from the DRF stubs.
    num_requests: int | None
    duration: int | None

    def get_rate(self) -> str | None:
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)  # None: not throttled
        return None if rate is None else str(rate)

    def get_ident(self, request) -> str:
        return client_ip(request)

    def allow_request(self, request, view) -> bool:
        # DRF reads the history, then writes it back: parallel requests in two workers both pass. This is one
        # atomic step in Redis (fashion.cache.rate_limit_hit).
        if self.rate is None or self.num_requests is None or self.duration is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        allowed, self.seconds_to_wait = rate_limit_hit(
            self.cache, self.key, limit=self.num_requests, window=self.duration
        )
        if not allowed:
            throttle_refusal_record(scope=self.scope)
        return allowed

    def wait(self) -> float | None:
        return getattr(self, "seconds_to_wait", None)

    def get_cache_key(self, request, view) -> str | None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if self.anonymous_only:
                return None
            return self.cache_format % {"scope": self.scope, "ident": f"user-{user.pk}"}
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}


class AnonUploadThrottle(ClientThrottle):
    """Anonymous photo uploads per client, API and page together; the rate comes from API_THROTTLE_ANON."""

    scope = "anon_upload"
    anonymous_only = True


class FeedbackThrottle(ClientThrottle):
    """Likes and dislikes per client; the rate comes from API_THROTTLE_FEEDBACK."""

    scope = "feedback"


class CorrectionThrottle(ClientThrottle):
    """Tag corrections per client, API and page together; the rate comes from API_THROTTLE_CORRECTION."""

    scope = "correction"


def throttled_for(request, throttle: ClientThrottle) -> float | None:
    """For the pages: None when the request may go ahead, else the seconds to wait."""
    if throttle.allow_request(request, None):
        return None
    return throttle.wait() or 60.0


TagSchema = inline_serializer(
    "Tag",
    {
        **{name: serializers.CharField() for name in TAG_FIELDS},
        "graphic": serializers.BooleanField(help_text="The print is a big graphic, named so in the reasons."),
    },
)
RecommendationResponse = inline_serializer(
    "RecommendationResponse",
    {
        "upload_id": serializers.UUIDField(),
        "detected": DetectedSerializer(),
        "items": RecommendedItemSerializer(many=True),
        "outfits": OutfitSerializer(many=True),
        "similar": SimilarItemSerializer(many=True),
    },
)
TagRecommendationResponse = inline_serializer(
    "TagRecommendationResponse",
    {"tag": TagSchema, "items": RecommendedItemSerializer(many=True), "outfits": OutfitSerializer(many=True)},
)


def recommendation_payload(recommendation, request: Request, *, upload: ShopperUpload | None = None) -> dict:
    context = {"request": request}
    tag = recommendation.tag
    look_context = {**context, "look_upload_id": upload.public_id if upload is not None else None}
    return {
        "tag": {**{name: getattr(tag, name) for name in TAG_FIELDS}, "graphic": tag.graphic},
        "items": RecommendedItemSerializer(recommendation.items, many=True, context=context).data,
        "outfits": OutfitSerializer(recommendation.outfits, many=True, context=look_context).data,
    }


class RecommendationView(APIView):
    """Recommendations: upload a garment photo (POST) or name its tags (GET)."""

    parser_classes = [MultiPartParser, FormParser]
    permission_classes = [BrowserWritesNeedCsrf]

    def get_throttles(self):
        return [AnonUploadThrottle()] if self.request.method == "POST" else []

    @extend_schema(parameters=[TagQuerySerializer], responses={200: TagRecommendationResponse})
    def get(self, request: Request) -> Response:
        query = TagQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        recommendation = recommend_for_tag(tag=query.tag(), limit=data["limit"], outfits=data["outfits"])
        return Response(recommendation_payload(recommendation, request))

    @extend_schema(request=UploadSerializer, responses={200: RecommendationResponse})
    def post(self, request: Request) -> Response:
        upload = UploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        try:
            result = recommend_for_upload(
                image_file=data["image"], limit=data["limit"], garment=data["garment"], box=data["box"]
            )
        except InvalidChoice as exc:
            return Response(error_body(detail=str(exc), code="invalid_choice"), status=status.HTTP_400_BAD_REQUEST)
        return Response(
            upload_payload(upload_answer(upload=result.upload, recommendation=result.recommendation), request)
        )


def upload_payload(result: UploadAnswer, request: Request) -> dict:
    """An upload's answer: what was read (every garment of a whole-outfit photo), what goes with the matched one."""
    return {
        "upload_id": str(result.upload.public_id),
        "detected": detected_payload(result),
        **recommendation_payload(result.recommendation, request, upload=result.upload),
        "similar": SimilarItemSerializer(result.similar, many=True, context={"request": request}).data,
    }


class ChoiceView(APIView):
    """In a whole-outfit photo, match another detected garment (or a crop the shopper drew)."""

    parser_classes = [JSONParser, FormParser, MultiPartParser]
    permission_classes = [BrowserWritesNeedCsrf]
    throttle_classes = [CorrectionThrottle]

    @extend_schema(request=ChoiceSerializer, responses={200: RecommendationResponse})
    def post(self, request: Request, upload_id) -> Response:
        upload = get_object_or_404(ShopperUpload, public_id=upload_id)
        choice = ChoiceSerializer(data=request.data)
        choice.is_valid(raise_exception=True)
        try:
            upload_choose(upload=upload, garment=choice.validated_data["garment"], box=choice.validated_data["box"])
        except InvalidChoice as exc:
            return Response(error_body(detail=str(exc), code="invalid_choice"), status=status.HTTP_400_BAD_REQUEST)
        except CorrectionReviewed as exc:
            return Response(error_body(detail=str(exc), code="correction_reviewed"), status=status.HTTP_409_CONFLICT)
        return Response(upload_payload(upload_answer(upload=upload), request))


class CorrectionView(APIView):
    """The shopper corrects what the CNN read (one tap), and gets recommendations for the corrected tags."""

    parser_classes = [JSONParser, FormParser, MultiPartParser]
    permission_classes = [BrowserWritesNeedCsrf]
    throttle_classes = [CorrectionThrottle]

    @extend_schema(request=CorrectionSerializer, responses={200: TagRecommendationResponse})
    def post(self, request: Request, upload_id) -> Response:
        upload = get_object_or_404(ShopperUpload, public_id=upload_id)
        correction = CorrectionSerializer(data=request.data)
        correction.is_valid(raise_exception=True)
        try:
            correction_create(upload=upload, **correction.validated_data)
        except CorrectionReviewed as exc:
            body = error_body(detail=str(exc), code="correction_reviewed")
            return Response(body, status=status.HTTP_409_CONFLICT)
        except InvalidChoice as exc:  # a kind of another type than the garment's
            body = error_body(detail=str(exc), code="invalid", fields={"kind": [str(exc)]})
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        recommendation = recommend_for_upload_tags(upload=upload)
        return Response(recommendation_payload(recommendation, request, upload=upload))


class FeedbackView(APIView):
    """Like or dislike a recommended item; no login needed, throttled per client."""

    parser_classes = [JSONParser, FormParser, MultiPartParser]
    permission_classes = [BrowserWritesNeedCsrf]
    throttle_classes = [FeedbackThrottle]

    @extend_schema(
        request=FeedbackSerializer,
        responses={
            201: inline_serializer(
                "FeedbackResponse", {"id": serializers.IntegerField(), "vote": serializers.CharField()}
            )
        },
    )
    def post(self, request: Request) -> Response:
        payload = FeedbackSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        garment = get_object_or_404(Garment, pk=data["garment_id"], is_active=True)
        rule = PairingRule.objects.filter(pk=data.get("rule_id")).first() if data.get("rule_id") else None
        upload = ShopperUpload.objects.filter(public_id=data["upload_id"]).first() if data.get("upload_id") else None
        feedback = feedback_create(
            garment=garment,
            vote=1 if data["vote"] == "like" else -1,
            input_slot=data["slot"],
            input_color=data["color"],
            rule=rule,
            upload=upload,
            client_key=client_key(request),
        )
        # One counted vote per client and garment: voting again changes that vote (200) rather than adding one.
        code = status.HTTP_201_CREATED if feedback.created_now else status.HTTP_200_OK
        return Response({"id": feedback.id, "vote": data["vote"]}, status=code)
