"""Schemathesis fuzzes every API operation from the OpenAPI schema, against a live server: zero server errors.

Also `make fuzz`. Runs the schemathesis CLI in a subprocess (its pytest plugin does not support pytest 9 yet), once
anonymously and once with a staff token, so writes are fuzzed past the permission check too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token

from catalog.tests.factories import garment_factory, rule_factory

pytestmark = [pytest.mark.slow, pytest.mark.fuzz]
SCHEMATHESIS = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or "schemathesis"
# Wall-clock bound of one run. Measured: the staff run costs ~37 s of CPU (its coverage phase sends ~3000 writes,
# spread over the garment and rule operations). On kept-alive connections the two runs took ~300 s of wall time on
# 2 idle cores; with a fresh connection per request (below) they take ~60 s together. FUZZ_TIME_LIMIT raises or lowers
# the bound.
FUZZ_TIME_LIMIT = int(os.environ.get("FUZZ_TIME_LIMIT", "400"))


@pytest.fixture
def fuzz_catalog(transactional_db, settings):
    """A few garments and rules for the ids to hit; uploads unthrottled for the run. Returns a staff token."""
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": dict.fromkeys(rates, "100000/min")}
    rule_factory()
    for index, (type_, color) in enumerate([("pants", "black"), ("skirt", "white"), ("t-shirt", "red")]):
        garment_factory(type=type_, color=color, name=f"{color} {type_} {index}")
    staff = User.objects.create_user("fuzz-stylist", password="pw", is_staff=True)
    return Token.objects.create(user=staff).key


@pytest.mark.parametrize("who", ["anonymous", "staff"])
def test_fuzzing_the_api_from_its_schema_finds_no_server_errors(who, live_server, fuzz_catalog, tmp_path):
    command = [
        SCHEMATHESIS,
        "run",
        f"{live_server.url}/api/schema/?format=json",
        "--checks",
        "not_a_server_error",
        # The coverage phase (boundary values, missing fields: ~3000 requests) only where writes get past the
        # permission check; anonymously every write is a quick 401.
        "--phases",
        "examples,coverage,fuzzing" if who == "staff" else "examples,fuzzing",
        "--max-examples",
        "15",
        "--seed",
        "20250601",
        "--workers",
        "1",
        "--generation-database",
        "none",
        "--request-timeout",
        "30",
        "--no-color",
        # A fresh connection per request. Schemathesis sends some bodies chunked; Django's live test server cannot read
        # a chunked body, leaves its last chunk ("0") on a kept-alive connection and then answers that as a request
        # without a status line: a "Network Error" that is the test server's, not the app's (7 Dec CI). In production
        # nginx, or met directly gunicorn with fashion.chunked, reads chunked bodies (test_serving.py checks both).
        "--header",
        "Connection: close",
        "--report",
        "junit",
        "--report-dir",
        str(tmp_path),
    ]
    if who == "staff":
        command += ["--header", f"Authorization: Token {fuzz_catalog}"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=FUZZ_TIME_LIMIT, check=False)
    except subprocess.TimeoutExpired as exc:
        output = (exc.stdout or b"")[-3000:]
        pytest.fail(f"the {who} fuzz run took more than FUZZ_TIME_LIMIT={FUZZ_TIME_LIMIT} s; last output:\n{output!r}")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
