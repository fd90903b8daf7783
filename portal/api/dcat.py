"""DCAT-AP 3 catalogue of the current release: ``/catalog.ttl``, ``.jsonld`` and ``.rdf``.

Harvesters (data.europa.eu, national portals, CKAN's DCAT harvester) discover open data
through a DCAT-AP catalogue, so the portal describes every published package as a
``dcat:Dataset`` and every published file as a ``dcat:Distribution`` with its absolute
download address, size, checksum, format and licence. The graph is built from the shared
catalogue model (:mod:`portal.catalog.model`), once per release and host, and each
serialisation is kept: answers cost a dictionary lookup, and a 304 when the client's copy
is current (:func:`portal.catalog.http.conditional`).

The graph conforms to the DCAT-AP 3.0.1 SHACL shapes, mandatory and recommended, class
ranges included. Terms of the EU authority tables (licence, file types, themes, access
right...) are typed and labelled in the graph itself, because validators that check class
ranges neither reason nor fetch vocabularies.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import dash
import flask
from flask import Blueprint, Response
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, GEO, PROV, RDF, RDFS, SKOS, XSD

from portal.catalog import http, model, schema_org
from portal.catalog.model import Catalogue, Download, Package, Resource
from portal.catalog.schema_org import Agent, Site, Spatial
from portal.i18n import LOCALES, N_, NATIVE_NAMES, translations
from portal.publications import library
from portal.publications import release as publications_release
from portal.publications import views as publications
from portal.site import DESCRIPTION, SITE_TITLE

#: Open namespace: rdflib's closed ``DCAT`` predates DCAT 3 (``dcat:version``).
DCAT = Namespace("http://www.w3.org/ns/dcat#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
AUTHORITY = Namespace("http://publications.europa.eu/resource/authority/")
IANA = Namespace("http://www.iana.org/assignments/media-types/")
PUBLISHER_TYPE = Namespace("http://purl.org/adms/publishertype/")
LICENCE_TYPE = Namespace("http://purl.org/adms/licencetype/")
#: ISO 19115-1 role codes, as the DCAT recommendation's examples cite them.
ROLE = Namespace("http://registry.it.csiro.au/def/isotc211/CI_RoleCode/")
PREFIXES = {
    "dcat": DCAT, "dct": DCTERMS, "foaf": FOAF, "vcard": VCARD, "adms": ADMS, "spdx": SPDX,
    "prov": PROV, "skos": SKOS, "geo": GEO, "dcatap": DCATAP, "rdfs": RDFS, "xsd": XSD,
}

#: EU data themes (labels of the Publications Office's authority table).
DATA_THEMES = {
    "AGRI": "Agriculture, fisheries, forestry and food", "ECON": "Economy and finance",
    "EDUC": "Education, culture and sport", "ENER": "Energy", "ENVI": "Environment",
    "GOVE": "Government and public sector", "HEAL": "Health", "INTR": "International issues",
    "JUST": "Justice, legal system and public safety", "REGI": "Regions and cities",
    "SOCI": "Population and society", "TECH": "Science and technology", "TRAN": "Transport",
}
#: Media type → EU file type. Markdown has no code of its own there: it is plain text.
FILE_TYPES = {
    "text/csv": "CSV", "application/json": "JSON", "application/zip": "ZIP",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
    "application/xml": "XML", "text/markdown": "TXT",
}
#: Data Package licence name → (EU licence code, ADMS licence type).
LICENCES = {"CC-BY-4.0": ("CC_BY_4_0", "Attribution"), "CC0-1.0": ("CC0", "PublicDomain")}
#: Descriptor language → (EU language code, name).
PUBLICATIONS_TITLE = N_("Reports and handbooks")
PUBLICATIONS_DESCRIPTION = N_(
    "The Product Map report and the market-access handbook (complete and per broad sector) of "
    "this release, as PDF documents in English, Albanian and Serbian (Latin and Cyrillic).")
LANGUAGES = {"en": ("ENG", "English"), "sq": ("SQI", "Albanian"), "sr-Latn": ("SRP", "Serbian")}
#: Kinds of organisation (ADMS publisher types) of the contributors the descriptors name;
#: the descriptors do not say, so they are configured here (``DCAT_AGENT_TYPES`` adds more).
AGENT_TYPES = {
    "NGO AKTIV": "NonGovernmentalOrganisation",
    "UK Foreign & Commonwealth Office (FCO)": "NationalAuthority",
    # A federal enterprise working on behalf of the German government.
    "Deutsche Gesellschaft für Internationale Zusammenarbeit (GIZ)": "NationalAuthority",
}
_AGENT_TYPE_LABELS = {
    "NonGovernmentalOrganisation": "Non-governmental organisation",
    "NationalAuthority": "National authority", "NonProfitOrganisation": "Non-profit organisation",
    "Company": "Company", "Academia-ScientificOrganisation": "Academia/scientific organisation",
}
#: Standards the files follow (Frictionless Data Package v2).
DATA_PACKAGE = URIRef("https://datapackage.org/standard/data-package/")
TABLE_SCHEMA = URIRef("https://datapackage.org/standard/table-schema/")
_FILE_DESCRIPTIONS = {
    "archive": "The whole data package in one ZIP archive: descriptor, every table in CSV, "
               "JSON and XLSX, and the disclosure-risk report.",
    "descriptor": "Data Package descriptor (datapackage.json): metadata, licence and the "
                  "Table Schema of every table.",
    "disclosure": "Disclosure-risk report of the release: how the published tables were "
                  "protected against re-identification.",
    "attachment": "Attachment to the data package.",
}

#: Serialisations: URL suffix → (rdflib format, media type).
FORMATS = {
    "ttl": ("turtle", "text/turtle; charset=utf-8"),
    "jsonld": ("json-ld", "application/ld+json"),
    "rdf": ("xml", "application/rdf+xml"),
}
CATALOG_PATH = schema_org.CATALOG_PAGE
#: Graphs kept per release: one per host name the portal is reached by, at most this many.
_MAX_HOSTS = 8
_CACHE_KEY = "portal_dcat"
_PREFIX_KEY = "portal_dcat_requests_prefix"
_lock = threading.Lock()


def slug(text: str) -> str:
    """``"Deutsche Gesellschaft für …"`` → ``"deutsche-gesellschaft-fur-…"`` for IRIs."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "agent"


