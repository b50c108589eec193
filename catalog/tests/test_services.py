"""The catalog's write services, called directly: the CNN reads photos before any transaction opens (a transaction
holds SQLite's whole-database write lock, and row locks on MariaDB, for as long as it runs), and a garment's photo
files exist only for a row that committed."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, OperationalError, transaction
from django.test import Client
from rest_framework.test import APIClient

import catalog.tasks
from catalog.models import Garment
from catalog.services import (
    garment_create,
    garment_create_from_photo,
    garment_create_tagged,
    garment_photos_kept_only_if_committed,
    garment_update,
    garments_create_from_photos,
    garments_retag,
)
from catalog.tasks import import_photos_job_start
from catalog.tests.factories import image_bytes, solid_image
from classifier.predictor import FakePredictor, get_predictor


@pytest.fixture
def predictions_in_transactions(monkeypatch) -> list[bool]:
    """Whether the database connection was inside a transaction at each call of the (fake) CNN."""
    seen: list[bool] = []
    predict = FakePredictor.predict

    def watched(self, image):
        seen.append(transaction.get_connection().in_atomic_block)
        return predict(self, image)

    monkeypatch.setattr(FakePredictor, "predict", watched)
    return seen


def stored_files(settings) -> list[str]:
    root = settings.MEDIA_ROOT
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()) if root.exists() else []


# A real database context: pytest-django's default test wraps everything in a transaction, where every call would
# look "inside a transaction" and the check could not tell right from wrong.
@pytest.mark.django_db(transaction=True)
def test_the_watch_sees_a_transaction_when_there_is_one(predictions_in_transactions):
    """The check below can fail: a prediction made inside a transaction is seen as such."""
    get_predictor().predict(solid_image("red"))
    with transaction.atomic():
        get_predictor().predict(solid_image("red"))
    assert predictions_in_transactions == [False, True]


@pytest.mark.django_db(transaction=True)
def test_the_cnn_never_runs_inside_a_transaction(predictions_in_transactions, settings):
    staff = APIClient()
    staff.force_authenticate(user=_staff_user())

    garment_create(name="Red tee", image=solid_image("red"), type="t-shirt", color="red")  # embedding only
    garment_create_tagged(name="Blue tee", image=solid_image("blue"))
    garment_create_from_photo(file_name="green_tee.jpg", image=solid_image("green"))
    garments_create_from_photos(files=[SimpleUploadedFile("black_tee.jpg", image_bytes("black"))])
    import_photos_job_start(files=[SimpleUploadedFile("white_tee.jpg", image_bytes("white"))])  # runs in-process
    garments_retag(garments=Garment.objects.all())
    response = staff.post("/api/v1/garments/", {"name": "Yellow tee", "image": _photo("yellow")}, format="multipart")
    assert response.status_code == 201, response.content
    # The admin's garment form (Django runs it in one transaction): a new garment, then a new photo for it.
    console = Client()
    console.force_login(User.objects.create_superuser("admin", "a@example.com", "pw"))
    form = {"name": "Pink tee", "type": "t-shirt", "color": "pink", "season": "all", "is_active": "on"}
    added = console.post("/admin/catalog/garment/add/", {**form, "image": _photo("pink")})
    assert added.status_code == 302, added.content[:500]
    pink = Garment.objects.get(name="Pink tee")
    changed = console.post(f"/admin/catalog/garment/{pink.pk}/change/", {**form, "image": _photo("navy"), "version": 1})
    assert changed.status_code == 302, changed.content[:500]

    assert Garment.objects.count() == 7
    # Seven garments read once, five re-read by the re-tag, the pink one's new photo read once more.
    assert len(predictions_in_transactions) == 7 + 5 + 1
    assert not any(predictions_in_transactions)


@pytest.mark.django_db(transaction=True)
def test_a_garment_photo_read_before_the_transaction_is_named_from_the_reading():
    garment = garment_create_from_photo(file_name="IMG_1234.jpg", image=solid_image("blue"))
    korean = garment_create_from_photo(file_name="린넨 셔츠.jpg", image=solid_image("green"))
    assert (garment.name, garment.type, garment.color) == ("Blue t-shirt", "t-shirt", "blue")
    assert (korean.name, korean.name_ko) == ("Green t-shirt", "린넨 셔츠")
    assert Garment.objects.get(pk=garment.pk).name == "Blue t-shirt"


@pytest.mark.django_db
def test_an_auto_tagged_name_says_the_kind_it_read(monkeypatch):
    """A stylist's IMG_….jpg of shoes read as sneakers is "Black sneakers", not "Black shoes"; re-tagging renames a
    garment named before from its type alone, and keeps a stylist's own name."""
    monkeypatch.setattr(get_predictor(), "type_code", "shoes")
    garment = garment_create_from_photo(file_name="IMG_1234.jpg", image=solid_image("black"))
    assert (garment.name, garment.kind) == ("Black sneakers", "sneakers")
    Garment.objects.filter(pk=garment.pk).update(name="Black shoes", kind="")  # as named before 2 Dec
    own = garment_create_from_photo(file_name="Suede derbies.jpg", image=solid_image("black"))
    garments_retag(garments=Garment.objects.all())
    assert Garment.objects.get(pk=garment.pk).name == "Black sneakers"
    assert Garment.objects.get(pk=own.pk).name == "Suede derbies"


