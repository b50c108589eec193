"""Write operations on stylist pairing rules: create, edit, activate, load the starter set."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.utils import timezone

from catalog.models import PairingRule
from catalog.services.versioning import catalog_changed, versioned_save
from catalog.starter_rules import starter_rules


def pairing_rules_set_active(*, rules: Iterable[PairingRule], active: bool) -> int:
    ids = [r.pk for r in rules]
    changed = PairingRule.objects.filter(pk__in=ids).update(is_active=active, updated_at=timezone.now())
    catalog_changed()
    return changed


def pairing_rule_create(
    *,
    input_slot: str,
    input_color: str,
    output_slot: str,
    output_color: str,
    note: str,
    input_type: str = "",
    output_type: str = "",
    weight: int = 50,
    note_ko: str = "",
    author: User | None = None,
    is_active: bool = True,
    **conditions: str,
) -> PairingRule:
    """Create a rule; `conditions` are the optional input_/output_ kind, pattern, formality and warmth."""
    rule = PairingRule(
        input_slot=input_slot,
        input_type=input_type,
        input_color=input_color,
        output_slot=output_slot,
        output_type=output_type,
        output_color=output_color,
        weight=weight,
        note=note,
        note_ko=note_ko,
        author=author,
        is_active=is_active,
        **conditions,
    )
    rule.full_clean()
    rule.save()
    return rule


def starter_rules_load(*, author: User | None = None) -> int:
    """Load the starter stylist rules; rules that already exist (same pairing) are left as the stylists edited them."""
    created = 0
    for a, b, weight, note, note_ko in starter_rules():
        _, was_created = PairingRule.objects.get_or_create(
            input_slot=a.slot,
            input_type=a.type,
            input_kind=a.kind,
            input_color=a.color,
            input_pattern=a.pattern,
            input_formality="",
            input_warmth="",
            output_slot=b.slot,
            output_type=b.type,
            output_kind=b.kind,
            output_color=b.color,
            output_pattern=b.pattern,
            output_formality="",
            output_warmth="",
            defaults={"weight": weight, "note": note, "note_ko": note_ko, "author": author},
        )
        created += was_created
    return created


def pairing_rule_update(*, rule: PairingRule, changed_fields: Iterable[str] = ()) -> PairingRule:
    """Save a stylist's edit of a rule (admin form or API), checked and versioned like garments.

    When the note changes in one language only, the other language is flagged as needing an update (the flag clears
    once that language is edited too)."""
    changed = set(changed_fields)
    en, ko = "note" in changed, "note_ko" in changed
    if en and ko:
        rule.note_needs_update = ""
    elif en:
        rule.note_needs_update = "" if rule.note_needs_update == "en" else "ko"
    elif ko:
        rule.note_needs_update = "" if rule.note_needs_update == "ko" else "en"
    rule.full_clean()
    return versioned_save(instance=rule)
