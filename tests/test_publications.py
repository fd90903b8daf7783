"""The publications: the report and the handbooks of a release, as PDF and HTML.

The documents are read back as a reader's tools read them: text extracted from the PDF
(pypdf), metadata from its trailer. Made once per module for the committed demo release (the
report, the complete handbook and one sector's, in the four languages), and again from
altered copies of the release for the bad-input cases.
"""

from __future__ import annotations

import functools
import hashlib
import html
import io
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import dash
import pandas as pd
import pytest
from dash.testing.wait import until
from leaks import raw_secrets
from pypdf import PdfReader

from etl.demo import generate
from etl.validate import check_path
from portal import cli
from portal.app import create_app
from portal.components import chart
from portal.components.key_figures import key_figure_values
from portal.i18n import LOCALES
from portal.publications import ahead, library, making, release
from portal.publications.document import Document, parse
from tests.conftest import DEMO_PACKAGES, portal_config

SECTOR = "trade"
DOCUMENTS = (Document("report"), Document("handbook"), Document("handbook", SECTOR))


def text_of(pdf: bytes) -> str:
    """The PDF's text as a reader's search sees it (poppler's pdftotext; whitespace runs made
    one space), read once per document."""
    return _text(hashlib.sha256(pdf).hexdigest(), pdf)


@functools.lru_cache(maxsize=64)
def _text(digest: str, pdf: bytes) -> str:
    del digest
    found = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf,
                           capture_output=True, check=True).stdout.decode("utf-8")
    return re.sub(r"\s+", " ", found)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> dash.Dash:
    folder = tmp_path_factory.mktemp("publications")
    return create_app(DEMO_PACKAGES, {**portal_config(folder),
                                      "PUBLICATIONS_DIR": str(folder / "store")})


@pytest.fixture(scope="module")
def newest() -> release.Version:
    return release.published(DEMO_PACKAGES)[0]


@pytest.fixture(scope="module")
def made(portal: dash.Dash, newest: release.Version) -> dict[tuple[str, str], dict[str, bytes]]:
    """(document slug, language) → its PDF and HTML, made through the portal's store."""
    out = {}
    for locale in LOCALES:
        for doc in DOCUMENTS:
            out[doc.slug, locale] = {
                ext: library.fetch(portal.server, newest, locale, doc, ext).read_bytes()
                for ext in ("pdf", "html")}
    return out


@pytest.fixture(scope="module")
def expected(portal: dash.Dash, newest: release.Version) -> dict[str, dict]:
    """What the dashboard shows in each language: key figures and every chart's title."""
    found = {}
    for locale in LOCALES:
        with release.opened(portal.server, newest, locale) as (loaded, _published):
            found[locale] = {
                "figures": key_figure_values(loaded),
                "titles": {i: chart.rendered(i, {}).title for i in chart.CHARTS},
            }
    return found


@pytest.mark.parametrize("locale", LOCALES)
def test_report_holds_every_headline_figure_and_chart_title(made, expected, locale):
    text = text_of(made["report", locale]["pdf"])
    for figure in expected[locale]["figures"]:
        assert flat(figure.value) in text and flat(figure.label) in text, figure
    missing = [t for t in expected[locale]["titles"].values() if flat(t) not in text]
    assert not missing, f"chart titles not in the {locale} report: {missing}"


def test_headline_figures_are_the_published_ones(made, newest):
    """Independent of the portal's code: the count of indicators from the published CSV."""
    indicators = pd.read_csv(newest.root / "north-kosovo-programme-metrics" / "data"
                             / "indicators.csv")
    counted = indicators.dropna(subset=["status"])["indicator_id"].nunique()
    assert f"of {counted}" in text_of(made["report", "en"]["pdf"])


def test_cyrillic_editions_are_mostly_cyrillic(made):
    for doc in DOCUMENTS:
        letters = re.findall(r"[^\W\d_]", text_of(made[doc.slug, "sr-Cyrl"]["pdf"]))
        cyrillic = sum("\u0400" <= ch <= "\u04ff" for ch in letters)
        assert cyrillic / len(letters) > 0.75, doc.slug