@pytest.mark.django_db
def test_a_failed_insert_leaves_no_garment_photo_behind(monkeypatch, settings):
    def failing_insert(*args, **kwargs):
        raise OperationalError(1205, "Lock wait timeout exceeded")

    monkeypatch.setattr(Garment, "_do_insert", failing_insert)
    with pytest.raises(OperationalError):
        garment_create(name="Red tee", image=solid_image("red"), type="t-shirt", color="red")
    assert not Garment.objects.exists()
    assert stored_files(settings) == []


@pytest.mark.django_db
def test_photos_of_garments_rolled_back_with_their_transaction_are_deleted(settings):
    with pytest.raises(IntegrityError), garment_photos_kept_only_if_committed() as created:
        created.append(garment_create(name="Red tee", image=solid_image("red"), type="t-shirt", color="red"))
        assert len(stored_files(settings)) == 2  # the photo and its thumbnail, written with the row
        raise IntegrityError("the job's record of this photo exists already")
    assert not Garment.objects.exists()
    assert stored_files(settings) == []


@pytest.mark.django_db
def test_an_import_recorded_first_by_another_delivery_keeps_neither_our_garment_nor_its_photo(monkeypatch, settings):
    record = catalog.tasks.chunk_record

    def recorded_elsewhere(**kwargs):
        return False if kwargs["done"] else record(**kwargs)  # the other worker's record of this photo won

    monkeypatch.setattr(catalog.tasks, "chunk_record", recorded_elsewhere)
    job = import_photos_job_start(files=[SimpleUploadedFile("red_tee.jpg", image_bytes("red"))])
    job.refresh_from_db()
    assert job.status == "done"
    assert not Garment.objects.exists()
    assert stored_files(settings) == []  # neither our garment's photo nor the kept upload


@pytest.mark.django_db
def test_a_committed_garment_keeps_its_photo(settings):
    garment = garment_create(name="Red tee", image=solid_image("red"), type="t-shirt", color="red")
    assert sorted(stored_files(settings)) == sorted([garment.image.name, garment.thumbnail.name])


def _staff_user() -> User:
    return User.objects.create_user("stylist", is_staff=True)


def _photo(color: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{color}.jpg", image_bytes(color), "image/jpeg")


@pytest.mark.django_db
def test_garment_update_stores_a_new_photo_with_the_reading_it_is_given(predictions_in_transactions):
    garment = garment_create(name="Red tee", image=solid_image("red"), type="t-shirt", color="red")
    reading = get_predictor().predict(solid_image("navy"))
    calls = len(predictions_in_transactions)
    old_image = garment.image.name
    updated = garment_update(garment=garment, new_image=solid_image("navy"), prediction=reading)
    assert len(predictions_in_transactions) == calls  # the CNN is not asked again
    assert updated.image.name != old_image and updated.version == 2
    stored = Garment.objects.get(pk=garment.pk)
    assert bytes(stored.embedding) == reading.embedding.astype("float32").tobytes()
