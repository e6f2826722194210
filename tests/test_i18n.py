"""The interface in Japanese, Ukrainian and Russian, and the catalogues behind it.

The pages are checked through the test client with ``Accept-Language`` or the
switcher's cookie; the ``.po`` files are checked for completeness (nothing left
untranslated or fuzzy, every string of the code present), so adding a string and
forgetting to translate it fails here. docs/translating.md explains the workflow.
"""

import ast
import datetime
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from testimonies.dates import DatePrecision
from testimonies.models import Testimony, Translation

from .factories import (
    make_archivist,
    make_narrator,
    make_place,
    make_testimony,
    make_theme,
)

pytestmark = pytest.mark.django_db

LOCALE = Path(settings.BASE_DIR) / "locale"
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != "en"]

# A few strings per page and language that only a translated interface shows.
EXPECTED = {
    "ja": {
        "home": ["証言アーカイブ", "最近公開された証言", "テーマ別", "本文へスキップ"],
        "browse": ["絞り込み", "収録日：新しい順", "1件の証言", "すべて解除"],
        "testimony": ["この証言を引用する", "語り手について", "内容に関する注意"],
        "themes": ["証言のテーマ：", "閲覧できる証言の数です。"],
        "places": ["州、地区、集落。", "集落"],
    },
    "uk": {
        "home": ["Архів свідчень", "Нещодавно опубліковані", "За темами"],
        "browse": ["Фільтр", "Дата запису: спочатку нові", "1 свідчення"],
        "testimony": ["Як цитувати це свідчення", "Про оповідача"],
        "themes": ["Кожне свідчення описано темами", "Теми"],
        "places": ["Області, райони й населені пункти.", "населений пункт"],
    },
    "ru": {
        "home": ["Архив свидетельств", "Недавно опубликованные", "По темам"],
        "browse": ["Фильтр", "Дата записи: сначала новые", "1 свидетельство"],
        "testimony": ["Как цитировать это свидетельство", "О рассказчике"],
        "themes": ["Каждое свидетельство описано темами", "Темы"],
        "places": ["Области, районы и населённые пункты.", "населённый пункт"],
    },
}
NAMES = {
    "ja": "地下室での避難生活",
    "uk": "Укриття в підвалах",
    "ru": "Укрытие в подвалах",
}
PLACE_NAMES = {"ja": "スジャ", "uk": "Суджа", "ru": "Суджа"}
# CLDR: a month standing alone is lower case in Russian and Ukrainian.
MONTHS = {"ja": "2024年8月", "uk": "серпень 2024", "ru": "август 2024"}
DAYS = {"ja": "2024年8月20日", "uk": "20 серпня 2024", "ru": "20 августа 2024"}


@pytest.fixture
def testimony():
    """A public testimony with a translated theme, a place and a month date."""
    theme = make_theme("Shelter in basements", names=NAMES)
    region = make_place("Kursk Oblast", kind="region")
    town = make_place("Sudzha", kind="settlement", parent=region, names=PLACE_NAMES)
    return make_testimony(
        title="Twenty days in the cellar",
        narrator=make_narrator(alias="Valentina K."),
        themes=[theme],
        places=[town],
        recorded_on=datetime.date(2024, 8, 1),
        recorded_precision=DatePrecision.MONTH,
        content_warnings=["shelling"],
    )


def page(client, url, language, **params):
    response = client.get(url, params, headers={"accept-language": language})
    assert response.status_code == 200, response.status_code
    assert response["Content-Language"] == language
    text = response.content.decode()
    assert f'<html lang="{language}"' in text
    return text


def urls(testimony):
    return {
        "home": "/",
        "browse": "/testimonies/",
        "testimony": testimony.get_absolute_url(),
        "themes": "/themes/",
        "places": "/places/",
    }


@pytest.mark.parametrize("language", TRANSLATED)
@pytest.mark.parametrize("kind", ["home", "browse", "testimony", "themes", "places"])
def test_pages_come_out_in_the_browser_language(client, testimony, language, kind):
    text = page(client, urls(testimony)[kind], language)
    for expected in EXPECTED[language][kind]:
        assert expected in text, expected
    # The navigation is translated on every page, English gone from it.
    header = text.split('<header class="site-header">')[1].split("</header>")[0]
    assert ">Themes<" not in header and ">Places<" not in header


@pytest.mark.parametrize("language", TRANSLATED)
def test_theme_and_place_names_in_the_visitor_language(client, testimony, language):
    for url in ["/", "/themes/", "/places/", testimony.get_absolute_url()]:
        text = page(client, url, language)
        assert NAMES[language] in text or url == "/places/"
        assert PLACE_NAMES[language] in text or url == "/themes/"
        assert "Shelter in basements<" not in text


def test_tag_without_a_name_in_the_language_keeps_its_own(client, testimony):
    make_testimony(themes=[make_theme("Drones", names={"ja": "ドローン"})])
    assert "ドローン" in page(client, "/themes/", "ja")
    assert ">Drones</a>" in page(client, "/themes/", "uk")
    # The region has no other names at all.
    assert ">Kursk Oblast</a>" in page(client, "/places/", "ru")


