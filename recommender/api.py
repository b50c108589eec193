"""The public DRF API under /api/v1/: thin adapters over the recommendation and catalog services."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from catalog.models import Garment, PairingRule
from catalog.services import garment_create_tagged
from classifier.imaging import InvalidImage
from recommender.engine import Tag
from recommender.serializers import (
    DetectedSerializer,
    GarmentCreateSerializer,
    GarmentQuerySerializer,
    GarmentSerializer,
    PairingRuleSerializer,
    RecommendedItemSerializer,
    TagQuerySerializer,
    UploadSerializer,
    detected_payload,
)
from recommender.services import garments_filtered, recommend_for_tag, recommend_for_upload
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


class AnonUploadThrottle(AnonRateThrottle):
    """Anonymous photo uploads per IP; the rate comes from API_THROTTLE_ANON."""

    scope = "anon_upload"


RecommendationResponse = inline_serializer(
    "RecommendationResponse",
    {"detected": DetectedSerializer(), "items": RecommendedItemSerializer(many=True)},
)
TagRecommendationResponse = inline_serializer(
    "TagRecommendationResponse",
    {
        "tag": inline_serializer("Tag", {"slot": serializers.CharField(), "color": serializers.CharField(),
                                          "type": serializers.CharField()}),
        "items": RecommendedItemSerializer(many=True),
    },
)


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
        recommendation = recommend_for_tag(tag=tag, limit=data["limit"])
        items = RecommendedItemSerializer(recommendation.items, many=True, context={"request": request}).data
        return Response({"tag": {"slot": tag.slot, "color": tag.color, "type": tag.type}, "items": items})

    @extend_schema(request=UploadSerializer, responses={200: RecommendationResponse})
    def post(self, request: Request) -> Response:
        upload = UploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        result = recommend_for_upload(image_file=upload.validated_data["image"], limit=upload.validated_data["limit"])
        items = RecommendedItemSerializer(result.recommendation.items, many=True, context={"request": request}).data
        return Response(
            {"upload_id": str(result.upload.public_id), "detected": detected_payload(result.prediction), "items": items}
        )


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

    def perform_update(self, serializer: GarmentSerializer) -> None:
        garment = serializer.instance
        for field, value in serializer.validated_data.items():
            setattr(garment, field, value)
        if "type" in serializer.validated_data:
            from catalog.vocabulary import slot_of_type

            garment.slot = slot_of_type(garment.type)
        try:
            garment.full_clean()
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc
        garment.save()

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

    def perform_create(self, serializer: PairingRuleSerializer) -> None:
        serializer.save(author=self.request.user)

