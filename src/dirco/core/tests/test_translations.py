"""The French translation is complete, compiled and used.

Every catalogue under src/dirco (the project one in locale/ and any app's own) must have no
empty and no fuzzy entry, keep every placeholder of its msgid, and its .mo must hold exactly
what the .po says (run `make messages` after editing a .po). Pages then render in French.
"""

from __future__ import annotations

import ast
import gettext
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from dirco.conftest import Company
from dirco.pipeline.tests.factories import DealFactory

SRC = Path(settings.BASE_DIR)
PROJECT_PO = SRC / "locale" / "fr" / "LC_MESSAGES" / "django.po"
CATALOGUES = sorted(
    p for p in SRC.glob("**/locale/fr/LC_MESSAGES/*.po") if "tests" not in p.relative_to(SRC).parts
)
PLACEHOLDER = re.compile(
    r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]|%%|%[sdif]|\{\{.*?\}\}|\{[^}]*\}|<[^>]+>"
)


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0


def po_parse(path: Path) -> list[Entry]:
    """The entries of a .po file, the header (empty msgid) first; obsolete ones skipped."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int] = ("msgid", 0)
    started = False

    def close() -> None:
        nonlocal entry, started
        if started:
            entries.append(entry)
        entry, started = Entry(), False

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            close()
        elif line.startswith("#~"):
            continue
        elif line.startswith("#,"):
            if started:
                close()
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            if started:
                close()
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            kind, index = target
            if kind == "msgstr":
                entry.msgstr[index] += text
            elif kind == "msgid_plural":
                entry.msgid_plural = (entry.msgid_plural or "") + text
            elif kind == "msgctxt":
                entry.msgctxt = (entry.msgctxt or "") + text
            else:
                entry.msgid += text
        else:
            keyword, _, value = line.partition(" ")
            text = ast.literal_eval(value)
            if keyword == "msgctxt" or (keyword == "msgid" and not started):
                if not started:
                    entry.line = number
                started = True
            if keyword.startswith("msgstr"):
                index = int(keyword[7:-1]) if "[" in keyword else 0
                entry.msgstr[index] = text
                target = ("msgstr", index)
            elif keyword == "msgid_plural":
                entry.msgid_plural = text
                target = ("msgid_plural", 0)
            elif keyword == "msgctxt":
                entry.msgctxt = text
                target = ("msgctxt", 0)
            else:
                entry.msgid = text
                target = ("msgid", 0)
    close()
    return entries


def catalogue_id(path: Path) -> str:
    return str(path.relative_to(SRC))


def test_the_project_catalogue_exists() -> None:
    assert PROJECT_PO in CATALOGUES
    assert len(po_parse(PROJECT_PO)) > 1000


@pytest.mark.parametrize("po", CATALOGUES, ids=catalogue_id)
def test_header_declares_french_plurals(po: Path) -> None:
    header = po_parse(po)[0]
    assert header.msgid == ""
    assert "fuzzy" not in header.flags
    assert "Language: fr\n" in header.msgstr[0]
    assert "Plural-Forms: nplurals=2; plural=(n > 1);" in header.msgstr[0]


@pytest.mark.parametrize("po", CATALOGUES, ids=catalogue_id)
def test_every_entry_is_translated_and_not_fuzzy(po: Path) -> None:
    problems = []
    for entry in po_parse(po)[1:]:
        if "fuzzy" in entry.flags:
            problems.append(f"line {entry.line}: fuzzy: {entry.msgid!r}")
        expected_forms = 2 if entry.msgid_plural is not None else 1
        if len(entry.msgstr) != expected_forms or not all(entry.msgstr.values()):
            problems.append(f"line {entry.line}: untranslated: {entry.msgid!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("po", CATALOGUES, ids=catalogue_id)
def test_translations_keep_every_placeholder(po: Path) -> None:
    problems = []
    for entry in po_parse(po)[1:]:
        for index, text in entry.msgstr.items():
            source = entry.msgid if index == 0 or entry.msgid_plural is None else entry.msgid_plural
            wanted = sorted(PLACEHOLDER.findall(source))
            found = sorted(PLACEHOLDER.findall(text))
            # French may write the singular without the count ("Un jour"), never the reverse.
            if found != wanted and not (
                index == 0
                and entry.msgid_plural is not None
                and found == sorted(PLACEHOLDER.findall(entry.msgid_plural))
            ):
                problems.append(f"line {entry.line}: {source!r} -> {text!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("po", CATALOGUES, ids=catalogue_id)
def test_the_mo_file_is_compiled_from_the_po(po: Path) -> None:
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run `make messages`"
    with mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in po_parse(po)[1:]:
        if entry.msgid_plural is not None:
            for n, index in ((1, 0), (2, 1)):
                if entry.msgctxt is None:
                    text = compiled.ngettext(entry.msgid, entry.msgid_plural, n)
                else:
                    text = compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                if text != entry.msgstr[index]:
                    stale.append(entry.msgid)
        else:
            if entry.msgctxt is None:
                text = compiled.gettext(entry.msgid)
            else:
                text = compiled.pgettext(entry.msgctxt, entry.msgid)
            if text != entry.msgstr[0]:
                stale.append(entry.msgid)
    assert not stale, f"{mo} is out of date, run `make messages`; first: {stale[:5]!r}"


def source_copy(destination: Path) -> Path:
    """The translatable sources and catalogues of src/dirco, tests left out, under destination."""
    root = destination / "dirco"
    for path in SRC.rglob("*"):
        relative = path.relative_to(SRC)
        if path.is_dir() or "tests" in relative.parts or "__pycache__" in relative.parts:
            continue
        if path.suffix in {".py", ".html", ".txt", ".po"}:
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    return root


@pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="GNU gettext is not installed (.ci/run installs it)"
)
def test_every_source_string_is_in_the_catalogues(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`make messages` on today's sources finds nothing new to translate.

    The catalogue tests above only read the .po files; this one extracts the strings again
    from the code and templates (as `make messages` does) into a scratch copy, so a string
    marked for translation but never added to the catalogue fails here.
    """
    root = source_copy(tmp_path)
    monkeypatch.chdir(root)
    call_command(
        "makemessages",
        locale=["fr"],
        ignore_patterns=["tests/*", "*/tests/*"],
        no_obsolete=True,
        verbosity=0,
    )
    problems = []
    for po in sorted(root.glob("**/locale/fr/LC_MESSAGES/django.po")):
        for entry in po_parse(po)[1:]:
            if "fuzzy" in entry.flags or not all(entry.msgstr.values()):
                problems.append(f"{po.relative_to(root)}: {entry.msgid!r}")
    assert not problems, "not translated (run `make messages` and fill them in):\n" + "\n".join(
        problems[:40]
    )