@pytest.mark.parametrize("language", TRANSLATED)
def test_dates_follow_the_interface_language(client, testimony, language):
    text = page(client, testimony.get_absolute_url(), language)
    assert MONTHS[language] in text
    assert "August 2024" not in text
    testimony.recorded_on = datetime.date(2024, 8, 20)
    testimony.recorded_precision = DatePrecision.DAY
    testimony.save()
    assert DAYS[language] in page(client, "/testimonies/", language)


def test_month_date_in_japanese(client, testimony):
    text = page(client, testimony.get_absolute_url(), "ja")
    assert '<time datetime="2024-08">2024年8月</time>' in text


def test_the_switcher_overrides_the_browser_language(client, testimony):
    assert "Архив свидетельств" in page(client, "/", "ru")
    response = client.post(
        "/i18n/setlang/",
        {"language": "ja", "next": "/themes/"},
        headers={"accept-language": "ru"},
    )
    assert response.status_code == 302 and response["Location"] == "/themes/"
    for url in urls(testimony).values():
        assert "証言アーカイブ" in page(client, url, "ja")
        response = client.get(url, headers={"accept-language": "ru"})
        assert response["Content-Language"] == "ja"
    client.post("/i18n/setlang/", {"language": "uk", "next": "/"})
    assert "Архів свідчень" in page(client, "/", "uk")


@pytest.mark.parametrize(
    "language, shown",
    [
        # Unknown codes leave the visitor's choice as it was.
        ("xx", "ja"),
        ("", "ja"),
        ("<script>", "ja"),
        # Django knows German, the archive does not offer it: English, not German.
        ("de", "en"),
    ],
)
def test_switcher_ignores_languages_it_does_not_offer(client, language, shown):
    client.post("/i18n/setlang/", {"language": "ja", "next": "/"})
    response = client.post("/i18n/setlang/", {"language": language, "next": "/"})
    assert response.status_code == 302
    response = client.get("/")
    assert response.status_code == 200
    assert response["Content-Language"] == shown


def test_switcher_never_sends_the_visitor_elsewhere(client):
    response = client.post(
        "/i18n/setlang/", {"language": "uk", "next": "https://example.com/"}
    )
    assert response.status_code == 302 and response["Location"] == "/"


@pytest.mark.parametrize("header", ["de-DE,de;q=0.9", "zz", "*", "ja;q=x, ;;"])
def test_unknown_or_odd_browser_languages_get_english(client, header):
    response = client.get("/", headers={"accept-language": header})
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    assert "Testimony Archive" in response.content.decode()


@pytest.mark.parametrize(
    "language, expected",
    [
        ("ja", "「2024-13」は日付ではありません。"),
        ("uk", "«2024-13» — не дата."),
        ("ru", "«2024-13» — не дата."),
    ],
)
def test_form_messages_are_translated(client, language, expected):
    text = page(client, "/testimonies/", language, recorded_from="2024-13")
    assert expected in text


@pytest.mark.parametrize(
    "language, expected",
    [
        ("ja", "3ページはありません。この一覧は1ページです。"),
        ("uk", "Сторінки 3 немає: у списку 1 сторінка."),
        ("ru", "Страницы 3 нет: в списке 1 страница."),
    ],
)
def test_plural_messages_use_the_right_form(client, testimony, language, expected):
    assert expected in page(client, "/testimonies/", language, page=3)


def test_translation_kinds_and_content_warnings_are_translated(client, testimony):
    Translation.objects.create(
        testimony=testimony, language="uk", title="Двадцять днів", kind="machine"
    )
    text = page(client, testimony.get_absolute_url(), "uk")
    assert "машинний переклад" in text
    assert "обстріли й вибухи" in text


def test_admin_speaks_the_archivist_language(client):
    client.force_login(make_archivist())
    make_testimony(status=Testimony.Status.DRAFT)
    text = page(client, "/admin/", "ja")
    assert "証言アーカイブ" in text and "管理" in text
    text = page(client, "/admin/testimonies/testimony/", "ru")
    assert "Опубликовать выбранные свидетельства" in text
    assert "черновик" in text


# The catalogues themselves.


def read_po(path):
    """The entries of a .po file: ``{"msgid", "plural", "msgstr": [...], "fuzzy"}``.

    A tiny reader for what makemessages writes; obsolete entries (``#~``) are
    skipped. The header (empty msgid) is returned like any entry.
    """
    entries, entry, field = [], None, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip() or line.startswith("#~"):
            if entry and entry["msgid"] is not None:
                entries.append(entry)
            entry = None if not line.strip() else entry
            continue
        if entry is None:
            entry = {"msgctxt": None, "msgid": None, "plural": None, "msgstr": []}
            entry["fuzzy"] = False
        if line.startswith("#,"):
            entry["fuzzy"] = entry["fuzzy"] or "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if field == "msgstr":
                entry["msgstr"][-1] += value
            else:
                entry[field] += value
        else:
            keyword, _space, quoted = line.partition(" ")
            value = ast.literal_eval(quoted)
            if keyword.startswith("msgstr"):
                field = "msgstr"
                entry["msgstr"].append(value)
            else:
                field = {"msgid_plural": "plural"}.get(keyword, keyword)
                entry[field] = value
    return entries


