"""Shopper-facing reason text in the active language."""

from __future__ import annotations

from django.utils.translation import get_language

from recommender.engine import Reason

# Korean wording of the colour-harmony fallback, by harmony rule id.
HARMONY_TEXT_KO: dict[str, str] = {
    "neutral": "무채색 아이템이라 어떤 색과도 잘 어울리고 포인트 컬러를 살려 줍니다.",
    "denim_neutral": "데님 블루는 무채색처럼 어떤 색과도 잘 어울립니다.",
    "accent": "차분한 베이스에 컬러 포인트를 더해 줍니다.",
    "complementary": "보색 대비로 대담하고 생기 있는 조합입니다.",
    "analogous": "색상환에서 이웃한 색이라 부드럽게 어울립니다.",
    "tonal_neutral": "같은 톤으로 맞춘 차분한 원톤 룩입니다.",
}


def reason_text(reason: Reason, language: str | None = None) -> str:
    language = (language or get_language() or "en")[:2]
    if language == "ko":
        if reason.kind == "rule" and reason.text_ko:
            return reason.text_ko
        if reason.kind == "harmony" and reason.harmony_rule in HARMONY_TEXT_KO:
            return HARMONY_TEXT_KO[reason.harmony_rule]
    return reason.text
