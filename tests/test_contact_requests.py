"""Contact requests brokered by the programme: the buyer's form on the portal (CSRF, same-site
check, honeypot, size limits, rate limit per address, unknown listings), the staff's page in the
workspace (roles, CSV export, marked handled with an audit entry), retention, and that the
buyer's details reach neither a log record nor the database as a client address."""

from __future__ import annotations

import csv
import datetime as dt
import json
import logging
import re
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import dash
import flask
import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from workspace_helpers import BASE, PASSWORD, login, tokens

from portal import config
from portal.app import create_app
from portal.contact import form, limits, store
from portal.contact.models import EXTENSION, ContactRequest, Database, RateCount, default_url
from portal.workspace import accounts
from portal.workspace import app as workspace_app
from portal.workspace import cli as workspace_cli
from portal.workspace import config as workspace_config
from portal.workspace.models import ROLES, AuditEntry, User
from tests.conftest import DEMO_PACKAGES, database_url, portal_config

#: Two listed businesses (the contract's shape); the second's name carries markup, shown as text.
LISTINGS = [
    {"id": "3f9a0c1b7e", "name": "Med Ibar", "municipality": None, "sector": "agriculture",
     "products": [{"name": "Honey", "hs_chapter": "04"}], "certifications": ["haccp"],
     "languages": ["sq", "sr"], "contact_person": None, "phone": "+383 44 000 000",
     "email": "info@example.org", "website": None,
     "description": {"en": "Honey from the Ibar valley", "sq": None, "sr": None}},
    {"id": "0a1b2c3d4e", "name": "Drvo <b>Sever</b> & Co", "municipality": None,
     "sector": "manufacturing", "products": None, "certifications": None, "languages": [],
     "contact_person": None, "phone": None, "email": None, "website": None,
     "description": {}},
]
LISTING = LISTINGS[0]["id"]
#: A buyer's request, every value distinctive enough to be searched for in logs and tables.
BUYER = {"name": "Arbenita Qorrolli", "organisation": "=HYPERLINK(\"http://x\")",
         "city": "Prizrenopolis", "email": "arbenita.q@buyer-example.org",
         "phone": "+383 49 765 432", "message": "We need 400 kg of acacia honey\nby March."}
