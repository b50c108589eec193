"""Vocabulary names in the active language, for Django choices, admin labels and model titles.

The names themselves live in vocabulary/__init__.py (English and Korean side by side); this module only picks one.
"""

from __future__ import annotations

from django.utils.functional import lazy
from django.utils.translation import get_language


def korean_active() -> bool:
    return (get_language() or "").startswith("ko")


def _in_active_language(english: str, korean: str) -> str:
    return korean if korean_active() else english


# A lazy label: evaluated when rendered, so choices declared at import time follow each request's language.
# Outside a request (makemigrations runs without translations) it is the English name.
vocabulary_label = lazy(_in_active_language, str)
