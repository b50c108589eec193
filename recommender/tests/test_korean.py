"""Korean first: every shopper page and the stylist console read in Korean, with no English left over.

The checks read what a person sees (text, option labels, alt/title/aria-label, button values, the messages the vote
script shows) and fail on any English word outside a short list of names that stay in Latin letters (CNN, JPEG …),
and on any msgid of the .po shown untranslated.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from catalog.models import PairingRule
from catalog.tags import Tag
from catalog.tests.factories import garment_factory, image_bytes, rule_factory
from jobs.models import Job
from recommender.models import Feedback, ShopperUpload, TagCorrection
from recommender.views import _attribute_names

PO_PATH = Path(settings.BASE_DIR) / "locale" / "ko" / "LC_MESSAGES" / "django.po"

# Words that stay in Latin letters on Korean pages: formats, acronyms, language names in the language picker, brand-free
# technical names on the model card.
ALLOWED_LATIN = {
    "CNN", "API", "JPEG", "PNG", "WebP", "GIF", "HEIC", "ZIP", "MB", "px", "TFLite", "F1", "English", "ID", "UTC",
}  # fmt: skip


# ---------------------------------------------------------------- reading a .po without extra dependencies


@dataclass
class PoEntry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False


def po_entries(path: Path = PO_PATH) -> list[PoEntry]:
    """The entries of a .po file (header excluded), read without extra dependencies."""
    entries: list[PoEntry] = []
    entry: PoEntry | None = None
    key = ""
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if entry is not None and entry.msgid:
                entries.append(entry)
            entry, key = None, ""
            continue
        entry = entry or PoEntry()
        if line.startswith("#~"):
            entry.obsolete = True
            # Obsolete entries keep their text after "#~ ": read it so the entry is listed.
            line = line[2:].strip()
        elif line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        elif line.startswith("#"):
            continue
        match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")$', line)
        if match:
            key, text = match.group(1), ast.literal_eval(match.group(2))
        elif line.startswith('"') and key:
            text = ast.literal_eval(line)
        else:
            continue
        if key.startswith("msgstr"):
            if match:
                entry.msgstr.append(text)
            else:
                entry.msgstr[-1] += text
        elif key == "msgid":
            entry.msgid += text
        elif key == "msgid_plural":
            entry.msgid_plural = (entry.msgid_plural or "") + text
        else:
            entry.msgctxt = (entry.msgctxt or "") + text
    return entries


def translatable_entries() -> list[PoEntry]:
    return [e for e in po_entries() if not e.obsolete]


def test_the_po_has_no_empty_fuzzy_or_obsolete_entries():
    entries = po_entries()
    assert len(translatable_entries()) > 150
    assert [e.msgid for e in entries if e.obsolete] == []
    assert [e.msgid for e in entries if "fuzzy" in e.flags] == []
    assert [e.msgid for e in translatable_entries() if not all(s.strip() for s in e.msgstr)] == []


def test_the_po_uses_the_glossary_not_the_wrong_words():
    """Words the Korean review found wrong must not come back (docs/glossary-ko.md)."""
    wrong = {
        "부위": "slot is 카테고리",
        "쇼퍼": "shopper is 고객",
        "기타": "Other… is not a miscellaneous category",
        "거절": "reject is 반려",
        "최댓값": "argmax is explained, not 최댓값",
        "투표": "a vote is 평가",
        "정답": "the reading prompt is not a quiz",
        "검정": "colours are loanwords (블랙)",
        "빨강": "colours are loanwords (레드)",
    }
    found = [
        (e.msgid, word, why) for e in translatable_entries() for word, why in wrong.items() if word in "".join(e.msgstr)
    ]
    assert found == []


def test_no_particle_is_hard_coded_after_a_placeholder():
    """ "%(slot)s와" breaks after a final consonant ("신발와"): write the sentence without it, or use josa()."""
    particle = re.compile(r"%\(\w+\)[sd](와|과|을|를|이|가|은|는|으로|로|이랑|랑)(?![가-힣])")
    assert [e.msgid for e in translatable_entries() if any(particle.search(s) for s in e.msgstr)] == []


def test_the_compiled_catalog_matches_the_po():
    """compilemessages was run: every entry of the .po is what Django serves in Korean."""
    stale = []
    with translation.override("ko"):
        for e in translatable_entries():
            if e.msgid_plural:
                served = translation.ngettext(e.msgid, e.msgid_plural, 1)
            elif e.msgctxt:
                served = translation.pgettext(e.msgctxt, e.msgid)
            else:
                served = translation.gettext(e.msgid)
            if served != e.msgstr[0]:
                stale.append(e.msgid)
    assert stale == []


def test_shopper_messages_speak_haeyo_and_admin_messages_hamnida():
    """One register per audience: shopper-facing sentences end in 해요체, the console's in 합니다체."""
    shopper_sources = (
        "templates/recommender/",
        "templates/base.html",
        "recommender/views.py",
        "catalog/uploads.py",
    )
    admin_sources = ("templates/admin/", "catalog/admin.py", "recommender/admin.py")
    text = PO_PATH.read_text(encoding="utf-8")
    mixed = []
    for block in text.split("\n\n"):
        refs = " ".join(line for line in block.splitlines() if line.startswith("#:"))
        msgstr = "".join(ast.literal_eval(m) for m in re.findall(r'^msgstr(?:\[0\])? (".*")$', block, re.M))
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", msgstr) if s.endswith((".", "!", "?"))]
        for_console = 'msgctxt "stylist console"' in block
        if refs and not for_console and all(any(src in ref for src in shopper_sources) for ref in refs.split()[1:]):
            mixed += [s for s in sentences if re.search(r"(습니다|습니까|십시오)[.!?]$", s)]
        if for_console or (refs and all(any(src in ref for src in admin_sources) for ref in refs.split()[1:])):
            mixed += [s for s in sentences if re.search(r"(어요|아요|에요|예요|해요|(?<!주)세요)[.!?]$", s)]
    assert mixed == []