def french_client(company: Company) -> Client:
    client = Client()
    client.force_login(company.director)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "french", "english"),
    [
        ("home", ["Bonjour", "Accueil", "Mes activités"], ["Hello", "My activities", "Log out"]),
        ("deal_list", ["Affaires", "Comptes clients"], [">Deals<", "Accounts<"]),
        ("pipeline_board", ["Pondéré par la probabilité", "En liste"], ["As a list", "Weighted"]),
        ("activity_list", ["Mes activités", "Se déconnecter"], ["My activities", "Log out"]),
    ],
)
def test_pages_render_in_french(
    company: Company, url_name: str, french: list[str], english: list[str]
) -> None:
    DealFactory(owner=company.rep, name="Ligne de production")
    response = french_client(company).get(reverse(url_name))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="fr">' in page
    for word in french:
        assert word in page, word
    for word in english:
        assert word not in page, word


@pytest.mark.django_db
def test_the_partner_portal_renders_in_french(company: Company) -> None:
    client = Client()
    client.force_login(company.partner_a_admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="fr">' in page
    assert "Accueil" in page and "Bonjour" in page
    assert "Hello" not in page and "Log out" not in page


@pytest.mark.django_db
def test_the_same_page_stays_english_without_the_cookie(company: Company) -> None:
    client = Client()
    client.force_login(company.director)
    page = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in page
    assert "My activities" in page
