"""The canonical address (portal/site.py): PORTAL_BASE_URL, trusted proxies, robots.txt and
the sitemap."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from xml.etree import ElementTree

import dash
import pytest
from flask.testing import FlaskClient

from portal import config
from portal.app import create_app
from portal.i18n import LOCALES
from tests.conftest import DEMO_PACKAGES, portal_config

BASE = "https://data.example.org/open-data/"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
#: Where absolute URLs appear: DCAT, CKAN, REST, a package page (schema.org, citation),
#: the embed view (its link back and the CSV), the sitemap and robots.txt.
ANSWERS = ["/catalog.ttl", "/api/3/action/package_show?id=north-kosovo-product-map",
           "/api/3/action/status_show", "/data/north-kosovo-product-map",
           "/embed/businesses-by-sector", "/sitemap.xml", "/robots.txt"]
_URL = re.compile(r"https?://[^\s\"'<>\\)]+")


def _client(tmp_path: Path, **settings: object) -> FlaskClient:
    tmp_path.mkdir(parents=True, exist_ok=True)
    app = create_app(DEMO_PACKAGES, {**portal_config(tmp_path), **settings})
    return app.server.test_client()


def _own_urls(body: str) -> set[str]:
    """Every absolute URL of the portal in ``body`` (vocabularies and licences aside)."""
    return {url for url in _URL.findall(body)
            if "example.org" in url or "127.0.0.1" in url or "localhost" in url
            or "proxy.internal" in url}


@pytest.mark.parametrize(("value", "problem"), [
    ("data.example.org", "absolute http"),
    ("ftp://data.example.org/", "absolute http"),
    ("https://data.example.org/?x=1", "query string"),
    ("https://data.example.org/#top", "fragment"),
    ("https://user:secret@data.example.org/", "user name"),
])
def test_a_malformed_base_url_is_one_clear_line(value: str, problem: str) -> None:
    with pytest.raises(config.ConfigError) as raised:
        config.from_environment({config.BASE_URL: value})
    message = str(raised.value)
    assert config.BASE_URL in message and problem in message and "\n" not in message
    assert "secret" not in message


def test_base_url_and_trusted_proxies_are_read_and_normalised() -> None:
    settings = config.from_environment({config.BASE_URL: "HTTPS://Data.Example.org/x",
                                        config.TRUSTED_PROXIES: "127.0.0.1, 10.0.0.0/8"})
    assert settings["BASE_URL"] == "https://data.example.org/x/"
    assert [str(n) for n in settings["TRUSTED_PROXIES"]] == ["127.0.0.1/32", "10.0.0.0/8"]
    with pytest.raises(config.ConfigError, match="PORTAL_TRUSTED_PROXIES.*'nginx'"):
        config.from_environment({config.TRUSTED_PROXIES: "127.0.0.1,nginx"})


def test_every_absolute_url_uses_the_base_url_whatever_the_host(tmp_path: Path) -> None:
    """The prefix is stripped by the proxy: requests arrive at / and links say /open-data/."""
    client = _client(tmp_path, BASE_URL=BASE)
    for path in ANSWERS:
        seen: list[set[str]] = []
        for host in ("127.0.0.1:8050", "other.example.org"):
            response = client.get(path, headers={"Host": host, "X-Forwarded-Host": "evil.test",
                                                 "X-Forwarded-Proto": "http"})
            assert response.status_code == 200, path
            urls = _own_urls(response.get_data(as_text=True))
            assert urls, f"{path}: no absolute URL of the portal"
            # (CKAN's site_url is the base without its final slash)
            assert {u for u in urls if not (u + "/").startswith(BASE)} == set(), path
            seen.append(urls)
        assert seen[0] == seen[1], f"{path}: the identifiers changed with the Host header"
    page = client.get("/data").get_data(as_text=True)
    assert 'href="/open-data/data/north-kosovo-product-map"' in page  # links under the prefix


def test_forwarded_headers_count_only_from_trusted_proxies(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "data.example.org",
                 "X-Forwarded-For": "203.0.113.9"}
    trusted = _client(tmp_path / "a", TRUSTED_PROXIES="127.0.0.1")
    status = trusted.get("/api/3/action/status_show", headers=forwarded,
                         environ_base={"REMOTE_ADDR": "127.0.0.1"}).get_json()
    assert status["result"]["site_url"] == "https://data.example.org"

    untrusted = _client(tmp_path / "b", TRUSTED_PROXIES="10.0.0.1")
    with caplog.at_level(logging.WARNING, logger="portal.site"):
        for _ in range(2):
            status = untrusted.get("/api/3/action/status_show", headers=forwarded,
                                   environ_base={"REMOTE_ADDR": "192.0.2.7"}).get_json()
            assert status["result"]["site_url"] == "http://localhost"
    warnings = [r.getMessage() for r in caplog.records if "192.0.2.7" in r.getMessage()]
    assert len(warnings) == 1 and "PORTAL_TRUSTED_PROXIES" in warnings[0]


def test_the_sitemap_lists_every_page_and_dataset(demo_app: dash.Dash) -> None:
    client = demo_app.server.test_client()
    tree = ElementTree.fromstring(client.get("/sitemap.xml").get_data())
    locations = [u.findtext(f"{SITEMAP}loc") for u in tree.iter(f"{SITEMAP}url")]
    with demo_app.server.test_request_context("/"):
        from portal import query
        from portal.layout import nav_pages

        release = query.current_release()
        assert release is not None
        expected = [f"http://localhost{p['relative_path']}" for p in nav_pages()]
        for name, package in release.packages.items():
            expected.append(f"http://localhost/data/{name}")
            expected += [f"http://localhost/data/{name}/{r['name']}"
                         for r in package["resources"]]
    assert locations == expected
    for location in locations:  # each answers, in each language
        assert client.get(location.removeprefix("http://localhost")).status_code == 200
    first = next(tree.iter(f"{SITEMAP}url"))
    languages = [link.get("hreflang") for link in first
                 if link.tag == "{http://www.w3.org/1999/xhtml}link"]
    assert languages == list(LOCALES)
    assert first.findtext(f"{SITEMAP}lastmod") == release.created[:10]


def test_robots_keep_crawlers_out_of_the_machine_interfaces(client: FlaskClient) -> None:
    robots = client.get("/robots.txt").get_data(as_text=True).splitlines()
    assert robots[0] == "User-agent: *"
    assert {"Disallow: /api/", "Disallow: /_dash-"} <= set(robots)
    assert "Sitemap: http://localhost/sitemap.xml" in robots
    # The pages, the packages and the catalogue stay open to crawlers.
    assert not [line for line in robots if line in ("Disallow: /", "Disallow: /data")]
    assert json.loads(client.get("/healthz").get_data())  # unaffected
