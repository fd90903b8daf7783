"""Locust scenario: donors browsing the dashboards, developers calling the APIs.

It runs in its own venv (``build/locust-venv``: locust needs urllib3 2, the project's selenium
pins urllib3 1.26), so it imports nothing from the project; the payload shapes of Dash's
callbacks are inlined here (see ``bench/portal.py``'s ``chart_payload``).

Every answer is checked, not only its status. At test start the expected answers are fetched
once from the quiet server (chart figures, chart CSVs, datastore pages, totals, the release
version); during the run an answer that differs is reported as a request of type ``WRONG``
(name ``WRONG <what>``), so wrong answers are counted apart from errors (timeouts, 5xx).

Settings, from the environment (the drivers ``bench/production.py`` and
``tests/test_faults.py`` set them):

* ``LOCUST_CHARTS``: chart ids, comma separated (default: a few of the product map's).
* ``LOCUST_FILTERS``: JSON list of filter settings (``{"municipality": "38"}``…); ``{}`` is
  always included.
* ``LOCUST_PAGES``: pages, comma separated (default: the ten dashboards).
* ``LOCUST_EVENTS``: a file to append one JSON line per request to (time, name, ok, wrong,
  error), for the fault tests' timelines; unset in the benchmark (it would cost throughput).
* ``LOCUST_WAIT``: seconds between a user's tasks, ``min,max`` (default ``0.5,2``).
* ``LOCUST_EXPECTED``: a JSON file of the expected answers, written beforehand by
  ``python bench/locustfile.py HOST FILE`` (same venv); without it they are fetched at test
  start, which then counts in locust's ``-t`` (the benchmark fetches first, so that its
  timed runs are load only).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

# locust first: it monkey-patches ssl (gevent), which must happen before requests imports it.
from locust import HttpUser, between, events, task  # isort: skip
import requests  # isort: skip

PACKAGE = "north-kosovo-product-map"
RESOURCE = "businesses_by_sector_municipality"
FILTER_COLUMN = "municipality"
API = "/api/3/action"
UPDATE = "/_dash-update-component"
PAGES = ("/", "/product-map", "/compliance", "/growth", "/training", "/b2b", "/indicators",
         "/handbook", "/data", "/about")
DEFAULT_CHARTS = ("businesses-by-municipality", "businesses-by-sector", "turnover-by-sector")
#: Datastore pages: limit and the offsets read per filter value.
LIMIT = 5
OFFSETS = (0, 5)
#: Distinct filter values of the API scenario.
API_VALUES = 6
PAGES_OUTPUT = ".._pages_content.children..._pages_store.data.."
CHART_INPUT = {"id": '{"chart":["MATCH"],"type":"chart-filters"}', "property": "data"}
_WAIT = [float(v) for v in os.environ.get("LOCUST_WAIT", "0.5,2").split(",")]


class WrongAnswer(Exception):
    """An answer that came back (usually 200) but is not the expected one."""


def _canonical(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _dom_id(component_id: dict[str, Any]) -> str:
    return json.dumps(component_id, sort_keys=True, separators=(",", ":"))


def chart_payload(key: str, outputs: list[tuple[dict[str, Any], str]], chart_id: str,
                  active: dict[str, str]) -> dict[str, Any]:
    """What the browser POSTs when a chart's filter store changes (bench/portal.py's twin)."""
    store = {"type": "chart-filters", "chart": chart_id}
    return {
        "output": key,
        "outputs": [{"id": {k: chart_id if v == ["MATCH"] else v for k, v in pattern.items()},
                     "property": prop} for pattern, prop in outputs],
        "inputs": [{"id": store, "property": "data", "value": active}],
        "changedPropIds": [f"{_dom_id(store)}.data"],
        "parsedChangedPropsIds": [store],
    }


def page_payload(path: str) -> dict[str, Any]:
    """What the browser POSTs to render a page (Dash pages' location callback)."""
    return {"output": PAGES_OUTPUT,
            "outputs": [{"id": "_pages_content", "property": "children"},
                        {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": ""}],
            "changedPropIds": ["_pages_location.pathname"]}


def chart_callback(dependencies: list[dict[str, Any]]) -> tuple[str, list[tuple[dict, str]]]:
    """The chart redraw callback's key and (id pattern, property) outputs."""
    for spec in dependencies:
        if spec["inputs"] == [CHART_INPUT]:
            key = spec["output"]
            outputs = []
            for part in key.strip(".").split("..."):
                end = part.rindex("}")
                outputs.append((json.loads(part[: end + 1]), part[end + 2:]))
            return key, outputs
    raise RuntimeError("no chart redraw callback in /_dash-dependencies")


def datastore_url(value: str, offset: int) -> str:
    return f"{API}/datastore_search?" + urlencode(
        {"resource_id": RESOURCE, "filters": json.dumps({FILTER_COLUMN: value}),
         "limit": LIMIT, "offset": offset})


def rest_url(value: str, offset: int, fmt: str = "json") -> str:
    return f"/api/v1/{PACKAGE}/{RESOURCE}.{fmt}?" + urlencode(
        {FILTER_COLUMN: value, "_limit": LIMIT, "_offset": offset})


def chart_csv_url(chart_id: str, active: dict[str, str]) -> str:
    return f"/charts/{chart_id}.csv" + (f"?{urlencode(active)}" if active else "")


class Expected:
    """The answers of the quiet server, fetched once at test start (shared by all users)."""

    def __init__(self) -> None:
        self.ready = False
        self.version = ""
        self.search_count = 0
        self.callback: tuple[str, list[tuple[dict, str]]] = ("", [])
        self.charts: list[str] = []
        self.filters: list[dict[str, str]] = [{}]
        self.figures: dict[tuple[str, str], str] = {}
        self.csvs: dict[str, str] = {}
        self.pages: dict[str, str | None] = {}
        self.values: list[str] = []
        self.totals: dict[str, int] = {}
        self.records: dict[str, str] = {}
        self.rest: dict[str, str] = {}
        self.catalog = ""
        self.healthz = False

    def fetch(self, host: str) -> None:
        session = requests.Session()

        def get(path: str, **kwargs: Any) -> requests.Response:
            response = session.get(host + path, timeout=60, **kwargs)
            response.raise_for_status()
            return response

        def post(path: str, body: dict[str, Any]) -> Any:
            response = session.post(host + path, json=body, timeout=60)
            response.raise_for_status()
            return response.json()

        shown = get(f"{API}/package_show?id={PACKAGE}").json()["result"]
        self.version = shown["version"]
        health = session.get(host + "/healthz", timeout=60)
        if health.headers.get("Content-Type", "").startswith("application/json"):
            self.healthz = True
            release = health.json().get("release") or {}
            if release.get("version") not in (None, self.version):
                raise RuntimeError(f"/healthz release {release} but package_show version "
                                   f"{self.version}")
        self.search_count = get(f"{API}/package_search?q=businesses").json()["result"]["count"]
        self.callback = chart_callback(get("/_dash-dependencies").json())
        self.charts = [c for c in os.environ.get("LOCUST_CHARTS", "").split(",") if c] \
            or list(DEFAULT_CHARTS)
        self.filters = [{}] + [f for f in json.loads(os.environ.get("LOCUST_FILTERS", "[]"))
                               if f]
        for chart_id in self.charts:
            for active in self.filters:
                body = post(UPDATE, chart_payload(*self.callback, chart_id, active))
                self.figures[(chart_id, json.dumps(active, sort_keys=True))] = _canonical(body)
                url = chart_csv_url(chart_id, active)
                self.csvs[url] = _digest(get(url).content)
        for path in os.environ.get("LOCUST_PAGES", ",".join(PAGES)).split(","):
            first = _canonical(post(UPDATE, page_payload(path)))
            # A page whose layout is not the same twice (none today) is checked for shape only.
            self.pages[path] = first if _canonical(post(UPDATE, page_payload(path))) == first \
                else None
        listed = get(f"{API}/datastore_search?" + urlencode(
            {"resource_id": RESOURCE, "fields": FILTER_COLUMN, "limit": 1000})).json()
        values = sorted({str(r[FILTER_COLUMN]) for r in listed["result"]["records"]
                         if r.get(FILTER_COLUMN) is not None})
        self.values = values[:API_VALUES]
        for value in self.values:
            for offset in OFFSETS:
                result = get(datastore_url(value, offset)).json()["result"]
                self.totals[value] = result["total"]
                self.records[datastore_url(value, offset)] = _canonical(result["records"])
                rest = get(rest_url(value, offset))
                if int(rest.headers["X-Total-Count"]) != result["total"]:
                    raise RuntimeError(f"REST X-Total-Count {rest.headers['X-Total-Count']} != "
                                       f"datastore total {result['total']} for {value}")
                self.rest[rest_url(value, offset)] = _canonical(rest.json()["rows"])
                self.rest[rest_url(value, offset, "csv")] = _digest(
                    get(rest_url(value, offset, "csv")).content)
        self.catalog = _digest(get("/catalog.ttl").content)
        self.ready = True

    def dump(self) -> str:
        state = {k: v for k, v in vars(self).items() if k != "figures"}
        state["figures"] = [[chart, active, digest]
                            for (chart, active), digest in self.figures.items()]
        return json.dumps(state)

    def load(self, text: str) -> None:
        state = json.loads(text)
        figures = state.pop("figures")
        vars(self).update(state)
        key, outputs = state["callback"]
        self.callback = (key, [(pattern, prop) for pattern, prop in outputs])
        self.figures = {(chart, active): digest for chart, active, digest in figures}


EXPECTED = Expected()
_LOCK = threading.Lock()
_EVENTS = os.environ.get("LOCUST_EVENTS")


@events.test_start.add_listener
def _fetch_expected(environment: Any, **_: Any) -> None:
    with _LOCK:
        if not EXPECTED.ready:
            saved = os.environ.get("LOCUST_EXPECTED")
            if saved:
                EXPECTED.load(Path(saved).read_text())
            else:
                EXPECTED.fetch(environment.host)


@events.request.add_listener
def _record(request_type: str, name: str, response_time: float, exception: Any,
            **_: Any) -> None:
    """One line per request (only when ``LOCUST_EVENTS`` is set): the fault tests'
    timeline."""
    if not _EVENTS:
        return
    line = json.dumps({"t": time.time(), "type": request_type, "name": name,
                       "ms": round(response_time, 1), "ok": exception is None,
                       "wrong": isinstance(exception, WrongAnswer),
                       "error": None if exception is None else str(exception)[:200]})
    with _LOCK, open(_EVENTS, "a") as out:
        out.write(line + "\n")


class Checked(HttpUser):
    """Requests whose answer is compared with the expected one."""

    abstract = True
    wait_time = between(*_WAIT)

    def wrong(self, name: str, message: str) -> None:
        """Report a wrong answer as its own request type, apart from errors."""
        events.request.fire(request_type="WRONG", name=f"WRONG {name}", response_time=0,
                            response_length=0, exception=WrongAnswer(message), context={},
                            response=None)

    def fetch(self, method: str, url: str, name: str, body: dict[str, Any] | None = None,
              ) -> requests.Response | None:
        """The answer if it came back 200 (anything else is an error, reported by locust)."""
        with self.client.request(method, url, name=name, json=body, catch_response=True,
                                 timeout=30) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return None
            response.success()
            return response

    def json_of(self, response: requests.Response, name: str) -> Any:
        try:
            return response.json()
        except ValueError:
            self.wrong(name, "not JSON")
            return None


class Donor(Checked):
    """Opens dashboards as a browser does, then redraws charts with filters and downloads
    a chart's CSV."""

    weight = 3

    @task(2)
    def open_page(self) -> None:
        path = random.choice(list(EXPECTED.pages))
        html = self.fetch("GET", path, "page html")
        if html is not None and b"_dash-config" not in html.content:
            self.wrong("page html", f"{path}: no Dash index")
        for route in ("/_dash-layout", "/_dash-dependencies"):
            answer = self.fetch("GET", route, route)
            if answer is not None and not isinstance(self.json_of(answer, route), dict | list):
                self.wrong(route, "not a layout")
        answer = self.fetch("POST", UPDATE, "page callback", page_payload(path))
        if answer is not None:
            body = self.json_of(answer, "page callback")
            expected = EXPECTED.pages[path]
            if body is None or "_pages_content" not in body.get("response", {}) or (
                    expected is not None and _canonical(body) != expected):
                self.wrong("page callback", f"{path}: content differs")

    @task(4)
    def redraw_chart(self) -> None:
        chart_id = random.choice(EXPECTED.charts)
        active = random.choice(EXPECTED.filters)
        answer = self.fetch("POST", UPDATE, "chart callback",
                            chart_payload(*EXPECTED.callback, chart_id, active))
        if answer is not None:
            body = self.json_of(answer, "chart callback")
            if body is None or _canonical(body) != EXPECTED.figures[
                    (chart_id, json.dumps(active, sort_keys=True))]:
                self.wrong("chart callback", f"{chart_id} {active}: figure differs")

    @task(1)
    def chart_csv(self) -> None:
        url = random.choice(list(EXPECTED.csvs))
        answer = self.fetch("GET", url, "chart csv")
        if answer is not None and _digest(answer.content) != EXPECTED.csvs[url]:
            self.wrong("chart csv", f"{url}: CSV differs")


class Developer(Checked):
    """Calls the CKAN and REST APIs and reads the DCAT catalogue."""

    weight = 2

    @task(1)
    def package_search(self) -> None:
        answer = self.fetch("GET", f"{API}/package_search?q=businesses", "ckan package_search")
        if answer is not None:
            body = self.json_of(answer, "ckan package_search")
            if not body or body.get("result", {}).get("count") != EXPECTED.search_count:
                self.wrong("ckan package_search", "count differs")

    @task(1)
    def package_show(self) -> None:
        answer = self.fetch("GET", f"{API}/package_show?id={PACKAGE}", "ckan package_show")
        if answer is not None:
            body = self.json_of(answer, "ckan package_show")
            if not body or body.get("result", {}).get("version") != EXPECTED.version:
                self.wrong("ckan package_show", "version differs")

    @task(4)
    def datastore_search(self) -> None:
        value, offset = random.choice(EXPECTED.values), random.choice(OFFSETS)
        url = datastore_url(value, offset)
        answer = self.fetch("GET", url, "ckan datastore_search")
        if answer is not None:
            body = self.json_of(answer, "ckan datastore_search")
            result = (body or {}).get("result") or {}
            if result.get("total") != EXPECTED.totals[value] or \
                    _canonical(result.get("records")) != EXPECTED.records[url]:
                self.wrong("ckan datastore_search", f"{url}: total or records differ")

    @task(3)
    def rest_json(self) -> None:
        value, offset = random.choice(EXPECTED.values), random.choice(OFFSETS)
        url = rest_url(value, offset)
        answer = self.fetch("GET", url, "rest json")
        if answer is not None:
            body = self.json_of(answer, "rest json")
            total = answer.headers.get("X-Total-Count")
            # The same filter's total on both APIs.
            if total != str(EXPECTED.totals[value]) or not body or \
                    body.get("total") != EXPECTED.totals[value] or \
                    _canonical(body.get("rows")) != EXPECTED.rest[url]:
                self.wrong("rest json", f"{url}: total or rows differ")

    @task(1)
    def rest_csv(self) -> None:
        value, offset = random.choice(EXPECTED.values), random.choice(OFFSETS)
        url = rest_url(value, offset, "csv")
        answer = self.fetch("GET", url, "rest csv")
        if answer is not None and _digest(answer.content) != EXPECTED.rest[url]:
            self.wrong("rest csv", f"{url}: CSV differs")

    @task(1)
    def catalog(self) -> None:
        answer = self.fetch("GET", "/catalog.ttl", "dcat catalog.ttl")
        if answer is not None and _digest(answer.content) != EXPECTED.catalog:
            self.wrong("dcat catalog.ttl", "catalogue differs")

    @task(1)
    def healthz(self) -> None:
        if not EXPECTED.healthz:
            return
        with self.client.get("/healthz", name="healthz", catch_response=True,
                             timeout=30) as response:
            # 503 is the honest answer while a backend is down: not counted as an error here,
            # the fault tests check /healthz's recovery themselves.
            if response.status_code not in (200, 503):
                response.failure(f"HTTP {response.status_code}")
                return
            response.success()
            try:
                release = response.json().get("release") or {}
            except ValueError:
                self.wrong("healthz", "not JSON")
                return
            if response.status_code == 200 and release.get("version") != EXPECTED.version:
                self.wrong("healthz", f"release {release} differs from package_show")


if __name__ == "__main__":  # python bench/locustfile.py HOST FILE: the expected answers
    EXPECTED.fetch(sys.argv[1])
    with open(sys.argv[2], "w") as out:
        out.write(EXPECTED.dump())
