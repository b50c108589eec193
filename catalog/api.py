"""The catalog's DRF API under /api/v1/: garments and stylist rules, thin adapters over the catalog services."""

from __future__ import annotations

from typing import TypeVar, cast

from django.db import transaction
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from catalog.models import Garment, PairingRule
from catalog.selectors import garments_filtered
from catalog.serializers import (
    GarmentCreateSerializer,
    GarmentQuerySerializer,
    GarmentSerializer,
    PairingRuleSerializer,
    SimilarItemSerializer,
)
from catalog.services import edit_start, garment_create_tagged, garment_update, garments_delete, pairing_rule_update
from catalog.similarity import garments_similar_to
from catalog.uploads import upload_open_image

Edited = TypeVar("Edited", Garment, PairingRule)


class IsStaffOrReadOnly(permissions.BasePermission):
    message = "Changing the catalog needs a staff account."

    def has_permission(self, request: Request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)


def expected_version(request: Request, changes: dict) -> int | None:
    """The version an edit is based on: `version` in the body, else an If-Match header ("3" or W/"3"), else None
    (then the edit applies to the current row under a lock: fields it does not name are never overwritten)."""
    version = changes.pop("version", None)
    if version is not None:
        return version
    match = request.headers.get("If-Match", "").strip().removeprefix("W/").strip('"')
    return int(match) if match.isdigit() else None


def edit_applied(request: Request, serializer: BaseSerializer[Edited], model: type[Edited]) -> tuple[Edited, set[str]]:
    """Inside a transaction: lock the row an update names at the version the client saw (EditConflict, a 409, when it
    has moved on) and apply the validated changes. Returns the row, unsaved, and the fields whose value changed."""
    changes = dict(serializer.validated_data)
    row = edit_start(
        model=model,
        pk=cast(Edited, serializer.instance).pk,  # an update is always bound to the row it changes
        expected_version=expected_version(request, changes),
    )
    changed = {field for field, value in changes.items() if getattr(row, field) != value}
    for field, value in changes.items():
        setattr(row, field, value)
    return row, changed


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
        with transaction.atomic():
            garment, _ = edit_applied(self.request, serializer, Garment)
            # Type or colour sent by a stylist, even unchanged (a confirmation), make the stylist the tagger.
            garment_update(
                garment=garment,
                tags_changed=bool({"type", "color"} & set(serializer.validated_data)),
                name_given="name" in serializer.validated_data,
            )
        serializer.instance = garment

    def perform_destroy(self, garment: Garment) -> None:
        garments_delete(garments=[garment])

    @extend_schema(responses={200: inline_serializer("SimilarItems", {"items": SimilarItemSerializer(many=True)})})
    @action(detail=True, methods=["get"])
    def similar(self, request: Request, pk=None) -> Response:
        """Catalog garments that look most like this one (cosine similarity of CNN embeddings): of its slot, those of
        its type first, and of its type and colour before those; children's garments for a child's, grown-ups' for a
        grown-up's."""
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
        serializer.validated_data.pop("version", None)
        serializer.save(author=self.request.user)

    def perform_update(self, serializer: BaseSerializer[PairingRule]) -> None:
        with transaction.atomic():
            rule, changed = edit_applied(self.request, serializer, PairingRule)
            pairing_rule_update(rule=rule, changed_fields=changed)
        serializer.instance = rule
