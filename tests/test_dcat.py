"""The DCAT-AP catalogue (``/catalog.ttl|.jsonld|.rdf``) and the schema.org JSON-LD of the
data pages, against the committed demo release.

The catalogue is checked with the DCAT-AP 3.0.1 SHACL shapes of the SEMIC repository,
mandatory and recommended, class ranges included (kept in ``tests/dcat-ap``); a defect test
makes sure the shapes do catch what they should.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dash
import pytest
import rdflib
from flask.testing import FlaskClient
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF, SH

from portal.api import dcat
from portal.app import create_app
from portal.catalog import model, schema_org
from tests.conftest import DEMO_PACKAGES, portal_config

DCAT = dcat.DCAT
SPDX = dcat.SPDX
HOST = "http://localhost"
PACKAGE = "north-kosovo-product-map"
DESCRIPTOR = json.loads((DEMO_PACKAGES / "latest" / PACKAGE / "datapackage.json").read_text())
#: The three serialisations: suffix → (rdflib parser, media type).
FORMATS = {"ttl": ("turtle", "text/turtle"), "jsonld": ("json-ld", "application/ld+json"),
           "rdf": ("xml", "application/rdf+xml")}
SHAPES_DIR = Path(__file__).resolve().parent / "dcat-ap"
#: Mandatory (Violation), recommended (Warning), and the full generated set with class ranges.
SHAPE_FILES = ("shapes.ttl", "shapes_recommended.ttl", "dcat-ap-SHACL.ttl")
NON_NEGATIVE = URIRef("http://www.w3.org/2001/XMLSchema#nonNegativeInteger")
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dash.Dash]:
    """One demo portal for the module's read-only tests (building its catalogue takes ~2 s)."""
    yield create_app(DEMO_PACKAGES, portal_config(tmp_path_factory.mktemp("dcat")))


@pytest.fixture(scope="module")
def web(portal: dash.Dash) -> FlaskClient:
    return portal.server.test_client()


@pytest.fixture(scope="module")
def graph(web: FlaskClient) -> Graph:
    response = web.get("/catalog.ttl")
    assert response.status_code == 200
    return Graph().parse(data=response.data, format="turtle")


@pytest.fixture(scope="module")
def catalogue(portal: dash.Dash) -> model.Catalogue:
    with portal.server.test_request_context("/"):
        found = model.current()
    assert found is not None
    return found


@pytest.fixture(scope="module")
def shapes() -> Graph:
    found = Graph()
    for name in SHAPE_FILES:
        found.parse(SHAPES_DIR / name, format="turtle")
    return found


def validate(data: Graph, shapes: Graph) -> tuple[bool, Graph, str]:
    import pyshacl

    # Warnings (the recommended shapes) count: conforming means no result at all.
    conforms, report, text = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", allow_warnings=False,
        allow_infos=False, meta_shacl=False)
    assert isinstance(report, Graph)
    return bool(conforms), report, text


def json_ld(html: str) -> list[dict[str, Any]]:
    return [json.loads(m) for m in JSON_LD.findall(html)]


# --- the catalogue -------------------------------------------------------------------


def test_three_serialisations_describe_one_graph(web: FlaskClient, graph: Graph) -> None:
    assert len(graph) > 1000
    for suffix, (parser, media) in FORMATS.items():
        response = web.get(f"/catalog.{suffix}")
        assert response.status_code == 200
        assert response.mimetype == media
        parsed = Graph().parse(data=response.data, format=parser)
        assert isomorphic(parsed, graph), suffix


def test_catalogue_conforms_to_dcat_ap_3_shapes(graph: Graph, shapes: Graph) -> None:
    started = time.perf_counter()
    conforms, _report, text = validate(graph, shapes)
    elapsed = time.perf_counter() - started
    assert conforms, text
    print(f"DCAT-AP 3 SHACL: {len(graph)} triples conform ({elapsed:.1f} s)")


