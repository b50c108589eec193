"""The MariaDB/MySQL pass (DATABASE_URL=mysql://...): utf8mb4 end to end. Skipped on SQLite."""

from __future__ import annotations

import pytest
from django.db import connection

from catalog.models import Garment, PairingRule
from catalog.tests.factories import garment_factory, rule_factory

pytestmark = [
    pytest.mark.mysql,
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "mysql", reason="needs DATABASE_URL=mysql://... (make test's second pass)"),
]


def test_connection_and_tables_are_utf8mb4():
    with connection.cursor() as cursor:
        cursor.execute("SELECT @@character_set_connection, @@character_set_database")
        assert cursor.fetchone() == ("utf8mb4", "utf8mb4")
        cursor.execute(
            "SELECT DISTINCT character_set_name FROM information_schema.columns "
            "WHERE table_schema = DATABASE() AND table_name IN (%s, %s) AND character_set_name IS NOT NULL",
            [Garment._meta.db_table, PairingRule._meta.db_table],
        )
        assert {row[0] for row in cursor.fetchall()} == {"utf8mb4"}


def test_korean_names_and_notes_round_trip():
    garment = garment_factory(type="t-shirt", color="red", name="빨간 반팔 티셔츠 👕")
    rule = rule_factory(note_ko="빨강 상의 + 검정 하의: 대담한 클래식 대비")
    assert Garment.objects.get(pk=garment.pk).name == "빨간 반팔 티셔츠 👕"
    assert PairingRule.objects.get(pk=rule.pk).note_ko == "빨강 상의 + 검정 하의: 대담한 클래식 대비"
    assert Garment.objects.filter(name__contains="반팔").count() == 1
