"""The public DRF API under /api/v1/: thin adapters over the recommendation and catalog services."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from catalog.models import Garment, PairingRule
from catalog.services import garment_create_tagged, garment_update, garments_delete
from catalog.similarity import garments_similar_to, garments_similar_to_embedding
from catalog.tags import Tag
from classifier.imaging import InvalidImage
from fashion.observability import throttle_refusal_record
from recommender.models import ShopperUpload
from recommender.serializers import (
    CorrectionSerializer,
    DetectedSerializer,
    FeedbackSerializer,
    GarmentCreateSerializer,
    GarmentQuerySerializer,
    GarmentSerializer,
    OutfitSerializer,
    PairingRuleSerializer,
    RecommendedItemSerializer,
    SimilarItemSerializer,
    TagQuerySerializer,
    UploadSerializer,
    detected_payload,
)
from recommender.services import (
    DEFAULT_OUTFITS,
    correction_create,
    feedback_create,
    garments_filtered,
    recommend_for_tag,
    recommend_for_upload,
    upload_tag,
)
from recommender.uploads import upload_open_image


def exception_handler(exc, context):
    """DRF's handler, plus: an unusable image or a model-level validation error is the client's 400, with a reason."""
    if isinstance(exc, InvalidImage):
        return Response({"detail": str(exc), "code": "invalid_image"}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


class IsStaffOrReadOnly(permissions.BasePermission):
    message = "Changing the catalog needs a staff account."

    def has_permission(self, request: Request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)


class _RateFromSettings:
    """Read the rate when the throttle is built, not when DRF was imported, so settings changes apply."""

    scope: str

    def get_rate(self) -> str | None:
        rate = api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        return None if rate is None else str(rate)

    def allow_request(self, request: Request, view: APIView) -> bool:
        allowed = super().allow_request(request, view)  # type: ignore[misc]  # the throttle class this is mixed into
        if not allowed:
            throttle_refusal_record(scope=self.scope)
        return allowed


class AnonUploadThrottle(_RateFromSettings, AnonRateThrottle):
    """Anonymous photo uploads per IP; the rate comes from API_THROTTLE_ANON."""

    scope = "anon_upload"


class FeedbackThrottle(_RateFromSettings, SimpleRateThrottle):
    """Likes and dislikes per client (IP for anonymous shoppers); the rate comes from API_THROTTLE_FEEDBACK."""

    scope = "feedback"

    def get_cache_key(self, request, view) -> str:
        ident = request.user.pk if request.user and request.user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


TagSchema = inline_serializer(
    "Tag", {"slot": serializers.CharField(), "color": serializers.CharField(), "type": serializers.CharField()}
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
        "tag": {"slot": tag.slot, "color": tag.color, "type": tag.type},
        "items": RecommendedItemSerializer(recommendation.items, many=True, context=context).data,
        "outfits": OutfitSerializer(recommendation.outfits, many=True, context=look_context).data,
    }


class RecommendationView(APIView):
    """Recommendations: upload a garment photo (POST) or name its tags (GET)."""

    parser_classes = [MultiPartParser, FormParser]
    permission_classes = [permissions.AllowAny]

    def get_throttles(self):
        return [AnonUploadThrottle()] if self.request.method == "POST" else []

    @extend_schema(parameters=[TagQuerySerializer], responses={200: TagRecommendationResponse})
    def get(self, request: Request) -> Response:
        query = TagQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        tag = Tag(slot=data["slot"], color=data["color"], type=data["type"])
        recommendation = recommend_for_tag(tag=tag, limit=data["limit"], outfits=data["outfits"])
        return Response(recommendation_payload(recommendation, request))

    @extend_schema(request=UploadSerializer, responses={200: RecommendationResponse})
    def post(self, request: Request) -> Response:
        upload = UploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        result = recommend_for_upload(image_file=upload.validated_data["image"], limit=upload.validated_data["limit"])
        similar = garments_similar_to_embedding(embedding=result.prediction.embedding, k=6)
        return Response(
            {
                "upload_id": str(result.upload.public_id),
                "detected": detected_payload(result.prediction),
                **recommendation_payload(result.recommendation, request, upload=result.upload),
                "similar": SimilarItemSerializer(similar, many=True, context={"request": request}).data,
            }
        )


class CorrectionView(APIView):
    """The shopper corrects what the CNN read (one tap), and gets recommendations for the corrected tags."""

    parser_classes = [JSONParser, FormParser, MultiPartParser]
    permission_classes = [permissions.AllowAny]
    throttle_classes = [AnonUploadThrottle]

    @extend_schema(request=CorrectionSerializer, responses={200: TagRecommendationResponse})
    def post(self, request: Request, upload_id) -> Response:
        upload = get_object_or_404(ShopperUpload, public_id=upload_id)
        correction = CorrectionSerializer(data=request.data)
        correction.is_valid(raise_exception=True)
        correction_create(upload=upload, **correction.validated_data)
        recommendation = recommend_for_tag(tag=upload_tag(upload=upload), outfits=DEFAULT_OUTFITS)
        return Response(recommendation_payload(recommendation, request, upload=upload))


class FeedbackView(APIView):
    """Like or dislike a recommended item; no login needed, throttled per client."""

    parser_classes = [JSONParser, FormParser, MultiPartParser]
    permission_classes = [permissions.AllowAny]
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
        )
        return Response({"id": feedback.id, "vote": data["vote"]}, status=status.HTTP_201_CREATED)


@extend_schema(parameters=[GarmentQuerySerializer])
class GarmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Catalog garments. Anyone may read active garments; staff may add, edit and remove them."""

    serializer_class = GarmentSerializer
    permission_classes = [IsStaffOrReadOnly]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        if self.action == "list":
            query = GarmentQuerySerializer(data=self.request.query_params)
            query.is_valid(raise_exception=True)
            return garments_filtered(**query.validated_data)
        staff = self.request.user.is_authenticated and self.request.user.is_staff
        return Garment.objects.all() if staff else Garment.objects.filter(is_active=True)

    def perform_update(self, serializer: BaseSerializer[Garment]) -> None:
        garment = serializer.instance
        assert garment is not None  # an update always has the garment it updates
        for field, value in serializer.validated_data.items():
            setattr(garment, field, value)
        garment_update(garment=garment, tags_changed=bool({"type", "color"} & set(serializer.validated_data)))

    def perform_destroy(self, garment: Garment) -> None:
        garments_delete(garments=[garment])

    @extend_schema(responses={200: inline_serializer("SimilarItems", {"items": SimilarItemSerializer(many=True)})})
    @action(detail=True, methods=["get"])
    def similar(self, request: Request, pk=None) -> Response:
        """Catalog garments that look most like this one (cosine similarity of CNN embeddings)."""
        garment = self.get_object()
        similar = garments_similar_to(garment=garment, k=12)
        return Response({"items": SimilarItemSerializer(similar, many=True, context={"request": request}).data})

    @extend_schema(request=GarmentCreateSerializer, responses={201: GarmentSerializer})
    def create(self, request: Request) -> Response:
        payload = GarmentCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        image = upload_open_image(data.pop("image"))
        garment = garment_create_tagged(image=image, **data)
        return Response(GarmentSerializer(garment, context={"request": request}).data, status=status.HTTP_201_CREATED)


class PairingRuleViewSet(viewsets.ModelViewSet):
    """Stylist pairing rules. Anyone may read active rules; staff may create and edit them."""

    serializer_class = PairingRuleSerializer
    permission_classes = [IsStaffOrReadOnly]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_queryset(self):
        staff = self.request.user.is_authenticated and self.request.user.is_staff
        return PairingRule.objects.all() if staff else PairingRule.objects.filter(is_active=True)

    def perform_create(self, serializer: BaseSerializer[PairingRule]) -> None:
        serializer.save(author=self.request.user)
