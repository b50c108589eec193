"""Stylists editing the same garment or rule: a save based on an old version is refused, nothing is lost; and rules
can be edited through the API at all."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from catalog.models import Garment, PairingRule
from catalog.tests.factories import garment_factory, rule_factory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stylist() -> User:
    return User.objects.create_superuser("stylist", "stylist@example.com", "pw-stylist-1")


@pytest.fixture
def api(stylist) -> APIClient:
    client = APIClient()
    client.force_authenticate(stylist)
    return client


def rule_form(rule: PairingRule, **changes) -> dict:
    form = {
        "input_slot": rule.input_slot,
        "input_type": rule.input_type,
        "input_color": rule.input_color,
        "output_slot": rule.output_slot,
        "output_type": rule.output_type,
        "output_color": rule.output_color,
        "note": rule.note,
        "note_ko": rule.note_ko,
        "weight": rule.weight,
        "is_active": "on",
        "version": rule.version,
    }
    return {**form, **changes}


def test_rules_can_be_edited_through_the_api_with_put_and_patch(api):
    rule = rule_factory(weight=50)
    other = rule_factory(output_color="white", note="Red + white")
    patched = api.patch(f"/api/v1/rules/{rule.id}/", {"weight": 80}, format="json")
    assert patched.status_code == 200, patched.content
    assert patched.json()["weight"] == 80 and patched.json()["version"] == 2
    body = {**api.get(f"/api/v1/rules/{rule.id}/").json(), "note": "Edited whole"}
    put = api.put(f"/api/v1/rules/{rule.id}/", body, format="json")
    assert put.status_code == 200, put.content
    rule.refresh_from_db()
    assert (rule.weight, rule.note, rule.version) == (80, "Edited whole", 3)
    # Turning it into a copy of another rule is still refused, with the one error shape.
    duplicate = api.patch(f"/api/v1/rules/{rule.id}/", {"output_color": other.output_color}, format="json")
    assert duplicate.status_code == 400 and duplicate.json()["code"] == "invalid"


def test_a_stale_api_edit_is_refused_with_409_and_changes_nothing(api):
    rule = rule_factory(weight=50)
    assert api.patch(f"/api/v1/rules/{rule.id}/", {"weight": 60, "version": 1}, format="json").status_code == 200
    stale = api.patch(f"/api/v1/rules/{rule.id}/", {"weight": 70, "version": 1}, format="json")
    assert stale.status_code == 409
    assert stale.json()["code"] == "edit_conflict" and stale.json()["current_version"] == 2
    assert "changed by someone else" in stale.json()["detail"]
    by_header = api.patch(f"/api/v1/rules/{rule.id}/", {"weight": 70}, format="json", HTTP_IF_MATCH='"1"')
    assert by_header.status_code == 409
    rule.refresh_from_db()
    assert (rule.weight, rule.version) == (60, 2)

    garment = garment_factory(type="pants", color="black")
    assert api.patch(f"/api/v1/garments/{garment.id}/", {"name": "A", "version": 1}, format="json").status_code == 200
    stale = api.patch(f"/api/v1/garments/{garment.id}/", {"color": "gray", "version": 1}, format="json")
    assert stale.status_code == 409
    garment.refresh_from_db()
    assert (garment.name, garment.color, garment.version) == ("A", "black", 2)


def test_two_stylists_in_the_admin_the_second_is_told_and_keeps_their_input(stylist):
    rule = rule_factory(weight=50)
    first, second = Client(), Client()
    first.force_login(stylist)
    second.force_login(stylist)
    url = f"/admin/catalog/pairingrule/{rule.id}/change/"
    loaded = rule_form(rule)  # both opened the form at version 1
    assert first.post(url, {**loaded, "weight": 90}).status_code == 302
    refused = second.post(url, {**loaded, "note": "Second stylist's note"})
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "changed by someone else" in html and "Second stylist&#x27;s note" in html
    rule.refresh_from_db()
    assert (rule.weight, rule.note, rule.version) == (90, "Red top + black bottom: bold classic contrast", 2)
    # Having read the message, saving again (the form now carries version 2) goes through.
    assert second.post(url, {**loaded, "weight": 90, "note": "Second stylist's note", "version": 2}).status_code == 302
    rule.refresh_from_db()
    assert (rule.weight, rule.note, rule.version) == (90, "Second stylist's note", 3)


def test_garment_admin_refuses_a_stale_save(stylist):
    garment = garment_factory(type="pants", color="black", name="Trousers")
    client = Client()
    client.force_login(stylist)
    form = {
        "name": "Trousers",
        "is_active": "on",
        "type": "pants",
        "color": "black",
        "season": "all",
        "pattern": "",
        "second_color": "",
        "notes": "",
        "version": 1,
    }
    url = f"/admin/catalog/garment/{garment.id}/change/"
    assert client.post(url, {**form, "notes": "first"}).status_code == 302
    refused = client.post(url, {**form, "color": "gray"})
    assert refused.status_code == 200 and "changed by someone else" in refused.content.decode()
    garment.refresh_from_db()
    assert (garment.notes, garment.color, garment.version) == ("first", "black", 2)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_parallel_api_saves_of_one_rule_and_one_garment_lose_nothing(live_server):
    """Two stylists save at the same moment, 10 rounds: one wins, the other gets 409; no change silently lost."""
    user = User.objects.create_superuser("stylist", "stylist@example.com", "pw")
    token = Token.objects.create(user=user).key
    rule = rule_factory(weight=50)
    garment = garment_factory(type="pants", color="black")
    session = requests.Session()
    session.headers["Authorization"] = f"Token {token}"
    rounds, lost = 10, 0
    for index in range(rounds):
        for url, edits in (
            (f"{live_server.url}/api/v1/rules/{rule.id}/", [{"weight": 10 + index}, {"note": f"note {index}"}]),
            (
                f"{live_server.url}/api/v1/garments/{garment.id}/",
                [{"name": f"name {index}"}, {"season": ("spring", "summer", "autumn", "winter")[index % 4]}],
            ),
        ):
            version = session.get(url, timeout=10).json()["version"]
            barrier = threading.Barrier(2)

            def save(change: dict, version=version, url=url, barrier=barrier) -> tuple[int, dict]:
                barrier.wait()
                response = session.patch(url, json={**change, "version": version}, timeout=30)
                return response.status_code, change

            with ThreadPoolExecutor(2) as pool:
                results = list(pool.map(save, edits))
            codes = sorted(code for code, _ in results)
            assert codes == [200, 409], results  # both were based on the same version: exactly one may win
            after = session.get(url, timeout=10).json()
            for code, change in results:
                if code == 200:  # the winner's change is there; the loser was told (409) and can save again
                    lost += any(after[key] != value for key, value in change.items())
            assert after["version"] == version + 1
    assert lost == 0
    assert Garment.objects.get().version > 1 and PairingRule.objects.get().version > 1