@pytest.mark.parametrize(("subject", "predicate", "why"), [
    (f"{HOST}/data/{PACKAGE}#dataset", DCTERMS.title, "mandatory dataset title"),
    (f"{HOST}/data/{PACKAGE}#data/businesses.csv", DCAT.accessURL, "mandatory access URL"),
    (f"{HOST}/catalog", DCTERMS.publisher, "mandatory catalogue publisher"),
    (f"{HOST}/data/{PACKAGE}#dataset", DCAT.theme, "recommended theme"),
    ("http://publications.europa.eu/resource/authority/licence/CC_BY_4_0", RDF.type,
     "class range of dct:license"),
])
def test_shapes_catch_a_defect(graph: Graph, shapes: Graph, subject: str,
                               predicate: URIRef, why: str) -> None:
    broken = Graph()
    for triple in graph:
        broken.add(triple)
    assert (URIRef(subject), predicate, None) in broken
    broken.remove((URIRef(subject), predicate, None))
    conforms, report, text = validate(broken, shapes)
    assert not conforms, why
    if predicate == RDF.type:  # the licence is no longer known to be a dct:LicenseDocument
        assert (None, SH.sourceConstraintComponent, SH.ClassConstraintComponent) in report
    else:
        assert (None, SH.resultPath, predicate) in report, text


def test_catalogue_lists_exactly_the_published_packages_and_files(
        web: FlaskClient, graph: Graph, catalogue: model.Catalogue) -> None:
    catalog = URIRef(f"{HOST}/catalog")
    every = set(graph.objects(catalog, DCAT.dataset))
    # Besides the packages, the release's documents (tests/test_publications.py).
    documents = f"publications-{catalogue.release.version}"
    assert {str(graph.value(d, DCTERMS.identifier)) for d in every} == {
        p.id for p in catalogue.packages} | {documents}
    datasets = {d for d in every if str(graph.value(d, DCTERMS.identifier)) != documents}
    published = {f"{HOST}{d.url}": d for p in catalogue.packages
                 for d, _r in schema_org.all_downloads(p)}
    distributions = [x for d in datasets for x in graph.objects(d, DCAT.distribution)]
    urls = [str(graph.value(x, DCAT.downloadURL)) for x in distributions]
    assert sorted(urls) == sorted(published)
    for distribution, url in zip(distributions, urls, strict=True):
        response = web.get(url.removeprefix(HOST))
        assert response.status_code == 200, url
        body = response.data
        assert body == published[url].file.path.read_bytes(), url
        assert graph.value(distribution, DCAT.accessURL) == URIRef(url)
        size = graph.value(distribution, DCAT.byteSize)
        assert size.datatype == NON_NEGATIVE and size.toPython() == len(body)
        checksum = graph.value(distribution, SPDX.checksum)
        assert str(graph.value(checksum, SPDX.checksumValue)) == hashlib.sha256(
            body).hexdigest()


def test_checksums_agree_with_the_descriptors_hashes(graph: Graph,
                                                    catalogue: model.Catalogue) -> None:
    checked = 0
    for package in catalogue.packages:
        for resource in package.resources:
            csv = resource.download("CSV")
            declared = resource.descriptor.get("hash", "")
            if csv is None or not declared.startswith("sha256:"):
                continue
            node = graph.value(predicate=DCAT.downloadURL, object=URIRef(f"{HOST}{csv.url}"))
            value = graph.value(graph.value(node, SPDX.checksum), SPDX.checksumValue)
            assert str(value) == declared.removeprefix("sha256:")
            checked += 1
    assert checked > 10


def test_dataset_describes_its_package(graph: Graph) -> None:
    dataset = URIRef(f"{HOST}/data/{PACKAGE}#dataset")
    titles = {t.language: str(t) for t in graph.objects(dataset, DCTERMS.title)}
    assert set(titles) == {"en", "sq", "sr-Latn"}
    themes = {str(t).rsplit("/", 1)[1] for t in graph.objects(dataset, DCAT.theme)}
    assert {"ECON", "JUST"} <= themes
    spatial = set(graph.objects(dataset, DCTERMS.spatial))
    assert URIRef("http://publications.europa.eu/resource/authority/country/XKX") in spatial
    period = graph.value(dataset, DCTERMS.temporal)
    temporal = DESCRIPTOR["x-temporal"]
    assert str(graph.value(period, DCAT.startDate)) == temporal["start"]
    assert str(graph.value(period, DCAT.endDate)) == temporal["end"]
    funders = {str(graph.value(graph.value(a, dcat.PROV.agent), dcat.FOAF.name))
               for a in graph.objects(dataset, dcat.PROV.qualifiedAttribution)}
    assert any("FCO" in f for f in funders) and any("GIZ" in f for f in funders)
    assert graph.value(dataset, DCAT.landingPage) == URIRef(f"{HOST}/data/{PACKAGE}")
    assert str(graph.value(dataset, DCAT.version)) == DESCRIPTOR["version"]