def test_pdf_metadata_language_title_dates_and_tags(made, newest):
    for (slug, locale), files in made.items():
        reader = PdfReader(io.BytesIO(files["pdf"]))
        catalog = reader.trailer["/Root"]
        assert catalog["/Lang"] == locale
        assert "/StructTreeRoot" in catalog and catalog["/MarkInfo"]["/Marked"]
        assert reader.metadata.title
        assert reader.metadata["/CreationDate"].startswith(f"D:{newest.released.replace('-', '')}")
        fonts = {str(f) for page in reader.pages[:3]
                 for f in (page["/Resources"].get("/Font") or {}).values()
                 for f in [f.get_object()]
                 if "/FontDescriptor" in f.get("/DescendantFonts", [{}])[0].get_object()}
        assert fonts, f"{slug} {locale}: no embedded font"
        assert len(files["pdf"]) < 5_000_000


def test_same_release_and_language_give_the_same_bytes(portal, made, newest):
    for doc in (Document("report"), Document("handbook", SECTOR)):
        again = library.make(portal.server, newest, "sr-Cyrl", doc)
        assert again["pdf"] == made[doc.slug, "sr-Cyrl"]["pdf"], doc.slug
        assert again["html"] == made[doc.slug, "sr-Cyrl"]["html"], doc.slug


def test_suppressed_shares_are_said_to_be_suppressed(made, portal, newest):
    requirements = pd.read_csv(newest.root / "north-kosovo-product-map" / "data"
                               / "requirements.csv")
    hidden = requirements[(requirements["broad_sector"] == SECTOR)
                          & (requirements["status"] == "suppressed")]
    assert not hidden.empty, "the demo's sector should have a suppressed share to test"
    text = text_of(made[f"handbook-{SECTOR}", "en"]["pdf"])
    assert text.count("suppressed [c]") >= len(hidden)


def test_no_number_of_a_suppressed_row_is_printed(portal, tmp_path, newest):
    """A package whose suppressed rows still carry numbers (which it must not): the handbook
    prints none of them, because it goes by the status."""
    packages = _copy(tmp_path, newest)
    path = packages / newest.version / "north-kosovo-product-map" / "data" / "requirements.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    hidden = frame["status"] == "suppressed"
    frame.loc[hidden, ["businesses_applicable", "businesses_meeting"]] = "987654"
    frame.loc[hidden, "share_meeting_pct"] = "98.7"
    frame.to_csv(path, index=False)
    server = create_app(packages, portal_config(tmp_path)).server
    made = library.make(server, release.find(packages, newest.version), "en",
                        Document("handbook"))
    text = text_of(made["pdf"])
    assert "suppressed [c]" in text
    assert "987654" not in text and "987,654" not in text and "98.7" not in text


def test_permalinks_open_the_same_chart_on_the_portal(made, expected, portal):
    client = portal.server.test_client()
    for locale in ("en", "sq"):
        page = made["report", locale]["html"].decode()
        links = set(re.findall(r'href="(http://127\.0\.0\.1:8050/[^"#]*#chart-[^"]+)"', page))
        assert len(links) == len(chart.CHARTS)
        for link in links:
            address, anchor = html.unescape(link).split("#")
            assert f"lang={locale}" in address
            answer = client.get(address.removeprefix("http://127.0.0.1:8050"))
            assert answer.status_code == 200, link
            title = expected[locale]["titles"][anchor.removeprefix("chart-")]
            assert title in html.unescape(answer.get_data(as_text=True)), link


def test_no_identifying_string_of_the_raw_input_in_any_document(made, tmp_path):
    """The wave-2 demo input the committed release was made from; PDF text is compressed,
    so it is read back as text."""
    raw = generate(tmp_path / "raw", wave=2)
    secrets = raw_secrets(check_path(raw))
    assert secrets
    for (slug, locale), files in made.items():
        text = (text_of(files["pdf"]) + files["html"].decode()).casefold()
        found = sorted(s for s in secrets if s.casefold() in text)
        assert not found, f"{slug} {locale}: {found[:5]}"