def translated(message: str) -> dict[str, str]:
    """A portal message in each catalogue language it has been translated into."""
    found = {"en": message}
    for lang in ("sq", "sr-Latn"):
        text = translations(lang).gettext(message)
        if text and text != message:
            found[lang] = text
    return found


def time_literal(value: str) -> Literal | None:
    """An ISO 8601 date (``xsd:date``) or date-time (``xsd:dateTime``); None if unreadable."""
    try:
        if len(value) == 10:
            return Literal(datetime.date.fromisoformat(value))
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return Literal(parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC))


@functools.lru_cache(maxsize=1024)
def sha256(path: Path, fingerprint: str) -> str:
    """SHA-256 of a published file, read once per release (``fingerprint`` keys the cache)."""
    del fingerprint
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


_IRI = re.compile(r"(https?://|mailto:)[^\s<>\"{}|\\^`]+")


def web_iri(text: str | None) -> URIRef | None:
    """``text`` as an IRI if it is a well-formed web or mail address: a descriptor's typo
    must not make the whole Turtle document unreadable."""
    return URIRef(text) if text and _IRI.fullmatch(text) else None


def blank(*parts: str) -> BNode:
    """A blank node labelled from ``parts``: the same in every process, so that two workers
    answer byte-identical bodies under one ETag."""
    return BNode("b" + hashlib.sha256("\0".join(parts).encode()).hexdigest()[:20])


def wkt_box(box: tuple[float, float, float, float]) -> Literal:
    west, south, east, north = box
    ring = f"{west} {south}, {east} {south}, {east} {north}, {west} {north}, {west} {south}"
    return Literal(f"POLYGON(({ring}))", datatype=GEO.wktLiteral)


def wkt_point(lon: float, lat: float) -> Literal:
    return Literal(f"POINT({lon} {lat})", datatype=GEO.wktLiteral)