# ---------------------------------------------------------------- what a person sees on a page


class _VisibleText(HTMLParser):
    ATTRIBUTES = ("alt", "title", "aria-label", "placeholder", "data-thanks", "data-busy", "data-failed")

    def __init__(self):
        super().__init__()
        self.chunks: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        attrs = dict(attrs)
        self.chunks += [attrs[name] for name in self.ATTRIBUTES if attrs.get(name)]
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.chunks.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.chunks.append(data.strip())


def visible_text(html: str) -> list[str]:
    parser = _VisibleText()
    parser.feed(html)
    return parser.chunks


def _is_data(token: str) -> bool:
    """File names, paths, versions, ids and numbers are data, not words."""
    return bool(re.search(r"[/\d_@]|\.[a-z]{2,4}\b", token))


def readable_chunks(html: str) -> list[str]:
    return [" ".join(t for t in chunk.split() if not _is_data(t)) for chunk in visible_text(html)]


def english_left_over(html: str, *, allowed: AbstractSet[str] = frozenset()) -> list[str]:
    """English words a Korean reader would meet on the page."""
    found = []
    for chunk in readable_chunks(html):
        found += [w for w in re.findall(r"[A-Za-z][A-Za-z’'-]+", chunk) if w not in ALLOWED_LATIN | allowed]
    return found


def untranslated_msgids(html: str) -> list[str]:
    """msgids of the .po shown verbatim (their Korean differs), e.g. "Show more" instead of "더 보기"."""
    text = "\n".join(readable_chunks(html))
    shown = []
    for e in translatable_entries():
        msgid = e.msgid
        if "%" in msgid or msgid in ALLOWED_LATIN or msgid in e.msgstr[0] or not re.search(r"[A-Za-z]{2}", msgid):
            continue
        if re.search(rf"(?<![A-Za-z]){re.escape(msgid)}(?![A-Za-z])", text):
            shown.append(msgid)
    return shown


def assert_reads_korean(html: str, where: str, *, allowed: AbstractSet[str] = frozenset()) -> None:
    assert 'lang="ko"' in html, where
    assert untranslated_msgids(html) == [], where
    assert english_left_over(html, allowed=allowed) == [], where