def _copy(tmp_path: Path, newest: release.Version) -> Path:
    packages = tmp_path / "datapackages"
    shutil.copytree(newest.root, packages / newest.version)
    shutil.copy(DEMO_PACKAGES / "releases.json", packages / "releases.json")
    return packages


def test_a_release_without_indicators_an_empty_sector_and_a_long_name(tmp_path, newest):
    packages = _copy(tmp_path, newest)
    long_name = "Пољопривреда " * 30
    for package in ("north-kosovo-programme-metrics", "north-kosovo-product-map"):
        path = packages / newest.version / package / "datapackage.json"
        descriptor = json.loads(path.read_text())
        descriptor["resources"] = [r for r in descriptor["resources"]
                                   if r["name"] != "indicators"]
        for resource in descriptor["resources"]:
            for field in resource.get("schema", {}).get("fields", []):
                if field["name"] == "broad_sector" and "agriculture" in field.get("x-labels", {}):
                    field["x-labels"]["agriculture"]["sr-Cyrl"] = long_name.strip()
        path.write_text(json.dumps(descriptor))
    requirements = packages / newest.version / "north-kosovo-product-map" / "data" / \
        "requirements.csv"
    frame = pd.read_csv(requirements, dtype=str, keep_default_na=False)
    frame[frame["broad_sector"] != "services"].to_csv(requirements, index=False)
    server = create_app(packages, portal_config(tmp_path)).server
    version = release.find(packages, newest.version)
    report = text_of(library.make(server, version, "en", Document("report"))["pdf"])
    assert "has no results framework" in report
    assert "does not publish the table “indicators”" in report
    empty = text_of(library.make(server, version, "en", Document("handbook", "services"))["pdf"])
    assert "publishes no requirement for" in empty
    long = library.make(server, version, "sr-Cyrl", Document("handbook", "agriculture"))
    assert flat(long_name)[:60] in text_of(long["pdf"])


def test_a_document_that_cannot_be_made_leaves_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chromium"))
    out = tmp_path / "out"
    code = cli.main(["publications", "--packages", str(DEMO_PACKAGES), "--lang", "en",
                     "--out", str(out)])
    assert code == 1
    error = capsys.readouterr().err
    assert "nkpm-report-" in error and "Chromium" in error and "Traceback" not in error
    assert not out.exists() or not any(out.iterdir())


def test_the_cli_refuses_an_unknown_release(capsys):
    code = cli.main(["publications", "--packages", str(DEMO_PACKAGES), "--release", "9.9.9"])
    assert code == cli.EXIT_USAGE
    assert "no published release '9.9.9'" in capsys.readouterr().err


def test_documents_are_served_and_listed(portal, made, newest):
    client = portal.server.test_client()
    name = Document("handbook", SECTOR).filename(newest.version, "sq", "pdf")
    answer = client.get(f"/publications/{newest.version}/{name}")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.data == made[f"handbook-{SECTOR}", "sq"]["pdf"]
    assert answer.headers["Content-Language"] == "sq"
    edition = client.get(f"/publications/{newest.version}/{name[:-4]}.html")
    assert edition.mimetype == "text/html" and b'<html lang="sq">' in edition.data
    for bad in (f"/publications/{newest.version}/nkpm-report-{newest.version}-de.pdf",
                "/publications/0.0.1/nkpm-report-0.0.1-en.pdf",
                f"/publications/{newest.version}/nkpm-handbook-nowhere-{newest.version}-en.pdf",
                f"/publications/{newest.version}/nkpm-report-{newest.version}-en.exe"):
        assert client.get(bad).status_code == 404, bad
    listing = client.get("/publications?lang=en").get_data(as_text=True)
    for version in release.published(DEMO_PACKAGES):
        for doc in library.documents(version.root):
            for locale in LOCALES:
                assert doc.filename(version.version, locale, "pdf") in listing
    size = len(made[f"handbook-{SECTOR}", "sq"]["pdf"])
    assert f"PDF ({size / 1000:,.1f} kB)" in listing  # a made document shows its size


