"""The portal in four languages: choosing one, catalogue completeness, no untranslated string."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import dash
import pandas as pd
import pytest
from babel.messages.pofile import read_po
from dash._pages import _path_to_page
from dash.development.base_component import Component
from flask.testing import FlaskClient

from portal import catalogues, i18n, layout
from portal.app import create_app
from portal.catalogues import TRANSLATIONS_DIR
from portal.i18n import LOCALES
from portal.load.directory import FILE as DIRECTORY
from tests.conftest import DEMO_PACKAGES
from tests.pages_helpers import nodes

ROOT = Path(__file__).resolve().parent.parent
TRANSLATED = ("sq", "sr_Latn")
#: Data pages at addresses with variables (a package, a table of it), walked too. Their
#: previews show published values as they are (a table with Serbian Latin text would show
#: it in a Cyrillic page too), so the tables walked hold codes and numbers.
DATA_PAGES = ["/data/north-kosovo-product-map", "/data/north-kosovo-product-map/businesses",
              "/data/north-kosovo-programme-metrics/participants_by_municipality"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]")


def _catalogue(locale: str):
    return catalogues.catalogue(locale)


def _template():
    with (TRANSLATIONS_DIR / "messages.pot").open("rb") as handle:
        return read_po(handle)


# --- choosing the language ---------------------------------------------------------------------


@pytest.mark.parametrize(("query", "cookie", "browser", "expected"), [
    ("", "", "", "en"),
    ("?lang=sq", "sr-Latn", "sr", "sq"),
    ("?lang=SR-cyrl", "", "", "sr-Cyrl"),
    ("?lang=xx", "", "sq-AL,sq;q=0.9", "sq"),
    ("", "", "sr-RS,sr;q=0.9,en;q=0.5", "sr-Latn"),
    ("", "", "sr-Cyrl-RS", "sr-Cyrl"),
    ("", "", "de-DE,de;q=0.9", "en"),
    ("", "sr-Latn", "sq", "sr-Latn"),
    ("", "klingon", "sq", "sq"),
])
def test_the_language_is_chosen_by_url_then_cookie_then_browser(
        demo_client: FlaskClient, query: str, cookie: str, browser: str, expected: str) -> None:
    if cookie:
        demo_client.set_cookie("lang", cookie)
    headers = {"Accept-Language": browser} if browser else {}
    page = demo_client.get(f"/training{query}", headers=headers).data.decode()
    assert f'<html lang="{expected}">' in page


def test_a_chosen_language_is_remembered(demo_client: FlaskClient) -> None:
    response = demo_client.get("/?lang=sq")
    assert "lang=sq" in response.headers["Set-Cookie"]
    assert '<html lang="sq">' in demo_client.get("/growth").data.decode()


# --- catalogues ----------------------------------------------------------------------------------


def test_the_template_holds_every_message_of_the_code(tmp_path: Path) -> None:
    fresh = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    str(ROOT / "babel.cfg"), "-k", "_", "-k", "N_", "--omit-header", "-o",
                    str(fresh), "."], cwd=ROOT, check=True, capture_output=True)
    with fresh.open("rb") as handle:
        extracted = {m.id for m in read_po(handle) if m.id}
    committed = {m.id for m in _template() if m.id}
    assert extracted - committed == set(), "run `make translations-update`"
    assert committed - extracted == set(), "run `make translations-update`"


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_message_is_translated_with_its_placeholders(locale: str) -> None:
    template = {m.id for m in _template() if m.id}
    catalogue = _catalogue(locale)
    messages = {m.id: m for m in catalogue if m.id}
    assert set(messages) == template, "run `make translations-update`"
    untranslated = sorted(str(i) for i, m in messages.items() if not catalogues.translated(m))
    assert untranslated == []
    fuzzy = sorted(str(i) for i, m in messages.items() if m.fuzzy)
    assert fuzzy == []
    for message in messages.values():
        # a message with plural forms (ngettext): every form has the singular's placeholders
        english = message.id[0] if isinstance(message.id, tuple) else message.id
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        for form in forms:
            assert sorted(PLACEHOLDER.findall(form)) == sorted(
                PLACEHOLDER.findall(english)), message.id
            assert form.count("%%") == english.count("%%"), message.id


def test_the_cyrillic_catalogue_is_the_latin_one_transliterated() -> None:
    latin, cyrillic = _catalogue("sr_Latn"), _catalogue("sr_Cyrl")
    pairs = {m.id: m.string for m in cyrillic if m.id}
    for message in latin:
        if message.id:
            forms = message.string if isinstance(message.string, tuple) else (message.string,)
            expected = tuple(catalogues.to_cyrillic(form) for form in forms)
            got = pairs[message.id]
            assert (got if isinstance(got, tuple) else (got,)) == expected
    sample = catalogues.to_cyrillic("Preuzmi %(n)s CSV [c] za ljude")
    assert sample == "Преузми %(n)s CSV [c] за људе"


def test_the_compiled_catalogues_are_the_po_files() -> None:
    for locale in LOCALES[1:]:
        compiled = i18n.translations(locale)
        for message in _catalogue(i18n.babel_id(locale)):
            if message.id and isinstance(message.id, str):
                assert compiled.gettext(message.id) == message.string, (locale, message.id)


@pytest.mark.parametrize("damage", ["missing", "unreadable"])
def test_a_missing_catalogue_stops_the_start_in_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str) -> None:
    """…instead of a portal that shows Albanian pages in English (the old silent fallback)."""
    for locale in catalogues.TRANSLATED:
        target = tmp_path / locale / "LC_MESSAGES" / "messages.po"
        target.parent.mkdir(parents=True)
        target.write_bytes(catalogues.path(locale).read_bytes())
    broken = tmp_path / "sr_Latn" / "LC_MESSAGES" / "messages.po"
    if damage == "missing":
        broken.unlink()
    else:
        broken.write_text("<<<<<<< HEAD (a merge conflict left in)\n", encoding="utf-8")
    monkeypatch.setattr(catalogues, "TRANSLATIONS_DIR", tmp_path)
    catalogues.compiled.cache_clear()
    try:
        with pytest.raises(catalogues.CatalogueError) as raised:
            create_app(None, {"TESTING": True})
    finally:
        catalogues.compiled.cache_clear()
    message = str(raised.value)
    assert "\n" not in message and str(broken) in message and damage in message


# --- pages in every language -------------------------------------------------------------------


def _texts(component: Component) -> Iterator[str]:
    for node in nodes(component):
        if not isinstance(node, Component):
            continue
        children = getattr(node, "children", None)
        for child in children if isinstance(children, list | tuple) else [children]:
            if isinstance(child, str) and child.strip():
                yield child.strip()
        label = getattr(node, "aria-label", None)
        if label:
            yield label
        # A chart's figure travels in its store until the chart is drawn.
        figure = getattr(node, "figure", None) or getattr(node, "data", None)
        if isinstance(figure, dict) and "layout" in figure:  # legends, axes, hover, cells
            yield from _figure_texts(figure)


def _figure_texts(figure: dict) -> Iterator[str]:
    for trace in figure.get("data", []):
        for key in ("name", "hovertemplate", "text", "texttemplate"):
            value = trace.get(key)
            for item in value if isinstance(value, list | tuple) else [value]:
                for cell in item if isinstance(item, list | tuple) else [item]:
                    if isinstance(cell, str) and cell.strip():
                        yield from (part.strip() for part in re.split(r"<[^>]+>|: ", cell)
                                    if part.strip())
    layout_ = figure.get("layout", {})
    for axis in ("xaxis", "yaxis"):
        title = (layout_.get(axis) or {}).get("title") or {}
        if isinstance(title, dict) and title.get("text"):
            yield title["text"]


def _english_only(locale: str) -> set[str]:
    """Interface messages whose translation into ``locale`` differs from the English (names
    like "CSV" and "B2B", or Albanian "Formal", read the same)."""
    catalogue = _catalogue("sr_Cyrl" if locale == "sr-Cyrl" else locale.replace("-", "_"))
    return {m.id for m in catalogue if isinstance(m.id, str) and m.string and m.string != m.id
            and not PLACEHOLDER.search(m.id)}


def _strings_of(value: object) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return set().union(*(_strings_of(v) for v in value)) if value else set()
    return set()


@pytest.mark.parametrize("locale", [code for code in LOCALES if code != "en"])
def test_no_page_shows_an_untranslated_string(demo_app: dash.Dash, locale: str) -> None:
    english_only = _english_only(locale)
    with demo_app.server.test_request_context(f"/?lang={locale}"):
        assert i18n.get_locale() == locale
        trees = [layout.shell()] + [page["layout"]() for page in dash.page_registry.values()]
        names = [i18n._(page["name"]) for page in dash.page_registry.values()]
        titles = [page["title"]() for page in dash.page_registry.values()]
        for path in DATA_PAGES:  # pages at addresses with variables, drawn for real ones
            page, variables = _path_to_page(path.strip("/"))
            trees.append(page["layout"](**variables))
            titles.append(page["title"](**variables))
    shown = {text for tree in trees for text in _texts(tree)} | set(names) | set(titles)
    assert shown & english_only == set()
    if locale == "sr-Cyrl":
        # The supplier directory shows each business's own words as it wrote them.
        written = _strings_of(json.loads((DEMO_PACKAGES / "latest" / DIRECTORY).read_text(
            encoding="utf-8")))
        latin_words = {t for t in shown if re.search(r"[čćšžđ]", t) and t not in written}
        assert latin_words == set()


def test_chart_csv_carries_labels_in_the_chosen_language(demo_client: FlaskClient) -> None:
    for locale, name in (("sq", "Mitrovicë e Veriut"), ("sr-Cyrl", "Северна Митровица")):
        response = demo_client.get("/charts/businesses-by-sector.csv",
                                   query_string={"municipality": "38", "lang": locale})
        frame = pd.read_csv(io.StringIO(response.data.decode()), dtype=str)
        assert set(frame["municipality"]) == {"38"}
        assert set(frame["municipality_label"]) == {name}
    assert demo_client.get("/charts/businesses-by-sector.csv?lang=xx").status_code == 400


def test_numbers_and_dates_follow_the_language(demo_app: dash.Dash) -> None:
    expected = {"en": ("12,345.7", "December 7, 2020"), "sq": ("12\u00a0345,7", "7 dhjetor 2020"),
                "sr-Latn": ("12.345,7", "7. decembar 2020."),
                "sr-Cyrl": ("12.345,7", "7. децембар 2020.")}
    for locale, (number, date) in expected.items():
        with demo_app.server.test_request_context(f"/?lang={locale}"):
            assert i18n.format_number(12345.678, 1) == number
            assert i18n.format_date("2020-12-07") == date


def test_demo_packages_are_used() -> None:
    assert (DEMO_PACKAGES / "latest").is_dir()


def test_the_page_title_and_description_are_translated(demo_client: FlaskClient) -> None:
    page = demo_client.get("/?lang=sr-Cyrl").data.decode()
    site = catalogues.to_cyrillic(dict((m.id, m.string) for m in _catalogue("sr_Latn"))[
        "North of Kosovo Product Map"])
    assert f"<title>{site}</title>" in page
    assert "Open data on producers" not in page
