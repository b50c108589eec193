"""Run inside a serving-only virtualenv: migrate a throwaway SQLite database, POST a photo to the API (TFLite
prediction) and report whether TensorFlow or Keras were imported. Used by scripts/check-serving-install.sh."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fashion.settings.local")
os.environ["DATABASE_URL"] = f"sqlite:///{sys.argv[1]}"

import django  # noqa: E402

django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

call_command("migrate", verbosity=0)
photos = Path(os.environ["FASHION_DATASET_DIR"]) / "images"
data = sorted(photos.glob("*.jpg"))[0].read_bytes()
response = Client().post(
    "/api/v1/recommendations/", {"image": SimpleUploadedFile("p.jpg", data, content_type="image/jpeg")}
)
tensorflow = sorted(m for m in sys.modules if m.split(".")[0] in {"tensorflow", "keras", "tf_keras"})
print(f"POST /api/v1/recommendations/ -> {response.status_code}", response.json().get("detected", {}).get("type"))
print(f"TensorFlow/Keras modules imported: {len(tensorflow)}")
sys.exit(0 if response.status_code == 200 and not tensorflow else 1)