def test_answers_are_cacheable(web: FlaskClient) -> None:
    for suffix in FORMATS:
        first = web.get(f"/catalog.{suffix}")
        assert first.headers["ETag"] and first.headers["Last-Modified"]
        assert "max-age" in first.headers["Cache-Control"]
        again = web.get(f"/catalog.{suffix}", headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and not again.data
        since = web.get(f"/catalog.{suffix}",
                        headers={"If-Modified-Since": first.headers["Last-Modified"]})
        assert since.status_code == 304
        head = web.head(f"/catalog.{suffix}")
        assert head.status_code == 200 and not head.data
        assert head.headers["ETag"] == first.headers["ETag"]


def test_catalogue_iri_redirects_to_an_accepted_format(web: FlaskClient) -> None:
    for accept, suffix in (("application/rdf+xml", "rdf"), ("application/ld+json", "jsonld"),
                           ("text/html,*/*;q=0.8", "ttl")):
        response = web.get("/catalog", headers={"Accept": accept})
        assert response.status_code == 303
        assert response.location.endswith(f"/catalog.{suffix}")


def test_same_bytes_in_every_worker_process(tmp_path: Path) -> None:
    """One ETag, one body: serialisations must not depend on Python's hash seed."""
    script = (
        "import hashlib, sys\n"
        "from pathlib import Path\n"
        "from portal.app import create_app\n"
        "from tests.conftest import DEMO_PACKAGES, portal_config\n"
        "web = create_app(DEMO_PACKAGES, portal_config(Path(sys.argv[1]))).server.test_client()\n"
        "for suffix in ('ttl', 'jsonld', 'rdf'):\n"
        "    print(hashlib.sha256(web.get('/catalog.' + suffix).data).hexdigest())\n"
    )
    digests = []
    for seed in ("1", "2"):
        folder = tmp_path / seed
        folder.mkdir()
        done = subprocess.run(
            [sys.executable, "-c", script, str(folder)], capture_output=True, text=True,
            env={**os.environ, "PYTHONHASHSEED": seed}, cwd=Path(__file__).parents[1],
            check=False, timeout=300)
        assert done.returncode == 0, done.stderr
        digests.append(done.stdout.split())
    assert digests[0] == digests[1] and len(digests[0]) == 3


def test_nothing_published_answers_404(client: FlaskClient) -> None:
    for suffix in FORMATS:
        assert client.get(f"/catalog.{suffix}").status_code == 404
    page = client.get(f"/data/{PACKAGE}")
    assert page.status_code == 200 and not json_ld(page.text)


def test_addresses_follow_dash_prefixes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # ``dash.get_relative_path`` (the download links) follows the last app created or
    # called: run this app in a context of its own and leave the other tests' app current.
    monkeypatch.setattr(dash._get_app, "APP", dash._get_app.APP)
    monkeypatch.setenv("DASH_URL_BASE_PATHNAME", "/portal/")
    contextvars.copy_context().run(prefixed_portal, tmp_path)


def prefixed_portal(tmp_path: Path) -> None:
    web = create_app(DEMO_PACKAGES, portal_config(tmp_path)).server.test_client()
    assert web.get("/catalog.ttl").status_code == 404
    response = web.get("/portal/catalog.ttl")
    assert response.status_code == 200
    graph = Graph().parse(data=response.data, format="turtle")
    assert (URIRef(f"{HOST}/portal/catalog"), RDF.type, DCAT.Catalog) in graph
    urls = list(graph.objects(None, DCAT.downloadURL))
    assert urls and all(str(u).startswith((f"{HOST}/portal/datapackages/",
                                           f"{HOST}/portal/publications/")) for u in urls)
    assert web.get(str(urls[0]).removeprefix(HOST)).status_code == 200
    page = web.get(f"/portal/data/{PACKAGE}")
    assert [d["@type"] for d in json_ld(page.text)] == ["Dataset"]


# --- schema.org JSON-LD in the pages ----------------------------------------------------


def test_package_page_carries_a_schema_org_dataset(web: FlaskClient,
                                                  catalogue: model.Catalogue) -> None:
    response = web.get(f"/data/{PACKAGE}")
    assert response.status_code == 200
    [found] = json_ld(response.text)
    assert found["@type"] == "Dataset"
    assert found["@id"] == f"{HOST}/data/{PACKAGE}#dataset"  # the DCAT dataset's IRI
    funders = [f["name"] for f in found["funder"]]
    assert any("FCO" in f for f in funders) and any("GIZ" in f for f in funders)
    assert found["publisher"]["name"] == "NGO AKTIV"
    place = found["spatialCoverage"]
    assert place["geo"]["box"] == "42.883 20.683 43.1 20.867"
    assert {p["name"] for p in place["containsPlace"]} == {
        "Leposavić", "Zubin Potok", "Zvečan", "North Mitrovica"}
    temporal = DESCRIPTOR["x-temporal"]
    assert found["temporalCoverage"] == f"{temporal['start']}/{temporal['end']}"
    package = catalogue.package(PACKAGE)
    assert package is not None
    assert len(found["distribution"]) == len(schema_org.all_downloads(package))
    for distribution in found["distribution"]:
        assert web.get(distribution["contentUrl"].removeprefix(HOST)).status_code == 200
    variables = [v["name"] for v in found["variableMeasured"]]
    assert len(variables) == len(set(variables)) and "business_key" in variables
    value = next(v for v in found["variableMeasured"] if v["name"] == "value")
    assert "unitText" not in value  # businesses in one table, euros in another


def test_json_ld_units_and_languages(web: FlaskClient) -> None:
    found = json_ld(web.get("/data/north-kosovo-programme-metrics?lang=sq").text)[0]
    assert found["name"].startswith("Harta e Produkteve")
    topic = next(v for v in found["variableMeasured"] if v["name"] == "topic")
    assert topic["alternateName"] and "description" in topic


def test_json_ld_is_rdf(web: FlaskClient) -> None:
    """The JSON-LD reads as RDF (schema.org's remote context replaced: no network)."""
    [found] = json_ld(web.get(f"/data/{PACKAGE}").text)
    found["@context"] = {"@vocab": "https://schema.org/"}
    parsed = Graph().parse(data=json.dumps(found), format="json-ld")
    schema = rdflib.Namespace("https://schema.org/")
    dataset = URIRef(f"{HOST}/data/{PACKAGE}#dataset")
    assert (dataset, RDF.type, schema.Dataset) in parsed
    assert len(list(parsed.objects(dataset, schema.distribution))) > 50


def test_other_pages_have_no_dataset(web: FlaskClient) -> None:
    for path in ("/data/no-such-package", "/data/north-kosovo-product-map/extra", "/training"):
        response = web.get(path)
        assert response.status_code == 200
        assert not json_ld(response.text), path


def test_data_page_carries_the_data_catalog(web: FlaskClient,
                                          catalogue: model.Catalogue) -> None:
    [found] = json_ld(web.get("/data").text)
    assert found["@type"] == "DataCatalog"
    assert found["@id"] == f"{HOST}/catalog"
    assert [d["@id"] for d in found["dataset"]] == [
        f"{HOST}/data/{p.name}#dataset" for p in catalogue.packages]


def test_script_cannot_be_closed_by_descriptor_text() -> None:
    tag = schema_org.script_tag({"name": "</script><script>alert(1)</script> & <!--"})
    inner = tag.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
    assert "<" not in inner and ">" not in inner
    assert json.loads(inner)["name"] == "</script><script>alert(1)</script> & <!--"