def test_every_document_of_the_release_is_in_the_dcat_catalogue(portal, made, newest):
    from rdflib import Graph, URIRef
    from rdflib.namespace import DCAT, RDF

    graph = Graph().parse(data=portal.server.test_client().get("/catalog.ttl").data,
                          format="turtle")
    urls = {str(d) for d in graph.subjects(RDF.type, DCAT.Distribution)
            if "/publications/" in str(d)}
    names = {Path(u).name for u in urls}
    assert names == {doc.filename(newest.version, locale, "pdf")
                     for doc in library.documents(newest.root) for locale in LOCALES}
    made_one = next(u for u in urls if u.endswith(
        Document("report").filename(newest.version, "en", "pdf")))
    size = graph.value(URIRef(made_one), DCAT.byteSize)
    assert int(size) == len(made["report", "en"]["pdf"])


def test_filenames_name_one_document_each():
    for doc in (Document("report"), Document("handbook"), Document("handbook", "trade")):
        for locale in LOCALES:
            assert parse(doc.filename("1.2.0", locale, "pdf"), "1.2.0") == (doc, locale, "pdf")
    assert parse("nkpm-report-1.2.0-en.pdf", "1.1.0") is None
    assert parse("nkpm-report-trade-1.2.0-en.pdf", "1.2.0") is None


@pytest.fixture(autouse=True)
def _no_stray_chromium() -> Iterator[None]:
    yield
    from portal.publications import charts

    assert charts._depth == 0  # every session closed its Chromium


def test_the_handbook_page_names_the_documents_too(portal, newest):
    """The web handbook shows the same documents as the printed one."""
    requirements = pd.read_csv(newest.root / "north-kosovo-product-map" / "data"
                               / "requirements.csv", dtype=str, keep_default_na=False)
    row = requirements[requirements["broad_sector"] == SECTOR].iloc[0]
    first = row["documents_en"].split("|")[0].strip()
    page = html.unescape(portal.server.test_client().get(
        f"/handbook?sector={SECTOR}&lang=en").get_data(as_text=True))
    assert "Documents asked for" in page and first in page


def test_serve_makes_documents_ahead_in_a_session_it_stops(monkeypatch, tmp_path):
    """The child runs in its own session, so stopping the server stops it and whatever it
    started (Chromium): here a shell and its own child stand in for the CLI and Chromium."""
    monkeypatch.setenv(ahead.ENV, "1")
    argv = ahead.command(DEMO_PACKAGES)
    assert argv[-5:] == ["-m", "portal", "publications", "--packages", str(DEMO_PACKAGES)]
    monkeypatch.setattr(ahead, "command", lambda _packages: ["sh", "-c", "sleep 60 & wait"])
    with ahead.running(DEMO_PACKAGES) as child:
        assert child is not None and child.poll() is None
        assert os.getpgid(child.pid) == child.pid
    assert child.poll() is not None

    def group_gone() -> bool:
        try:
            os.killpg(child.pid, 0)
        except ProcessLookupError:
            return True
        return False

    until(group_gone, timeout=5, msg="the child's own child outlived the server")
    monkeypatch.setenv(ahead.ENV, "0")
    assert ahead.start(DEMO_PACKAGES) is None
    monkeypatch.setenv(ahead.ENV, "1")
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chromium"))
    assert ahead.start(DEMO_PACKAGES) is None  # made (or refused) on request instead


def test_the_store_is_filled_for_every_published_release(portal, monkeypatch):
    asked = []
    monkeypatch.setattr(library, "fetch", lambda _server, version, locale, doc, ext: (
        asked.append((version.version, locale, doc.slug, ext)) or Path(doc.slug)))
    making.run(portal.server, None, ["sq"], None)
    versions = release.published(DEMO_PACKAGES)
    assert len(versions) > 1
    assert sorted(asked) == sorted(
        (v.version, "sq", doc.slug, ext) for v in versions
        for doc in library.documents(v.root) for ext in ("pdf", "html"))