def test_the_checks_catch_english():
    html = (
        '<html lang="ko"><p>더 보기</p><img alt="Red t-shirt"><p>Show more</p><script>var English = 1</script></html>'
    )
    assert english_left_over(html) == ["Red", "t-shirt", "Show", "more"]
    assert "Show more" in untranslated_msgids(html)
    assert english_left_over("<p>사진 garments/ab12.jpg lite0-224-v3 · JPEG, PNG</p>") == []


# ---------------------------------------------------------------- the pages, with a catalog in place


@pytest.fixture
def catalog(db):
    """A small catalog with English names and English + Korean stylist notes, as stylists enter them."""
    rule_factory(
        weight=90, note="Red top + black bottom: bold classic contrast", note_ko="레드와 블랙, 대담한 대비예요"
    )
    rule_factory(
        input_slot="bottom",
        input_color="black",
        output_slot="top",
        output_color="red",
        note="Black bottom + red top: bold classic contrast",
        note_ko="블랙 하의에 레드 상의로 힘을 줘요",
    )
    garments = [
        garment_factory(type="pants", color="black", name="Black trousers"),
        garment_factory(type="t-shirt", color="red", name="Red tee", pattern="solid"),
        garment_factory(type="shoes", color="white", name="White sneakers"),
        garment_factory(type="outwear", color="beige", name="Beige trench"),
        garment_factory(type="skirt", color="blue", name="Denim mini", pattern="solid"),
        garment_factory(type="dress", color="black", name="Little black dress"),
    ]
    return garments


@pytest.fixture
def korean(client: Client) -> Client:
    client.post("/i18n/setlang/", {"language": "ko", "next": "/"})
    return client


def _upload(client: Client) -> ShopperUpload:
    response = client.post("/recommend/", {"image": SimpleUploadedFile("red.jpg", image_bytes("red", (90, 120)))})
    assert response.status_code == 302
    return ShopperUpload.objects.latest("created_at")


def test_every_shopper_page_reads_korean(korean: Client, catalog):
    pants = catalog[0]
    upload = _upload(korean)
    pages = [
        "/",
        "/recommend/",
        f"/recommend/{upload.public_id}/",
        f"/garments/{pants.id}/",
        f"/garments/{catalog[1].id}/",
        "/goes-with/top/red/",
        "/goes-with/bottom/blue/?type=skirt",
        "/model/",
    ]
    for path in pages:
        response = korean.get(path)
        assert response.status_code == 200, path
        assert_reads_korean(response.content.decode(), path)
    bad = korean.get("/goes-with/top/teal/")
    assert bad.status_code == 404
    assert_reads_korean(bad.content.decode(), "bad tag")


def test_the_reading_prompt_corrections_and_vote_messages_read_korean(korean: Client, catalog, settings):
    settings.CLASSIFIER_CONFIRM_THRESHOLDS = {"type": 0.99, "slot": 0.99, "color": 0.99}
    upload = _upload(korean)
    page = f"/recommend/{upload.public_id}/"
    html = korean.get(page).content.decode()
    assert 'id="confirm-warning"' in html and "정답" not in html
    assert_reads_korean(html, "uncertain reading")
    html = korean.post(f"{page}correct/", {"color": "blue"}, follow=True).content.decode()
    assert "고쳐 주신 태그로 다시 추천했어요" in html
    assert_reads_korean(html, "after a correction")
    html = korean.post(f"{page}correct/", {"color": "teal"}, follow=True).content.decode()
    assert_reads_korean(html, "a correction we do not know")
    vote = {"garment_id": catalog[0].id, "vote": "like", "slot": "top", "color": "red", "next": page}
    html = korean.post("/feedback/", vote, follow=True).content.decode()
    assert "평가를 반영했어요" in html
    assert_reads_korean(html, "after a vote")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"feedback": "1/min"}}
    cache.clear()
    korean.post("/feedback/", vote)
    html = korean.post("/feedback/", vote, follow=True).content.decode()
    assert "잠시 후 다시 시도해 주세요" in html and "충분" not in html
    assert_reads_korean(html, "a throttled vote")


