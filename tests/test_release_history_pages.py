"""Release history in the portal: tombstones of withdrawn releases, a withdrawal noticed
while serving, the audit against earlier releases, and agreements read from their cell.

Two real releases are built once (demo survey waves 1 and 2, as 1.0.0 and 1.1.0); each test
works on a copy of that folder and withdraws with the ETL's own command, against a portal
that keeps running. Expectations come from the files the ETL wrote.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dash
import pandas as pd
import pytest
from dash._pages import _path_to_page
from dash.development.base_component import Component
from flask.testing import FlaskClient
from rdflib import Graph
from rdflib.namespace import DCTERMS, RDF

from etl.cli import main as etl
from etl.demo import generate
from portal import i18n
from portal.api.dcat import DCAT
from portal.app import create_app
from portal.components import chart
from portal.components.disclosure import unit_names
from tests.conftest import DEMO_PACKAGES, portal_config
from tests.pages_helpers import nodes, visible_text

PRODUCT_MAP = "north-kosovo-product-map"
PROGRAMME = "north-kosovo-programme-metrics"
OLD, NEW = "1.0.0", "1.1.0"
REASON = "A wrongly coded municipality in survey wave 1."
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1.0.0 from the first survey wave, 1.1.0 (audited against it) from the second."""
    root = tmp_path_factory.mktemp("history")
    out = root / "datapackages"
    for wave, version in ((1, OLD), (2, NEW)):
        raw = generate(root / f"wave{wave}", wave=wave)
        assert etl(["build", "--raw", str(raw), "--out", str(out), "--version", version,
                    "--quiet"]) == 0
    return out


@pytest.fixture
def packages(built: Path, tmp_path: Path) -> Path:
    """A writable copy of the two releases, ``latest`` link included."""
    target = tmp_path / "datapackages"
    shutil.copytree(built, target, symlinks=True)
    return target


@pytest.fixture
def portal(packages: Path, tmp_path: Path) -> Iterator[dash.Dash]:
    """A portal over the copy that looks for a new release list at every request."""
    yield create_app(packages, {**portal_config(tmp_path), "RELEASE_CHECK_INTERVAL": 0})


def withdraw(packages: Path, version: str) -> dict[str, Any]:
    """Withdraw ``version`` with the ETL's command; its tombstone as published."""
    assert etl(["withdraw", version, "--out", str(packages), "--reason", REASON]) == 0
    listed = json.loads((packages / "releases.json").read_text(encoding="utf-8"))
    return next(e for e in listed if e["version"] == version)


def draw_page(app: dash.Dash, path: str, lang: str = "en") -> Component:
    """The page at the address ``path`` as Dash draws it for a request in ``lang``."""
    with app.server.test_request_context(f"{path}?lang={lang}"):
        found, variables = _path_to_page(path.strip("/"))
        return found["layout"](**(variables or {}))


def page_text(app: dash.Dash, path: str = f"/data/{PRODUCT_MAP}", lang: str = "en") -> str:
    return visible_text(draw_page(app, path, lang))


def links(app: dash.Dash, path: str = f"/data/{PRODUCT_MAP}") -> list[str]:
    """Every address the page at ``path`` links to."""
    return [n.href for n in nodes(draw_page(app, path))
            if isinstance(getattr(n, "href", None), str)]


def schema_org(client: FlaskClient, package: str = PRODUCT_MAP) -> dict[str, Any]:
    found = JSON_LD.search(client.get(f"/data/{package}").data.decode())
    assert found is not None
    return json.loads(found.group(1))


def dcat(client: FlaskClient) -> Graph:
    answer = client.get("/catalog.ttl")
    assert answer.status_code == 200
    return Graph().parse(data=answer.data.decode(), format="turtle")


def issued(graph: Graph) -> str:
    """The day the DCAT catalogue says it was first issued."""
    catalog = next(graph.subjects(RDF.type, DCAT.Catalog))
    return str(graph.value(catalog, DCTERMS.issued))[:10]


def released(packages: Path, version: str) -> str:
    listed = json.loads((packages / "releases.json").read_text(encoding="utf-8"))
    return next(e["released"] for e in listed if e["version"] == version)


# --- both releases published -------------------------------------------------------------------


def test_the_package_page_lists_both_releases_with_their_archives(
        portal: dash.Dash, packages: Path) -> None:
    text = page_text(portal)
    assert "Release history" in text and "withdrawn" not in text.lower().replace(
        "withdrawn ones too", "")
    hrefs = links(portal)
    for version in (OLD, NEW):
        assert f"/datapackages/{version}/{PRODUCT_MAP}.zip" in hrefs
        assert (packages / version / f"{PRODUCT_MAP}.zip").is_file()
    client = portal.server.test_client()
    assert client.get(f"/datapackages/{OLD}/{PRODUCT_MAP}.zip").status_code == 200


# --- withdrawing an older release while the portal runs ----------------------------------------