def catalogue(language):
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def nplurals(entries):
    header = next(entry for entry in entries if entry["msgid"] == "")
    return int(re.search(r"nplurals=(\d+)", header["msgstr"][0]).group(1))


def test_every_interface_language_has_a_catalogue():
    found = sorted(path.name for path in LOCALE.iterdir() if path.is_dir())
    assert found == sorted(TRANSLATED)


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalogue_has_nothing_untranslated_or_fuzzy(language):
    entries = read_po(catalogue(language))
    forms = nplurals(entries)
    assert forms == (1 if language == "ja" else 4)
    problems = []
    for entry in entries:
        if entry["msgid"] == "":
            assert not entry["fuzzy"], "the header is still marked fuzzy"
            continue
        expected_forms = forms if entry["plural"] is not None else 1
        if entry["fuzzy"]:
            problems.append(f"fuzzy: {entry['msgid']!r}")
        elif len(entry["msgstr"]) != expected_forms or not all(entry["msgstr"]):
            problems.append(f"untranslated: {entry['msgid']!r}")
    assert problems == [], f"{catalogue(language)}: see docs/translating.md"


def test_the_reader_notices_untranslated_and_fuzzy_entries(tmp_path):
    sample = tmp_path / "django.po"
    sample.write_text(
        'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=4; plural=0;\\n"\n\n'
        '#, fuzzy, python-format\nmsgid "Page %(n)s"\nmsgstr "Страница %(n)s"\n\n'
        'msgid "Home"\nmsgstr ""\n\n'
        'msgid "one"\nmsgid_plural "many"\nmsgstr[0] "a"\nmsgstr[1] ""\n'
        'msgstr[2] "c"\nmsgstr[3] "d"\n\n'
        '#~ msgid "Gone"\n#~ msgstr ""\n',
        encoding="utf-8",
    )
    entries = read_po(sample)
    assert [entry["msgid"] for entry in entries] == ["", "Page %(n)s", "Home", "one"]
    assert entries[1]["fuzzy"] and not entries[2]["fuzzy"]
    assert entries[3]["msgstr"] == ["a", "", "c", "d"] and nplurals(entries) == 4


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalogue_placeholders_match_their_originals(language):
    """msgfmt checks that every %(name)s of the original is in the translation."""
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, (
        "gettext is needed to compile the catalogues (apt-get install gettext)"
    )
    result = subprocess.run(
        [msgfmt, "--check", "--output-file=/dev/null", str(catalogue(language))],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("language", TRANSLATED)
def test_compiled_catalogue_is_current(language):
    compiled = catalogue(language).with_suffix(".mo")
    assert compiled.is_file(), "run `make test` or `manage.py compilemessages`"
    assert compiled.stat().st_mtime >= catalogue(language).stat().st_mtime, (
        f"{compiled} is older than its .po: run compilemessages"
    )


SOURCE_SUFFIXES = {".py", ".html", ".txt"}
NOT_SOURCE = {"node_modules", "staticfiles", "locale", "media", "__pycache__"}


def copy_sources(destination):
    """The files makemessages reads, copied so that it can run on them elsewhere."""

    def ignore(folder, names):
        return [
            name
            for name in names
            if name.startswith(".")
            or name in NOT_SOURCE
            or (
                (Path(folder) / name).is_file()
                and Path(name).suffix not in SOURCE_SUFFIXES
            )
        ]

    shutil.copytree(settings.BASE_DIR, destination, ignore=ignore)


def test_every_string_of_the_code_is_in_the_catalogues(tmp_path, monkeypatch):
    """Run makemessages on a copy of the code: each catalogue must hold every
    string it finds. Fails when a string is added without `make messages`."""
    source = tmp_path / "source"
    copy_sources(source)
    (source / "locale").mkdir()
    monkeypatch.chdir(source)
    with override_settings(LOCALE_PATHS=[source / "locale"]):
        call_command("makemessages", locale=["ja"], verbosity=0)
    fresh = read_po(source / "locale" / "ja" / "LC_MESSAGES" / "django.po")
    wanted = {(e["msgctxt"], e["msgid"]) for e in fresh if e["msgid"]}
    assert len(wanted) > 100  # the copy really held the code
    for language in TRANSLATED:
        present = {(e["msgctxt"], e["msgid"]) for e in read_po(catalogue(language))}
        missing = sorted(msgid for _context, msgid in wanted - present)
        assert not missing, (
            f"{catalogue(language)} lacks {len(missing)} strings of the code: run "
            "`make messages` and translate them (docs/translating.md). First ones: "
            + "; ".join(repr(msgid) for msgid in missing[:10])
        )
