"""benchmark_recommend reports its figures, reuses a kept catalog and leaves nothing behind otherwise."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from catalog.models import Garment

pytestmark = pytest.mark.django_db


def test_benchmark_reports_each_size_and_removes_its_garments():
    out = io.StringIO()
    call_command("benchmark_recommend", "--garments", "40,60", "--queries", "5", stdout=out)
    lines = out.getvalue().splitlines()
    assert [line.split(" ")[0] for line in lines if line.startswith("garments=")] == ["garments=40", "garments=60"]
    assert all("cold p50=" in line and "CPU p50=" in line for line in lines if line.startswith("garments="))
    assert "synthetic garments removed" in lines and not Garment.objects.exists()


def test_a_kept_catalog_is_reused_and_smaller_sizes_are_skipped():
    call_command("benchmark_recommend", "--garments", "50", "--queries", "5", "--keep", stdout=io.StringIO())
    assert Garment.objects.count() == 50
    out = io.StringIO()
    call_command("benchmark_recommend", "--garments", "20,50", "--queries", "5", "--keep", stdout=out)
    assert "garments=20 skipped: the database already holds 50" in out.getvalue()
    assert "garments=50 (added 0 in" in out.getvalue() and Garment.objects.count() == 50