def test_garments_have_korean_names_on_korean_pages(korean: Client, catalog):
    html = korean.get("/goes-with/top/red/").content.decode()
    assert 'alt="블랙 팬츠"' in html and "Black trousers" not in html
    detail = korean.get(f"/garments/{catalog[4].id}/").content.decode()
    assert "<h1>데님 스커트</h1>" in detail and 'alt="데님 스커트"' in detail
    assert "></span>데님</dd>" in detail and "블루" not in detail  # a blue bottom's colour is denim
    assert "<title>데님 스커트 ·" in detail
    # A blue print is not denim: its name and its colour say blue.
    printed = garment_factory(type="skirt", color="blue", name="Blue paisley skirt", pattern="pattern")
    detail = korean.get(f"/garments/{printed.id}/").content.decode()
    assert "<h1>블루 패턴 스커트</h1>" in detail and "></span>블루</dd>" in detail
    # A man's "flats" (loafers, oxfords) are 구두 on a Korean page, a woman's 플랫 슈즈.
    oxfords = garment_factory(type="shoes", kind="flats", color="black", audience="men", name="Black dress shoes")
    assert "<h1>블랙 구두</h1>" in korean.get(f"/garments/{oxfords.id}/").content.decode()
    ballet = garment_factory(type="shoes", kind="flats", color="black", audience="women", name="Black flats")
    assert "<h1>블랙 플랫 슈즈</h1>" in korean.get(f"/garments/{ballet.id}/").content.decode()


def test_a_stylist_set_korean_name_wins(korean: Client, catalog):
    pants = catalog[0]
    pants.name_ko = "와이드 블랙 슬랙스"
    pants.save()
    assert "<h1>와이드 블랙 슬랙스</h1>" in korean.get(f"/garments/{pants.id}/").content.decode()
    # English pages keep the English name.
    korean.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "<h1>Black trousers</h1>" in korean.get(f"/garments/{pants.id}/").content.decode()


def test_outfit_links_name_each_pair_once_in_page_order(korean: Client, catalog):
    upload = _upload(korean)
    html = korean.get(f"/recommend/{upload.public_id}/").content.decode()
    links = re.findall(r'<ul class="outfit-links">(.*?)</ul>', html, re.S)
    assert links, "the result page shows a complete look"
    for item in re.findall(r"<li>(.*?)</li>", links[0], re.S):
        text = re.sub(r"<[^>]+>", "", item)
        assert text.count("+") == 1, text  # "내 옷 + 블랙 팬츠: …", not "… + …: 레드 상의 + 블랙 하의: …"
    assert "내 옷 + 블랙 팬츠" in html


def test_korean_home_headings_need_no_particle_and_call_blue_bottoms_denim(korean: Client, catalog):
    html = korean.get("/").content.decode()
    assert "레드 상의 코디" in html and "데님 하의 코디" in html
    assert "와 함께" not in html


def test_vote_failures_are_explained_in_korean(korean: Client, catalog):
    html = korean.get("/goes-with/top/red/").content.decode()
    assert 'data-busy="짧은 시간에 평가를 너무 많이 보냈어요.' in html
    assert 'data-failed="평가를 저장하지 못했어요.' in html


def test_a_rule_without_a_korean_note_shows_no_english_on_a_korean_page(korean: Client, db):
    rule_factory(weight=90, note="Red top + black bottom: bold classic contrast", note_ko="")
    garment_factory(type="pants", color="black", name="Black trousers")
    html = korean.get("/goes-with/top/red/").content.decode()
    assert english_left_over(html) == []


# ---------------------------------------------------------------- the stylist console


