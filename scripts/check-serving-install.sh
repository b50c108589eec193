#!/usr/bin/env bash
# A serving-only install works without TensorFlow and resolves for Linux aarch64:
#  1. a fresh venv gets requirements/serving.txt (hash-checked), the web app imports and serves a TFLite prediction,
#     and no tensorflow/keras module was imported;
#  2. every pinned package of serving.txt is available as an aarch64 wheel for CPython 3.11 (hash-checked), except
#     mysqlclient, which is an sdist everywhere (built against libmariadb-dev).
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${SERVE_VENV:-/tmp/serve-venv}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export FASHION_DATASET_DIR="${FASHION_DATASET_DIR:-$(cd .. && pwd)/shared/datasets/clothing-dataset}"

rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install -q --require-hashes -r requirements/serving.txt
echo "serving venv: $(du -sh "$venv" | cut -f1)"
"$venv/bin/python" -c "import tensorflow" 2>/dev/null && { echo "tensorflow is installed in the serving venv" >&2; exit 1; }
CLASSIFIER_BACKEND=tflite "$venv/bin/python" scripts/serving_check.py "$work/db.sqlite3"

awk '/^mysqlclient==/{skip=1; next} skip && /^ +--hash/{next} {skip=0; print}' requirements/serving.txt > "$work/no-mysqlclient.txt"
"$venv/bin/pip" download -q --no-deps --require-hashes --only-binary=:all: \
  --platform manylinux2014_aarch64 --platform manylinux_2_17_aarch64 --platform manylinux_2_26_aarch64 \
  --platform manylinux_2_27_aarch64 --platform manylinux_2_28_aarch64 --platform linux_aarch64 \
  --python-version 3.11 --implementation cp --abi cp311 --abi abi3 --abi none \
  -d "$work/aarch64" -r "$work/no-mysqlclient.txt"
"$venv/bin/pip" download -q --no-deps --no-binary=:all: -d "$work/sdist" "$(grep -o '^mysqlclient==[^ ]*' requirements/serving.txt)"
echo "aarch64: $(ls "$work/aarch64" | wc -l) wheels + $(ls "$work/sdist")"