ADDRESS = "203.0.113.5"


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed release with a directory file beside its packages (written before any
    app reads it, so it counts whether or not the fingerprint covers the file)."""
    copy = tmp_path_factory.mktemp("contact") / "packages"
    shutil.copytree(DEMO_PACKAGES, copy, symlinks=True)
    (copy / "1.1.0" / "supplier-directory.json").write_text(json.dumps(
        {"version": "1.1.0", "listings": LISTINGS}), encoding="utf-8")
    return copy


@pytest.fixture(scope="module")
def contact_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return database_url(tmp_path_factory.mktemp("contact-db"), "contact.sqlite")


@pytest.fixture(scope="module")
def portal(packages: Path, contact_url: str, tmp_path_factory: pytest.TempPathFactory
           ) -> dash.Dash:
    return create_app(packages, {**portal_config(tmp_path_factory.mktemp("portal")),
                                 "CONTACT_DATABASE_URL": contact_url,
                                 "SECRET_KEY": "the portal's test secret key"})


@pytest.fixture(autouse=True)
def _empty(portal: dash.Dash) -> Iterator[None]:
    """Each test starts with no request and no count."""
    db = _db(portal)
    with db.session() as s:
        s.execute(sa.delete(ContactRequest))
        s.execute(sa.delete(RateCount))
    yield


@pytest.fixture
def workspace(tmp_path: Path, packages: Path, contact_url: str) -> Iterator[flask.Flask]:
    """A workspace on the same contact database, with an account of every role."""
    app = workspace_app.create_app({
        "WORKSPACE_DIR": tmp_path / "workspace", "PACKAGES_DIR": packages,
        "DATABASE_URL": database_url(tmp_path, "workspace.sqlite"),
        "CONTACT_DATABASE_URL": contact_url, "CONTACT_RETENTION_DAYS": 90,
        "SECRET_KEY": "test secret key of the workspace", "TESTING": True})
    with app.extensions["workspace_db"].session() as s:
        for role in ROLES:
            accounts.add(s, role, role, PASSWORD)
    yield app
    app.extensions["workspace_db"].engine.dispose()
    app.extensions[EXTENSION].engine.dispose()


def _db(portal: dash.Dash) -> Database:
    return portal.server.extensions[EXTENSION]


def _stored(portal: dash.Dash) -> list[ContactRequest]:
    with _db(portal).session() as s:
        found = list(s.scalars(sa.select(ContactRequest).order_by(ContactRequest.id)))
        s.expunge_all()
    return found


def _buyer(portal: dash.Dash, address: str = ADDRESS) -> FlaskClient:
    client = portal.server.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _token(client: FlaskClient, listing: str = LISTING) -> str:
    page = client.get(f"/directory/{listing}/contact")
    assert page.status_code == 200
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def _send(client: FlaskClient, data: dict[str, str] | None = None, listing: str = LISTING,
          token: str | None = None, **kwargs: object):  # noqa: ANN202 - a test response
    """Open the form, then send it (its token unless ``token`` is given) with ``data``."""
    sent = {"csrf_token": _token(client, listing) if token is None else token,
            **(BUYER if data is None else data)}
    return client.post(f"/directory/{listing}/contact", data=sent, **kwargs)


def _staff(app: flask.Flask, role: str | None = "viewer") -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_REFERER"] = f"{BASE}/"
    if role is not None:
        assert login(client, role).status_code == 303
    return client


# --- the buyer's form -----------------------------------------------------------------------


def test_a_request_is_stored_and_answered_with_a_thank_you(portal: dash.Dash) -> None:
    client = _buyer(portal)
    answer = _send(client)
    assert answer.status_code == 303
    assert answer.headers["Location"] == f"/directory/{LISTING}/contact/sent"
    thanks = client.get(answer.headers["Location"])
    assert thanks.status_code == 200 and "Med Ibar" in thanks.text
    [made] = _stored(portal)
    assert (made.listing_id, made.listing_name, made.language) == (LISTING, "Med Ibar", "en")
    assert {k: getattr(made, k) for k in BUYER} == BUYER
    assert not made.handled and made.handled_at is None
    assert abs(made.created - dt.datetime.now(dt.UTC).replace(tzinfo=None)) < dt.timedelta(
        minutes=1)


def test_the_page_names_the_business_in_the_visitors_language(portal: dash.Dash) -> None:
    client = _buyer(portal)
    for lang in ("en", "sq", "sr-Latn", "sr-Cyrl"):
        page = client.get(f"/directory/{LISTING}/contact?lang={lang}")
        assert page.status_code == 200
        assert f'<html lang="{lang}">' in page.text
        assert page.headers["Cache-Control"] == "no-store"
        checked = _Html.of(page.text)
        assert checked.problems == [], (lang, checked.problems)
        assert any("Med Ibar" in h for h in checked.h1)
        assert f"/directory/{LISTING}" in checked.links
        assert checked.external == []
        assert "csrf_token" in checked.inputs and form.HONEYPOT in checked.inputs
        # The directory's terms, the retention among them.
        assert "90" in page.text
    page = client.get("/directory/0a1b2c3d4e/contact")
    assert "Drvo &lt;b&gt;Sever&lt;/b&gt; &amp; Co" in page.text and "<b>Sever" not in page.text


def test_the_honeypot_is_hidden_by_a_class_and_out_of_the_tab_order(portal: dash.Dash) -> None:
    page = _buyer(portal).get(f"/directory/{LISTING}/contact").text
    field = re.search(rf'<input id="{form.HONEYPOT}"[^>]*>', page).group(0)
    assert 'tabindex="-1"' in field and 'autocomplete="off"' in field
    assert "style=" not in page
    assert re.search(rf'<div class="portal-offscreen">\s*<label for="{form.HONEYPOT}">', page)
    css = (Path(__file__).parent.parent / "portal" / "assets" / "portal.css").read_text()
    assert re.search(r"\.portal-offscreen \{[^}]*left: -10000px", css)


@pytest.mark.parametrize("listing", ["ffffffffff", "not-an-id", "3F9A0C1B7E"])
def test_an_unknown_listing_has_no_form(portal: dash.Dash, listing: str) -> None:
    client = _buyer(portal)
    assert client.get(f"/directory/{listing}/contact").status_code == 404
    sent = client.post(f"/directory/{listing}/contact",
                       data={"csrf_token": _token(client), **BUYER})
    assert sent.status_code == 404
    assert client.get(f"/directory/{listing}/contact/sent").status_code == 404
    assert _stored(portal) == []


@pytest.mark.parametrize(("token", "headers"), [
    ("", {}),                                               # no token
    ("not-a-token", {}),                                    # a made-up one
    (None, {"Origin": "https://evil.example"}),             # a valid one, from another site
    (None, {"Origin": "null"}),                             # from an opaque origin
    (None, {"Referer": "https://evil.example/form.html"}),  # no Origin: the Referer decides
])
def test_a_forged_request_is_refused(portal: dash.Dash, token: str | None,
                                     headers: dict[str, str]) -> None:
    client = _buyer(portal)
    answer = _send(client, token=token, headers=headers)
    assert answer.status_code == (403 if headers else 400)
    if not headers:  # shown again, with what was typed and a fresh token
        assert "has expired or was not sent from this page" in answer.text
        assert BUYER["city"] in answer.text and 'name="csrf_token"' in answer.text
    else:
        assert "can only be sent from its own page" in answer.text
    assert _stored(portal) == []


def test_a_token_of_another_browser_is_refused(portal: dash.Dash) -> None:
    stolen = _token(_buyer(portal, "198.51.100.7"))
    assert _send(_buyer(portal), token=stolen).status_code == 400
    assert _stored(portal) == []


def test_the_same_site_origin_is_accepted(portal: dash.Dash) -> None:
    client = _buyer(portal)
    assert _send(client, headers={"Origin": "http://localhost"}).status_code == 303
    assert _send(client, headers={"Referer": f"http://localhost/directory/{LISTING}/contact"}
                 ).status_code == 303
    assert len(_stored(portal)) == 2


def test_a_filled_honeypot_is_answered_like_a_success_and_stores_nothing(
        portal: dash.Dash, caplog: pytest.LogCaptureFixture) -> None:
    client = _buyer(portal)
    caplog.set_level(logging.INFO)
    trapped = _send(client, {**BUYER, form.HONEYPOT: "http://spam.example"})
    assert _stored(portal) == []
    assert any("honeypot" in r.getMessage() for r in caplog.records)
    real = _send(client)
    assert (trapped.status_code, trapped.headers["Location"]) == (
        real.status_code, real.headers["Location"])
    assert len(_stored(portal)) == 1


@pytest.mark.parametrize("field", list(form.LIMITS))
def test_an_oversize_field_is_refused_naming_it(portal: dash.Dash, field: str) -> None:
    client = _buyer(portal)
    limit = form.LIMITS[field]
    long = {"email": "a" * 60 + "@" + "b" * (limit - 64) + ".org",
            "phone": "+383 " + "4" * (limit - 4)}.get(field, "x" * (limit + 1))
    assert len(long) == limit + 1
    answer = _send(client, {**BUYER, field: long})
    assert answer.status_code == 400
    label = {"name": "Your name", "organisation": "Organisation", "city": "Town or municipality",
             "email": "E-mail address", "phone": "Phone number", "message": "What do you need?"}
    assert f"{label[field]} is too long: {limit + 1} characters, at most {limit}" in answer.text
    assert 'aria-invalid="true"' in answer.text
    assert _stored(portal) == []
    # At the limit, the same field is accepted.
    exact = long[:-1] if field != "email" else long[:60] + "@" + "b" * (limit - 65) + ".org"
    assert _send(client, {**BUYER, field: exact}).status_code == 303
    assert len(_stored(portal)) == 1


def test_a_body_beyond_the_forms_limit_is_refused(portal: dash.Dash) -> None:
    client = _buyer(portal)
    answer = _send(client, {**BUYER, "message": "x" * (form.MAX_BODY + 1)})
    assert answer.status_code == 413
    assert "larger than this form accepts" in answer.text and 'name="csrf_token"' in answer.text
    assert _stored(portal) == []


@pytest.mark.parametrize(("change", "message"), [
    ({"email": "", "phone": ""}, "Give an e-mail address or a phone number"),
    ({"email": "arbenita at buyer"}, "This is not an e-mail address"),
    ({"email": "a@b"}, "This is not an e-mail address"),
    ({"phone": "call me"}, "This is not a phone number"),
    ({"message": "  \n "}, "Please write what you need."),
    ({"name": ""}, "Please give your name."),
])
def test_an_invalid_request_is_shown_again_with_what_is_wrong(
        portal: dash.Dash, change: dict[str, str], message: str) -> None:
    answer = _send(_buyer(portal), {**BUYER, **change})
    assert answer.status_code == 400 and message in answer.text
    assert BUYER["city"] in answer.text  # what the buyer typed is kept
    assert _stored(portal) == []


def test_one_way_to_reach_the_buyer_is_enough_and_values_stay_text(portal: dash.Dash) -> None:
    client = _buyer(portal)
    assert _send(client, {**BUYER, "email": ""}).status_code == 303
    assert _send(client, {**BUYER, "phone": "", "name": "Ana\u202e <i>x</i>\r\nB"}
                 ).status_code == 303
    first, second = _stored(portal)
    assert (first.email, first.phone) == ("", BUYER["phone"])
    assert second.name == "Ana <i>x</i> B"  # one line, no direction override, markup as text


def test_the_rate_limit_answers_429_and_spares_other_addresses(portal: dash.Dash) -> None:
    hour = limits.CONTACT_RULES[0]
    client = _buyer(portal)
    for _ in range(hour.limit):
        assert _send(client).status_code == 303
    refused = _send(client)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == str(hour.window_seconds)
    assert "several requests in a short time" in refused.text
    assert len(_stored(portal)) == hour.limit
    assert _send(_buyer(portal, "203.0.113.6")).status_code == 303
    assert len(_stored(portal)) == hour.limit + 1


def test_the_limit_slides_and_counts_an_ipv6_network_as_one(portal: dash.Dash) -> None:
    rules = (limits.Rule("test", 3, 60),)
    with portal.server.test_request_context():
        start = 6000.0  # a window's start
        assert all(limits.allow_all("2001:db8::1", rules, start + i) for i in range(2))
        assert limits.allow_all("2001:db8::ffff", rules, start + 2)  # the same /64
        assert not limits.allow_all("2001:db8::2", rules, start + 3)
        assert limits.allow_all("2001:db8:0:1::1", rules, start + 3)  # another /64
        # Half way into the next window, half of the last one's 3 still count: 1.5 + 1 ≤ 3.
        assert limits.allow_all("2001:db8::1", rules, start + 90)
        assert not limits.allow_all("2001:db8::1", rules, start + 91)  # 1.45 + 2 > 3
        assert limits.allow_all("2001:db8::1", rules, start + 240)
        assert limits.allow("other", "2001:db8::1", 1, 60)
        assert not limits.allow("other", "2001:db8::1", 1, 60)


def test_the_address_is_kept_only_as_a_keyed_hash(portal: dash.Dash) -> None:
    assert _send(_buyer(portal)).status_code == 303
    with _db(portal).engine.connect() as conn:
        rows = [tuple(row) for table in (ContactRequest.__table__, RateCount.__table__)
                for row in conn.execute(sa.select(table))]
    text = repr(rows)
    assert ADDRESS not in text and ADDRESS.replace(".", "") not in text
    keys = {row[1] for row in rows if len(row) == 5}
    assert keys == {limits.address_key(ADDRESS, "the portal's test secret key")}
    assert limits.address_key(ADDRESS, "another key") not in keys


def test_no_log_record_carries_the_buyers_details(portal: dash.Dash,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    client = _buyer(portal)
    _send(client)                                            # stored
    _send(client, {**BUYER, "email": "bad"})                 # invalid
    _send(client, {**BUYER, form.HONEYPOT: "x"})             # trapped
    _send(client, token="forged")                            # no valid token
    _send(client, headers={"Origin": "https://evil.example"})  # cross-site
    for _ in range(6):
        _send(client)                                        # up to the rate limit
    said = "\n".join(r.getMessage() for r in caplog.records)
    assert LISTING in said and "rate limit" in said
    for value in (*(v for k, v in BUYER.items() if k != "message"), "acacia honey", ADDRESS):
        assert value not in said


# --- the staff's page ---------------------------------------------------------------------------


def test_the_staff_see_export_and_close_requests(portal: dash.Dash,
                                                 workspace: flask.Flask) -> None:
    _send(_buyer(portal), {**BUYER, "name": "First Buyer"})
    _send(_buyer(portal), {**BUYER, "name": "Second Buyer"}, listing="0a1b2c3d4e")
    _send(_buyer(portal), {**BUYER, "name": "Third <script>Buyer</script>"})
    first, second, third = _stored(portal)
    viewer = _staff(workspace)
    page = viewer.get("/requests", base_url=BASE)
    assert page.status_code == 200
    for value in ("Second Buyer", BUYER["email"], BUYER["city"], "Med Ibar", "acacia honey"):
        assert value in page.text
    assert "Third &lt;script&gt;Buyer&lt;/script&gt;" in page.text and "<script>" not in page.text
    assert "Drvo &lt;b&gt;Sever&lt;/b&gt;" in page.text
    assert _order(page.text) == [third.id, second.id, first.id]  # newest first
    assert 'href="/requests"' in viewer.get("/", base_url=BASE).text  # in the navigation

    exported = viewer.get("/requests.csv", base_url=BASE)
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    assert "attachment" in exported.headers["Content-Disposition"]
    rows = list(csv.reader(exported.text.lstrip("\ufeff").splitlines()))
    assert rows[0] == list(store.COLUMNS)
    column = {name: i for i, name in enumerate(rows[0])}
    assert sorted(int(r[column["id"]]) for r in rows[1:]) == [first.id, second.id, third.id]
    assert {r[column["organisation"]] for r in rows[1:]} == {"'" + BUYER["organisation"]}
    assert {r[column["phone"]] for r in rows[1:]} == {"'" + BUYER["phone"]}

    # Marked handled by the viewer: who and when, and an audit entry without the buyer.
    marked = viewer.post(f"/requests/{second.id}/handled", base_url=BASE,
                         data=tokens(viewer.get("/requests", base_url=BASE).text))
    assert marked.status_code == 303
    closed = next(r for r in _stored(portal) if r.id == second.id)
    assert closed.handled and closed.handled_by == "viewer" and closed.handled_at is not None
    page = viewer.get("/requests", base_url=BASE).text
    assert _order(page) == [third.id, first.id, second.id]  # open ones first
    assert "Handled by viewer" in page
    with workspace.extensions["workspace_db"].session() as s:
        entries = list(s.scalars(sa.select(AuditEntry).where(
            AuditEntry.action.like("contact request%"))))
        s.expunge_all()
    assert [e.action for e in entries] == ["contact requests exported",
                                          "contact request handled"]
    assert all(e.user == "viewer" for e in entries)
    assert str(second.id) in entries[1].detail and "0a1b2c3d4e" in entries[1].detail
    for entry in entries:
        assert not any(v in entry.detail for v in (*BUYER.values(), "Second Buyer"))
    # Sent again (the same one-time token), nothing changes.
    again = viewer.post(f"/requests/{first.id}/handled", base_url=BASE, data=tokens(page))
    assert again.status_code == 303
    assert viewer.post(f"/requests/{first.id}/handled", base_url=BASE,
                       data=tokens(page)).status_code == 409
    assert viewer.post("/requests/99999/handled", base_url=BASE, data=tokens(
        viewer.get("/requests", base_url=BASE).text)).status_code == 404


def _order(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<article[^>]* id="request-(\d+)"', page)]


def test_the_staff_pages_are_refused_without_a_role(portal: dash.Dash,
                                                    workspace: flask.Flask) -> None:
    _send(_buyer(portal))
    [made] = _stored(portal)
    anonymous = _staff(workspace, None)
    for url in ("/requests", "/requests.csv"):
        answer = anonymous.get(url, base_url=BASE)
        assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")
    page = anonymous.get("/login", base_url=BASE).text
    refused = anonymous.post(f"/requests/{made.id}/handled", base_url=BASE,
                             data={**tokens(page), "once": "x" * 32})
    assert refused.status_code == 401
    views = workspace.view_functions
    assert {views[e].required_role for e in ("requests.index", "requests.export",
                                             "requests.handled")} == {"viewer"}
    # A disabled account has no role left.
    with workspace.extensions["workspace_db"].session() as s:
        s.scalars(sa.select(User).where(User.name == "viewer")).one().active = False
    assert _staff(workspace, None).get("/requests.csv", base_url=BASE).status_code == 302
    assert login(_staff(workspace, None), "viewer").status_code == 401
    [still] = _stored(portal)
    assert not still.handled
    assert BUYER["name"] not in anonymous.get("/requests", base_url=BASE).text


# --- retention and settings ---------------------------------------------------------------------


def _age(portal: dash.Dash, request_id: int, days: float) -> None:
    with _db(portal).session() as s:
        s.get(ContactRequest, request_id).created -= dt.timedelta(days=days)


def test_requests_past_retention_are_deleted(portal: dash.Dash, workspace: flask.Flask,
                                             tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    client = _buyer(portal)
    for _ in range(4):
        _send(client)
    old, kept, older, handled_old = (r.id for r in _stored(portal))
    _age(portal, old, 91)
    _age(portal, kept, 89)
    _age(portal, older, 400)
    _age(portal, handled_old, 95)
    store.mark_handled(_db(portal), handled_old, "viewer")
    # Opening the staff's page sweeps.
    page = _staff(workspace).get("/requests", base_url=BASE).text
    assert _order(page) == [kept]
    assert [r.id for r in _stored(portal)] == [kept]
    # Storing a request sweeps (here with a retention of 30 days, for the portal).
    _age(portal, kept, -29)  # now 60 days old
    portal.server.config["CONTACT_RETENTION_DAYS"] = 30
    try:
        _send(_buyer(portal, "203.0.113.9"))
    finally:
        portal.server.config.pop("CONTACT_RETENTION_DAYS")
    [newest] = _stored(portal)
    assert newest.id != kept
    # And the command line, with the variables both apps read.
    _age(portal, newest.id, 10)
    monkeypatch.setenv(config.CONTACT_DATABASE_URL, _db(portal).url)
    monkeypatch.setenv(config.CONTACT_RETENTION_DAYS, "7")
    monkeypatch.setenv(workspace_config.DIR, str(tmp_path / "cli-workspace"))
    monkeypatch.setenv(config.PACKAGES, str(workspace.config["PACKAGES_DIR"]))
    assert workspace_cli.main(["sweep"]) == 0
    assert "and 1 contact request(s)" in capsys.readouterr().out
    assert _stored(portal) == []


def test_both_apps_read_the_same_settings(tmp_path: Path) -> None:
    env = {config.CONTACT_DATABASE_URL: "postgresql://c:hunter2@db/contact",
           config.CONTACT_RETENTION_DAYS: "30"}
    for read in (config.from_environment, workspace_config.from_environment):
        settings = read(env)
        assert settings["CONTACT_DATABASE_URL"] == "postgresql+psycopg://c:hunter2@db/contact"
        assert settings["CONTACT_RETENTION_DAYS"] == 30
    assert config.CONTACT_DATABASE_URL in config.VARIABLES
    assert config.CONTACT_RETENTION_DAYS in workspace_config.VARIABLES
    assert workspace_config.from_environment({})["CONTACT_RETENTION_DAYS"] == 90
    for bad, said in (({config.CONTACT_DATABASE_URL: "mysql://u:hunter2@h/c"},
                       "PORTAL_CONTACT_DATABASE_URL must be"),
                      ({config.CONTACT_RETENTION_DAYS: "0"},
                       "PORTAL_CONTACT_RETENTION_DAYS must be a whole number from 1")):
        for read in (config.from_environment, workspace_config.from_environment):
            with pytest.raises(config.ConfigError) as raised:
                read(bad)
            assert str(raised.value).startswith(said) and "hunter2" not in str(raised.value)
    # Unset, both open the same file in the checkout's instance folder, made on first use only.
    portal = create_app(tmp_path, {"TESTING": True,
                                   "DATABASE_URL": database_url(tmp_path)})
    staff = workspace_app.create_app({"WORKSPACE_DIR": tmp_path / "ws", "PACKAGES_DIR": tmp_path,
                                      "DATABASE_URL": database_url(tmp_path, "ws.sqlite")})
    assert portal.server.extensions[EXTENSION].url == staff.extensions[EXTENSION].url \
        == default_url()
    assert default_url().endswith("/instance/contact-requests.sqlite")


# --- a basic HTML check -------------------------------------------------------------------------


class _Html(HTMLParser):
    """Balanced elements, unique ids, a label for every visible field, and the links."""

    VOID = {"meta", "link", "input", "br", "img", "hr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.ids: list[str] = []
        self.labels: set[str] = set()
        self.fields: list[str] = []
        self.inputs: set[str] = set()
        self.links: list[str] = []
        self.external: list[str] = []
        self.h1: list[str] = []
        self._in_h1 = False

    @classmethod
    def of(cls, markup: str) -> _Html:
        parser = cls()
        parser.feed(markup)
        parser.close()
        if parser.stack:
            parser.problems.append(f"unclosed {parser.stack}")
        ids = parser.ids
        parser.problems += [f"duplicate id {i}" for i in set(ids) if ids.count(i) > 1]
        parser.problems += [f"no label for {f}" for f in parser.fields if f not in parser.labels]
        return parser

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if "id" in found:
            self.ids.append(found["id"])
        if tag == "label" and "for" in found:
            self.labels.add(found["for"])
        if tag in ("input", "textarea", "select"):
            self.inputs.add(found.get("name", ""))
            if found.get("type") != "hidden":
                self.fields.append(found.get("id", "(no id)"))
        for attribute in ("href", "src", "action"):
            value = found.get(attribute, "")
            if value:
                self.links.append(value)
                if re.match(r"^(?:[a-z]+:)?//", value, re.I):
                    self.external.append(value)
        if tag == "h1":
            self._in_h1 = True
            self.h1.append("")
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self._in_h1 = False
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self._in_h1:
            self.h1[-1] += data