@pytest.fixture
def stylist(client: Client, catalog) -> Client:
    user = User.objects.create_superuser("김스타일", "stylist@example.com", "pw")
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "ko", "next": "/admin/"})
    upload = _upload(client)
    TagCorrection.objects.create(
        upload=upload, type="shirt", slot="top", color="blue", model_version=upload.model_version
    )
    Feedback.objects.create(
        garment=catalog[0], vote=1, input_slot="top", input_color="red", upload=upload, rule=PairingRule.objects.first()
    )
    Job.objects.create(kind="retag", status="done", total=2, done=2, result={"retagged": 2, "skipped": 0})
    Job.objects.create(kind="purge_uploads", status="queued", result={"deleted": 0, "older_than_days": 30})
    return client


def test_the_console_reads_korean_everywhere(stylist: Client, catalog):
    pants = catalog[0]
    correction = TagCorrection.objects.get()
    rule = PairingRule.objects.earliest("id")
    feedback = Feedback.objects.get()
    pages = [
        "/admin/",
        "/admin/catalog/",
        "/admin/recommender/",
        "/admin/catalog/garment/",
        "/admin/catalog/garment/?needs_review=yes",
        "/admin/catalog/garment/add/",
        f"/admin/catalog/garment/{pants.id}/change/",
        f"/admin/catalog/garment/{pants.id}/delete/",
        "/admin/catalog/garment/upload/",
        "/admin/catalog/pairingrule/",
        "/admin/catalog/pairingrule/add/",
        f"/admin/catalog/pairingrule/{rule.id}/change/",
        "/admin/catalog/pairingrule/lint/",
        "/admin/catalog/stylecompatibility/",
        "/admin/catalog/stylecompatibility/?table__exact=layering",
        "/admin/catalog/stylecompatibility/?table__exact=outerwear",
        "/admin/recommender/shopperupload/",
        f"/admin/recommender/shopperupload/{correction.upload.id}/change/",
        "/admin/recommender/tagcorrection/",
        f"/admin/recommender/tagcorrection/{correction.id}/change/",
        "/admin/recommender/feedback/",
        "/admin/jobs/",
        "/admin/jobs/job/",
        f"/admin/jobs/job/{Job.objects.earliest('id').pk}/change/",  # ids are not reset between tests on MariaDB
        f"/admin/recommender/feedback/{feedback.id}/change/",
    ]
    # The fake CNN's version name is data, like "lite0-224-v3" would be.
    allowed = {correction.model_version}
    for path in pages:
        response = stylist.get(path)
        assert response.status_code == 200, path
        assert_reads_korean(response.content.decode(), path, allowed=allowed)


def test_console_titles_choices_and_errors_are_korean(stylist: Client, catalog):
    rules = stylist.get("/admin/catalog/pairingrule/").content.decode()
    assert "레드 상의 → 블랙 하의" in rules and "블랙 하의 → 레드 상의" in rules
    garments = stylist.get("/admin/catalog/garment/").content.decode()
    assert "반팔 티셔츠" in garments and "데님 스커트" in garments and "스타일리스트 관리 페이지" in garments
    queue = stylist.get("/admin/recommender/tagcorrection/").content.decode()
    assert "레드 반팔 티셔츠 (색상" in queue and "블루 셔츠" in queue
    response = stylist.post("/admin/catalog/garment/upload/", {"photos": [SimpleUploadedFile("x.jpg", b"<svg></svg>")]})
    html = response.content.decode()
    assert "읽을 수 있는 사진 파일이 아닙니다" in html  # the console speaks 합니다체
    assert_reads_korean(html, "upload with a bad file", allowed={"x"})


def test_the_result_page_names_a_mans_flats_dress_shoes():
    """The page's "Kind" row says the kind as the garment's name does: a man's flats (loafers, oxfords) are dress
    shoes, 구두 in Korean; a woman's are flats."""
    mens = Tag("shoes", "black", "shoes", kind="flats", audience="men")
    womens = Tag("shoes", "black", "shoes", kind="flats", audience="women")
    with translation.override("en"):
        assert ("Kind", "Dress shoes") in [(str(row.label), row.value) for row in _attribute_names(mens)]
        assert ("Kind", "Flats") in [(str(row.label), row.value) for row in _attribute_names(womens)]
    with translation.override("ko"):
        assert "구두" in [row.value for row in _attribute_names(mens)]
