"""Tags as dictionary keys: hashed once, and a pickled tag (the shared recommendation cache) hashes right elsewhere."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

from catalog.tags import Tag


def test_equal_tags_are_one_key_and_the_cached_hash_does_not_travel_in_a_pickle():
    tag = Tag("top", "red", "t-shirt", audience="women")
    assert {tag: 1}[Tag("top", "red", "t-shirt", audience="women")] == 1
    assert Tag("top", "red", "t-shirt") not in {tag: 1}
    payload = pickle.dumps(tag)
    assert "_hash" not in pickle.loads(payload).__dict__
    # Another process (another string-hash seed) finds the unpickled tag under its own equal tag.
    code = (
        "import pickle, sys; from catalog.tags import Tag; "
        "tag = pickle.loads(sys.stdin.buffer.read()); "
        "print({Tag('top', 'red', 't-shirt', audience='women'): 'found'}.get(tag, 'missing'))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        input=payload,
        capture_output=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        check=True,
    )
    assert result.stdout.decode().strip() == "found"