class CatalogueGraph:
    """Builds the DCAT-AP graph of one release, with IRIs under the requested host."""

    def __init__(self, catalogue: Catalogue, site: Site, agent_types: dict[str, str]) -> None:
        self.catalogue = catalogue
        self.site = site
        self.agent_types = agent_types
        self.graph = Graph(bind_namespaces="none")
        for prefix, namespace in PREFIXES.items():
            self.graph.bind(prefix, namespace)
        self.iri = URIRef(site.url(CATALOG_PATH))

    def add(self, subject: URIRef | BNode, predicate: URIRef, value: Any) -> None:
        """Add a triple; None (an absent value) adds nothing."""
        if value is not None:
            self.graph.add((subject, predicate, value))

    def texts(self, subject: URIRef, predicate: URIRef, values: dict[str, str]) -> None:
        for lang, text in values.items():
            self.graph.add((subject, predicate, Literal(text, lang=lang)))

    def term(self, iri: URIRef, label: str, *types: URIRef) -> URIRef:
        """An authority-table term, typed and labelled so class-range checks can see it."""
        for kind in types:
            self.graph.add((iri, RDF.type, kind))
        self.graph.add((iri, SKOS.prefLabel, Literal(label, lang="en")))
        return iri

    # --- shared nodes --------------------------------------------------------------

    def agent(self, agent: Agent) -> URIRef:
        node = URIRef(f"{self.iri}#agent-{slug(agent.name)}")
        self.graph.add((node, RDF.type, FOAF.Agent))
        self.graph.add((node, RDF.type, FOAF.Organization))
        self.graph.add((node, FOAF.name, Literal(agent.name)))
        homepage = web_iri(agent.homepage)
        if homepage is not None:
            self.graph.add((node, FOAF.homepage, self.document(homepage)))
        kind = self.agent_types.get(agent.name)
        if kind:
            self.graph.add((node, DCTERMS.type, self.term(
                PUBLISHER_TYPE[kind], _AGENT_TYPE_LABELS.get(kind, kind), SKOS.Concept)))
        return node

    def contact(self, agent: Agent) -> URIRef:
        node = URIRef(f"{self.iri}#contact-{slug(agent.name)}")
        self.graph.add((node, RDF.type, VCARD.Kind))
        self.graph.add((node, RDF.type, VCARD.Organization))
        self.graph.add((node, VCARD.fn, Literal(agent.name)))
        self.add(node, VCARD.hasEmail, web_iri(f"mailto:{agent.email}") if agent.email else None)
        self.add(node, VCARD.hasURL, web_iri(agent.homepage))
        return node

    def document(self, node: URIRef) -> URIRef:
        self.graph.add((node, RDF.type, FOAF.Document))
        return node

    def languages(self, subject: URIRef) -> None:
        for code, name in LANGUAGES.values():
            self.graph.add((subject, DCTERMS.language, self.term(
                AUTHORITY[f"language/{code}"], name, DCTERMS.LinguisticSystem)))

    def licence(self, package: Package) -> URIRef | None:
        for entry in package.descriptor.get("licenses") or []:
            if not isinstance(entry, dict):
                continue
            known = LICENCES.get(str(entry.get("name", "")))
            title = str(entry.get("title") or entry.get("name") or "")
            if known:
                node = self.term(AUTHORITY[f"licence/{known[0]}"], title or known[0],
                                 DCTERMS.LicenseDocument)
                self.graph.add((node, DCTERMS.type, self.term(
                    LICENCE_TYPE[known[1]], known[1], SKOS.Concept)))
                return node
            path = web_iri(entry.get("path") if isinstance(entry.get("path"), str) else None)
            if path is not None:
                return self.term(path, title or str(path), DCTERMS.LicenseDocument)
        return None

    def locations(self, area: Spatial, package: Package) -> list[URIRef]:
        """The country (EU authority table) and the area of the municipalities covered."""
        found = []
        country = schema_org.COUNTRIES.get(area.country or "")
        if country is not None:
            node = self.term(AUTHORITY[f"country/{country.eu_code}"], country.name,
                             DCTERMS.Location)
            box = country.bbox
            self.graph.add((node, DCAT.bbox, wkt_box(box)))
            self.graph.add((node, DCAT.centroid, wkt_point((box[0] + box[2]) / 2,
                                                           (box[1] + box[3]) / 2)))
            found.append(node)
        if area.bbox is not None and area.centre is not None:
            codes = "-".join(m.code for m in area.municipalities) or slug(package.name)
            node = URIRef(f"{self.iri}#area-{quote(codes)}")
            names = ", ".join(m.name for m in area.municipalities) or package.name
            self.term(node, names, DCTERMS.Location)
            self.graph.add((node, DCAT.bbox, wkt_box(area.bbox)))
            self.graph.add((node, DCAT.centroid, wkt_point(*area.centre)))
            for municipality in area.municipalities:
                self.graph.add((node, DCTERMS.hasPart, self.municipality(municipality)))
            found.append(node)
        return found

    def municipality(self, municipality: schema_org.Municipality) -> URIRef:
        """A municipality as a GeoSPARQL feature located at its seat (all the descriptor
        gives; a ``dct:Location`` would be expected to have a bounding box)."""
        node = URIRef(f"{self.iri}#municipality-{quote(municipality.code)}")
        self.graph.add((node, RDF.type, GEO.Feature))
        self.graph.add((node, SKOS.prefLabel, Literal(municipality.name)))
        self.graph.add((node, DCTERMS.identifier, Literal(municipality.code)))
        if municipality.seat is not None:
            seat = URIRef(f"{node}-seat")
            self.graph.add((node, GEO.hasGeometry, seat))
            self.graph.add((seat, RDF.type, GEO.Geometry))
            self.graph.add((seat, RDFS.label, Literal(f"Seat of {municipality.name}", lang="en")))
            self.graph.add((seat, GEO.asWKT, wkt_point(*municipality.seat)))
        return node

    # --- catalogue, datasets, distributions -----------------------------------------

    def build(self) -> Graph:
        catalogue, node = self.catalogue, self.iri
        g = self.graph
        g.add((node, RDF.type, DCAT.Catalog))
        self.texts(node, DCTERMS.title, translated(SITE_TITLE))
        self.texts(node, DCTERMS.description, translated(DESCRIPTION))
        g.add((node, FOAF.homepage, self.document(URIRef(self.site.url("/")))))
        self.languages(node)
        scheme = AUTHORITY["data-theme"]
        g.add((scheme, RDF.type, SKOS.ConceptScheme))
        g.add((scheme, DCTERMS.title, Literal("Data theme", lang="en")))
        g.add((node, DCAT.themeTaxonomy, scheme))
        released = sorted(v.released for v in catalogue.live_history if time_literal(v.released))
        self.add(node, DCTERMS.issued, time_literal(released[0]) if released else
                 time_literal(catalogue.release.created))
        g.add((node, DCTERMS.modified, Literal(catalogue.modified)))
        publisher = next((a for p in catalogue.packages
                          for a in schema_org.with_role(p, "publisher")), None)
        if publisher is None:
            publisher = Agent(SITE_TITLE, self.site.url("/"), None, ("publisher",))
        g.add((node, DCTERMS.publisher, self.agent(publisher)))
        licence = next((x for x in map(self.licence, catalogue.packages) if x), None)
        self.add(node, DCTERMS.license, licence)
        for package in catalogue.packages:
            dataset = self.dataset(package)
            g.add((node, DCAT.dataset, dataset))
            for location in g.objects(dataset, DCTERMS.spatial):
                g.add((node, DCTERMS.spatial, location))
        datasets = list(g.objects(node, DCAT.dataset))
        g.add((node, DCAT.dataset, self.publications(licence, datasets[0] if datasets else None)))
        return g

    def publications(self, licence: URIRef | None, like: URIRef | None) -> URIRef:
        """The release's documents: one dataset, each document's PDF in each language a
        distribution (its size once made); publisher, contact, place, period and themes are
        those of the release's datasets (``like``)."""
        g, release = self.graph, self.catalogue.release
        root = self.catalogue.published.folder.path
        page = URIRef(self.site.url(publications.URL_PREFIX))
        node = URIRef(f"{page}#release-{quote(release.version)}")
        g.add((node, RDF.type, DCAT.Dataset))
        g.add((node, DCTERMS.identifier, Literal(f"publications-{release.version}")))
        self.texts(node, DCTERMS.title, translated(PUBLICATIONS_TITLE))
        self.texts(node, DCTERMS.description, translated(PUBLICATIONS_DESCRIPTION))
        g.add((node, DCAT.version, Literal(release.version)))
        g.add((node, DCAT.landingPage, self.document(page)))
        self.languages(node)
        for predicate in (DCTERMS.publisher, DCAT.contactPoint, DCTERMS.spatial,
                          DCTERMS.temporal, DCAT.theme):
            for value in g.objects(like, predicate) if like is not None else ():
                g.add((node, predicate, value))
        for keyword in ("report", "handbook"):
            g.add((node, DCAT.keyword, Literal(keyword, lang="en")))
        stable = self.term(AUTHORITY["planned-availability/STABLE"], "stable", SKOS.Concept)
        version = publications_release.Version(release.version, "", root)
        for doc in library.documents(root):
            titles = library.titles(doc, root)
            for locale in LOCALES:
                filename = doc.filename(release.version, locale, "pdf")
                url = URIRef(self.site.url(f"{publications.URL_PREFIX}/{release.version}/"
                                           f"{filename}"))
                g.add((node, DCAT.distribution, url))
                g.add((url, RDF.type, DCAT.Distribution))
                g.add((url, DCAT.accessURL, url))
                g.add((url, DCAT.downloadURL, url))
                g.add((url, DCTERMS.title, Literal(titles[locale], lang=locale)))
                g.add((url, DCTERMS.description, Literal(
                    f"{titles['en']} ({NATIVE_NAMES[locale]}, PDF).", lang="en")))
                g.add((url, DCATAP.availability, stable))
                g.add((url, DCTERMS.format, self.term(
                    AUTHORITY["file-type/PDF"], "PDF", DCTERMS.MediaTypeOrExtent)))
                media = IANA["application/pdf"]
                g.add((media, RDF.type, DCTERMS.MediaType))
                g.add((url, DCAT.mediaType, media))
                kept = library.kept(flask.current_app, version, filename)
                if kept.is_file():
                    g.add((url, DCAT.byteSize, Literal(kept.stat().st_size,
                                                       datatype=XSD.nonNegativeInteger)))
                self.add(url, DCTERMS.license, licence)
        return node

    def dataset(self, package: Package) -> URIRef:
        g, descriptor = self.graph, package.descriptor
        node = URIRef(self.site.dataset_id(package))
        g.add((node, RDF.type, DCAT.Dataset))
        g.add((node, DCTERMS.identifier, Literal(package.id)))
        self.texts(node, DCTERMS.title, schema_org.texts(descriptor, "title")
                   or {"en": package.name})
        self.texts(node, DCTERMS.description, schema_org.texts(descriptor, "description")
                   or {"en": package.name})
        for keyword in descriptor.get("keywords") or []:
            if isinstance(keyword, str) and keyword.strip():
                g.add((node, DCAT.keyword, Literal(keyword.strip(), lang="en")))
        for code in dict.fromkeys(model.THEMES[t][1] for t in package.themes):
            theme = self.term(AUTHORITY[f"data-theme/{code}"], DATA_THEMES.get(code, code),
                              SKOS.Concept)
            g.add((theme, SKOS.inScheme, AUTHORITY["data-theme"]))
            g.add((node, DCAT.theme, theme))
        self.agents(node, package)
        for location in self.locations(schema_org.spatial(package), package):
            g.add((node, DCTERMS.spatial, location))
        self.period(node, package)
        self.add(node, DCTERMS.issued, time_literal(schema_org.issued(self.catalogue, package)))
        self.add(node, DCTERMS.modified, time_literal(package.created))
        if package.version:
            g.add((node, DCAT.version, Literal(package.version)))
            notes = next((v.summary for v in self.catalogue.live_history
                          if v.version == package.version and v.summary), None)
            self.add(node, ADMS.versionNotes, Literal(notes, lang="en") if notes else None)
        g.add((node, DCTERMS.accessRights, self.term(
            AUTHORITY["access-right/PUBLIC"], "public", DCTERMS.RightsStatement)))
        g.add((node, DCTERMS.accrualPeriodicity, self.term(
            AUTHORITY["frequency/IRREG"], "irregular", DCTERMS.Frequency)))
        page = URIRef(self.site.landing_page(package))
        g.add((node, DCAT.landingPage, self.document(page)))
        g.add((node, DCTERMS.conformsTo, self.term(
            DATA_PACKAGE, "Frictionless Data Package", DCTERMS.Standard)))
        self.languages(node)
        self.provenance(node, package, page)
        licence = self.licence(package)
        for download, resource in schema_org.all_downloads(package):
            g.add((node, DCAT.distribution, self.distribution(
                package, page, download, resource, licence)))
        return node

    def agents(self, node: URIRef, package: Package) -> None:
        publishers = schema_org.with_role(package, "publisher")
        if publishers:
            self.graph.add((node, DCTERMS.publisher, self.agent(publishers[0])))
        creators = schema_org.with_role(package, "creator")
        for creator in creators:
            self.graph.add((node, DCTERMS.creator, self.agent(creator)))
        contact = next(iter(publishers + creators + schema_org.agents(package)), None)
        if contact is not None:
            self.graph.add((node, DCAT.contactPoint, self.contact(contact)))
        for funder in schema_org.with_role(package, "funder"):
            attribution = blank(str(node), "funder", funder.name)
            self.graph.add((node, PROV.qualifiedAttribution, attribution))
            self.graph.add((attribution, RDF.type, PROV.Attribution))
            self.graph.add((attribution, PROV.agent, self.agent(funder)))
            self.graph.add((attribution, DCAT.hadRole, self.term(
                ROLE.funder, "funder", DCAT.Role, SKOS.Concept)))

    def period(self, node: URIRef, package: Package) -> None:
        start, end = (time_literal(v) if v else None for v in schema_org.temporal(package))
        if start is None and end is None:
            return
        period = URIRef(f"{self.site.landing_page(package)}#temporal")
        self.graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
        self.add(period, DCAT.startDate, start)
        self.add(period, DCAT.endDate, end)
        self.graph.add((node, DCTERMS.temporal, period))

    def provenance(self, node: URIRef, package: Package, page: URIRef) -> None:
        sources = [s.get("title") for s in package.descriptor.get("sources") or []
                   if isinstance(s, dict) and isinstance(s.get("title"), str)]
        if package.descriptor.get("x-synthetic"):
            sources.append("Synthetic demonstration data: no real business is described.")
        if sources:
            statement = URIRef(f"{page}#provenance")
            self.graph.add((statement, RDF.type, DCTERMS.ProvenanceStatement))
            self.graph.add((statement, RDFS.label, Literal(" ".join(sources), lang="en")))
            self.graph.add((node, DCTERMS.provenance, statement))

    def distribution(self, package: Package, page: URIRef, download: Download,
                     resource: Resource | None, licence: URIRef | None) -> URIRef:
        g, file = self.graph, download.file
        try:
            relative = file.path.relative_to(self.catalogue.published.folder.path).as_posix()
        except ValueError:
            relative = file.path.name
        relative = relative.removeprefix(f"{package.name}/")
        node = URIRef(f"{page}#{quote(relative)}")
        url = URIRef(self.site.download(download))
        g.add((node, RDF.type, DCAT.Distribution))
        g.add((node, DCAT.accessURL, url))
        g.add((node, DCAT.downloadURL, url))
        if resource is not None:
            titles = schema_org.texts(resource.descriptor, "title") or {"en": resource.name}
            self.texts(node, DCTERMS.title, {k: f"{v} — {download.format}"
                                             for k, v in titles.items()})
            description = resource.descriptor.get("description")
            if not isinstance(description, str) or not description.strip():
                description = f"{titles.get('en', resource.name)} ({download.format})."
            g.add((node, DCTERMS.description, Literal(description.strip(), lang="en")))
            g.add((node, DCTERMS.conformsTo, self.term(
                TABLE_SCHEMA, "Frictionless Table Schema", DCTERMS.Standard)))
        else:
            titles = schema_org.texts(package.descriptor, "title") or {"en": package.name}
            self.texts(node, DCTERMS.title, {k: f"{v}: {relative}" for k, v in titles.items()})
            g.add((node, DCTERMS.description, Literal(_FILE_DESCRIPTIONS.get(
                download.kind, _FILE_DESCRIPTIONS["attachment"]), lang="en")))
            if download.kind in ("archive", "descriptor"):
                g.add((node, DCTERMS.conformsTo, DATA_PACKAGE))
        code = FILE_TYPES.get(download.mediatype, "OCTET")
        g.add((node, DCTERMS.format, self.term(
            AUTHORITY[f"file-type/{code}"], code, DCTERMS.MediaTypeOrExtent)))
        media = IANA[download.mediatype]
        g.add((media, RDF.type, DCTERMS.MediaType))
        g.add((node, DCAT.mediaType, media))
        g.add((node, DCAT.byteSize, Literal(download.size, datatype=XSD.nonNegativeInteger)))
        checksum = blank(str(node), "checksum")
        g.add((node, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((SPDX.checksumAlgorithm_sha256, RDF.type, SPDX.ChecksumAlgorithm))
        g.add((checksum, SPDX.checksumValue, Literal(
            sha256(file.path, self.catalogue.release.fingerprint), datatype=XSD.hexBinary)))
        self.add(node, DCTERMS.license, licence)
        g.add((node, DCATAP.availability, self.term(
            AUTHORITY["planned-availability/STABLE"], "stable", SKOS.Concept)))
        return node


@dataclass
class _Entry:
    """A release's graph for one host, and its serialisations made so far."""

    graph: Graph
    bodies: dict[str, bytes] = field(default_factory=dict)


def _agent_types() -> dict[str, str]:
    return {**AGENT_TYPES, **flask.current_app.config.get("DCAT_AGENT_TYPES", {})}


def current_site() -> Site:
    """This request's host and the requests prefix of the Dash app that mounted the routes."""
    return schema_org.site(flask.current_app.extensions[_PREFIX_KEY])


def catalogue_graph(catalogue: Catalogue) -> Graph:
    """The DCAT-AP graph of ``catalogue`` for this request's host (built once)."""
    return _entry(catalogue).graph


def _entry(catalogue: Catalogue) -> _Entry:
    built: dict[tuple[str, str], _Entry] = flask.current_app.extensions.setdefault(
        _CACHE_KEY, {})
    site = current_site()
    key = (catalogue.release.revision, site.url("/"))
    found = built.get(key)
    if found is None:
        with _lock:
            found = built.get(key)
            if found is None:
                found = _Entry(CatalogueGraph(catalogue, site, _agent_types()).build())
                for stale in [k for k in built if k[0] != key[0]]:
                    del built[stale]  # only the current release is ever served
                while len(built) >= _MAX_HOSTS:
                    del built[next(iter(built))]
                built[key] = found
    return found


def ordered(graph: Graph) -> Graph:
    """``graph`` with its triples sorted, in a store that iterates them in that order.

    rdflib's default store iterates a hash-ordered set, so RDF/XML would come out in a
    different order in each worker process under the same ETag.
    """
    copy = Graph(store="SimpleMemory", bind_namespaces="none")
    for prefix, namespace in graph.namespaces():
        copy.bind(prefix, namespace)
    for triple in sorted(graph):
        copy.add(triple)
    return copy


def serialise(catalogue: Catalogue, suffix: str) -> bytes:
    """The catalogue in one of :data:`FORMATS`, serialised once per release and host."""
    entry = _entry(catalogue)
    body = entry.bodies.get(suffix)
    if body is None:
        rdf_format = FORMATS[suffix][0]
        options: dict[str, Any] = {"encoding": "utf-8"}
        if rdf_format == "json-ld":
            options["context"] = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
        body = ordered(entry.graph).serialize(format=rdf_format, **options)
        if rdf_format == "json-ld":  # its nodes come out in hash order whatever the store
            document = json.loads(body)
            document.get("@graph", []).sort(key=lambda node: str(node.get("@id", "")))
            body = json.dumps(document, ensure_ascii=False, indent=2).encode()
        entry.bodies[suffix] = body
    return body


blueprint = Blueprint("dcat", __name__)


def _nothing_published() -> Response:
    return Response("No data has been published yet.\n", status=404, mimetype="text/plain")


@blueprint.get(f"{CATALOG_PATH}.<any(ttl, jsonld, rdf):suffix>")
def catalogue_file(suffix: str) -> Response:
    """The catalogue in the format its suffix names; 304 when the client's copy is current."""
    catalogue = model.current()
    if catalogue is None:
        return _nothing_published()

    def make() -> Response:
        response = Response(serialise(catalogue, suffix), content_type=FORMATS[suffix][1])
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    return http.conditional(catalogue, make)


@blueprint.get(CATALOG_PATH)
def catalogue_iri() -> Response:
    """The catalogue's IRI: 303 to the serialisation the client accepts (Turtle if any)."""
    types = {media.split(";")[0]: suffix for suffix, (_, media) in FORMATS.items()}
    best = flask.request.accept_mimetypes.best_match(list(types), default="text/turtle")
    response = flask.redirect(current_site().url(f"{CATALOG_PATH}.{types[best]}"), 303)
    response.vary.add("Accept")
    return response


def init_app(app: dash.Dash) -> None:
    """Mount the catalogue's routes on ``app.server`` under Dash's routes prefix."""
    app.server.extensions[_PREFIX_KEY] = app.config.requests_pathname_prefix
    app.server.register_blueprint(
        blueprint, url_prefix=app.config.routes_pathname_prefix.rstrip("/"))