def test_withdrawing_an_older_release_shows_its_tombstone_without_a_restart(
        portal: dash.Dash, packages: Path) -> None:
    client = portal.server.test_client()
    page_text(portal)  # the catalogue is built and cached before the withdrawal
    before = client.get("/catalog.ttl")
    fingerprint = client.get("/healthz").get_json()["release"]["fingerprint"]
    assert issued(dcat(client)) == released(packages, OLD)

    tomb = withdraw(packages, OLD)
    assert tomb["withdrawn"] and not (packages / OLD).exists()

    text = page_text(portal)
    with portal.server.test_request_context("/"):
        withdrawn_on = i18n.format_date(tomb["withdrawn"])
        released_on = i18n.format_date(tomb["released"])
    row = text[text.index(f"{OLD} withdrawn"):]
    assert row.startswith(f"{OLD} withdrawnreleased on {released_on}Withdrawn on {withdrawn_on}. "
                          f"{REASON}")
    hrefs = links(portal)
    assert f"/datapackages/{NEW}/{PRODUCT_MAP}.zip" in hrefs
    assert not [h for h in hrefs if f"/{OLD}/" in h]
    for path in (f"{OLD}/{PRODUCT_MAP}.zip", f"{OLD}/{PRODUCT_MAP}/datapackage.json",
                 f"{OLD}/{PRODUCT_MAP}/data/businesses.csv"):
        assert client.get(f"/datapackages/{path}").status_code == 404
    # The tables were not reloaded: only the release list changed.
    assert client.get("/healthz").get_json()["release"]["fingerprint"] == fingerprint

    # DCAT: no distribution, no date of the withdrawn release; old validators no longer match.
    after = client.get("/catalog.ttl", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    assert client.get("/catalog.ttl", headers={
        "If-Modified-Since": before.headers["Last-Modified"]}).status_code == 200
    graph = dcat(client)
    assert f"/{OLD}/" not in after.data.decode()
    assert issued(graph) == released(packages, NEW)
    for dataset in graph.subjects(RDF.type, DCAT.Dataset):
        assert str(graph.value(dataset, DCAT.version)) == NEW
        assert not str(graph.value(dataset, DCTERMS.issued)).startswith(tomb["released"])

    # schema.org: the dataset is first published with the release still available.
    document = schema_org(client)
    assert document["datePublished"] == released(packages, NEW)
    assert f"/{OLD}/" not in json.dumps(document)

    # CKAN and REST: nothing of the withdrawn release.
    for address in ("/api/3/action/package_show?id=" + PRODUCT_MAP,
                    "/api/3/action/package_search?rows=100",
                    f"/api/v1/packages/{PRODUCT_MAP}", "/api/v1/packages"):
        answer = client.get(address)
        assert answer.status_code == 200 and f"/{OLD}/" not in answer.data.decode(), address


def test_the_audit_of_the_current_release_says_an_earlier_one_was_withdrawn_since(
        portal: dash.Dash, packages: Path) -> None:
    tomb = withdraw(packages, OLD)
    with portal.server.test_request_context("/"):
        expected = f"Published then; withdrawn on {i18n.format_date(tomb['withdrawn'])}"
    assert expected in page_text(portal)
    assert expected in page_text(portal, "/about")


def test_withdrawing_the_latest_release_falls_back_to_the_one_before(
        portal: dash.Dash, packages: Path) -> None:
    client = portal.server.test_client()
    assert client.get("/healthz").get_json()["release"]["version"] == NEW
    withdraw(packages, NEW)
    assert (packages / "latest").resolve() == (packages / OLD).resolve()

    assert client.get("/healthz").get_json()["release"]["version"] == OLD
    text = page_text(portal)
    assert f"{OLD} current" in text and f"{NEW} withdrawn" in text and REASON in text
    hrefs = links(portal)
    assert f"/datapackages/{OLD}/{PRODUCT_MAP}.zip" in hrefs
    assert not [h for h in hrefs if f"/{NEW}/" in h]
    assert client.get(f"/datapackages/{NEW}/{PRODUCT_MAP}.zip").status_code == 404
    assert client.get(f"/datapackages/latest/{PRODUCT_MAP}.zip").status_code == 200
    for address in ("/catalog.ttl", "/api/3/action/package_show?id=" + PROGRAMME,
                    f"/api/v1/packages/{PROGRAMME}"):
        answer = client.get(address).data.decode()
        assert f"/{NEW}/" not in answer and f"/{OLD}/" in answer, address
    version = client.get(f"/api/v1/packages/{PROGRAMME}").get_json()["package"]["version"]
    assert version == OLD
    meetings = pd.read_csv(packages / OLD / PROGRAMME / "data" / "public_totals.csv",
                           dtype=str).set_index("total")["value"]["meetings_held"]
    assert f"{float(meetings):,.0f}B2B meetings held" in page_text(portal, "/")


def test_files_of_a_withdrawn_release_left_on_disk_are_not_served(
        portal: dash.Dash, packages: Path) -> None:
    """An interrupted withdrawal leaves the tombstone and, until the next ETL run, the files."""
    kept = packages.parent / "kept"
    shutil.copytree(packages / OLD, kept)
    withdraw(packages, OLD)
    shutil.copytree(kept, packages / OLD)
    client = portal.server.test_client()
    assert client.get(f"/datapackages/{OLD}/{PRODUCT_MAP}.zip").status_code == 404
    assert not [h for h in links(portal)
                if f"/{OLD}/" in h]


# --- the audit against earlier releases, in two languages --------------------------------------


def report(packages: Path, version: str = NEW) -> dict[str, Any]:
    path = packages / version / PRODUCT_MAP / "disclosure-risk.json"
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("lang", ["en", "sq"])
def test_about_and_package_pages_summarise_the_history_audit(
        portal: dash.Dash, packages: Path, lang: str) -> None:
    risk = report(packages)
    earlier = risk["history"]["tables"][0]
    about = page_text(portal, "/about", lang)
    with portal.server.test_request_context(f"/about?lang={lang}"):
        names = unit_names()
        changed = ", ".join(i18n._("%(units)s: %(n)s", units=names[u],
                                   n=i18n.format_number(earlier["changed_units"][u]))
                            for u in names if u in earlier["changed_units"])
        heading = i18n._("Release history audit")
        across = i18n._("Across releases")
        cost = i18n._("What it cost release %(version)s: %(n)s of its %(cells)s table cells "
                      "are hidden because of the release history.", version=NEW,
                      n=i18n.format_number(risk["tables_summary"]["history"]),
                      cells=i18n.format_number(risk["tables_summary"]["cells"]))
        published = i18n._("Published")
    if lang != "en":
        assert heading != "Release history audit" and across != "Across releases"
    assert across in about and cost in about and changed in about
    assert f"{OLD}" in about and published in about
    page = page_text(portal, lang=lang)
    assert heading in page and changed in page and published in page
    first = report(packages, OLD)
    assert first["history"]["earlier_releases"] == []


def test_table_pages_count_the_cells_the_history_hid(portal: dash.Dash, packages: Path) -> None:
    risk = report(packages)
    table = max(risk["tables"], key=lambda t: t.get("history", 0))
    assert table["history"] > 0
    text = page_text(portal, f"/data/{PRODUCT_MAP}/{table['name']}")
    assert f"Suppressed because of the release history{table['history']:,}" in text
    assert "Release history audit" in text
    # the rule code, explained by the label the table's schema publishes
    assert "history Hidden because of the release history" in text


# --- agreements signed: a protected cell --------------------------------------------------------


def agreements_cell(root: Path) -> str:
    frame = pd.read_csv(root / PROGRAMME / "data" / "meetings_by_phase_outcome.csv", dtype=str,
                        keep_default_na=False)
    row = frame[(frame["phase"] == "_total") & (frame["outcome"] == "agreement_signed")]
    assert len(row) == 1
    return row["value"].iloc[0]


def test_agreements_come_from_their_published_cell(demo_app: dash.Dash) -> None:
    totals = pd.read_csv(DEMO_PACKAGES / "latest" / PROGRAMME / "data" / "public_totals.csv",
                         dtype=str)
    assert "agreements_signed" not in set(totals["total"])
    value = agreements_cell(DEMO_PACKAGES / "latest")
    overview, b2b = page_text(demo_app, "/"), page_text(demo_app, "/b2b")
    if value == "[c]":
        assert "Agreements signed: suppressed [c]" in overview
        assert "Agreements signedsuppressed [c]" in b2b
    else:
        assert f"{int(value):,} agreements signed" in overview
        assert f"Agreements signed{int(value):,}" in b2b


def test_suppressed_agreements_are_shown_as_suppressed(tmp_path: Path) -> None:
    """A release whose agreements cell is suppressed: never a number, never zero."""
    root = tmp_path / "release"
    shutil.copytree(DEMO_PACKAGES / "latest", root)
    path = root / PROGRAMME / "data" / "meetings_by_phase_outcome.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    where = (frame["phase"] == "_total") & (frame["outcome"] == "agreement_signed")
    frame.loc[where, ["value", "status", "rule"]] = ["[c]", "suppressed", "history"]
    frame.to_csv(path, index=False, lineterminator="\n")
    app = create_app(root, portal_config(tmp_path))
    overview, b2b = page_text(app, "/"), page_text(app, "/b2b")
    with app.server.test_request_context("/"):
        drawn = chart.draw("b2b-deal-value", {})
    assert drawn is not None
    assert "Agreements signed: suppressed [c]" in overview
    assert "Agreements signedsuppressed [c]" in b2b
    title = drawn[1].title
    assert "0 agreements" not in overview + b2b and "agreements signed against" not in title
