"""Accessibility in a real headless Chromium: axe-core on every page in every language, and
the product map driven with the keyboard alone.

axe-core comes from the npm registry, pinned by tests/package-lock.json and installed into
tests/node_modules by ``make axe`` (``make test`` does it). Without it these tests fail,
never skip, so a green run always means axe really ran. Colour contrast is one of axe's
``wcag2aa`` rules and runs with the others.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import dash
import pytest
from dash.testing.composite import DashComposite
from dash.testing.wait import until
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement

from portal import layout
from portal.components import chart as chart_module
from portal.i18n import LOCALES, NATIVE_NAMES
from portal.load.directory import read as read_directory
from tests.conftest import DEMO_PACKAGES
from tests.pages_helpers import draw_every_chart

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
#: WCAG 2.0 and 2.1, levels A and AA (color-contrast is among the wcag2aa rules).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
HEADING = f"#{layout.MAIN_ID} h1"
#: The unregistered path: the 404 page is a page visitors see too.
NOT_FOUND = "/no-such-page"

#: Runs axe on the whole document and hands back what the failure message needs.
#: Nothing is excluded: no violation so far comes from a third-party component we cannot
#: change. If one ever does, exclude that selector narrowly here, saying why.
RUN_AXE = r"""
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: "tag", values: arguments[0]}, resultTypes: ["violations"]})
  .then(results => done({
    violations: results.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help,
      targets: v.nodes.slice(0, 3).map(node => node.target.join(" ")),
      summary: (v.nodes[0].failureSummary || "").split("\n").slice(1, 2).join("").trim(),
      count: v.nodes.length,
    })),
    ran: results.violations.length + results.passes.length + results.incomplete.length
         + results.inapplicable.length,
    rules: axe.getRules(arguments[0]).map(rule => rule.ruleId),
  }))
  .catch(error => done({error: String(error)}));
"""


def axe_source() -> str:
    if not AXE.is_file():
        pytest.fail(f"axe-core is not installed ({AXE} is missing): run `make axe`",
                    pytrace=False)
    return AXE.read_text(encoding="utf-8")


#: Pages outside the navbar, reached from the Data catalogue: a package, a table of microdata
#: and a table of the programme metrics.
DATA_PAGES = ["/data/north-kosovo-product-map", "/data/north-kosovo-product-map/businesses",
              "/data/north-kosovo-programme-metrics/indicators"]


def directory_pages() -> list[str]:
    """A listed business's page of the committed demo release, its contact form, and the
    page of an address that lists no business."""
    listings = read_directory(DEMO_PACKAGES / "latest").listings
    return [f"/directory/{listings[0].id}", f"/directory/{listings[0].id}/contact",
            "/directory/no-such-listing"]


def page_paths() -> list[str]:
    """Every page in the navbar, the data and directory pages outside it, then the 404 page."""
    return ([page["relative_path"] for page in layout.nav_pages()] + DATA_PAGES
            + directory_pages() + [NOT_FOUND])


def open_page(dash_duo: DashComposite, url: str) -> None:
    """Load ``url`` and wait until its heading is there and every chart has been drawn."""
    driver = dash_duo.driver
    driver.get(url)

    def heading_shown() -> bool:
        try:
            return bool(driver.find_element("css selector", HEADING).text)
        except (NoSuchElementException, StaleElementReferenceException):
            return False

    until(heading_shown, timeout=15, msg=f"no heading on {url}")
    draw_every_chart(driver)
    # Plotly lays text out after web fonts arrive; let it settle before axe looks at colours.
    driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "document.fonts.ready.then(() => requestAnimationFrame(() => done(true)));")


def describe(violations: list[dict]) -> str:
    return "\n".join(
        f"    {v['id']} ({v['impact']}): {v['help']} — {v['count']} node(s), e.g. "
        + "; ".join(v["targets"]) + (f" ({v['summary']})" if v["summary"] else "")
        for v in violations)


@pytest.mark.parametrize("code", LOCALES)
def test_no_axe_violations_on_any_page(dash_duo: DashComposite, demo_app: dash.Dash,
                                       code: str) -> None:
    """All pages in one language, in one browser session: no WCAG 2.1 A/AA violation."""
    source = axe_source()
    dash_duo.start_server(demo_app)
    driver = dash_duo.driver
    failures, langs, logs = [], {}, {}
    for path in page_paths():
        open_page(dash_duo, f"{dash_duo.server_url.rstrip('/')}{path}?lang={code}")
        langs[path] = driver.execute_script("return document.documentElement.lang")
        # Content past the right edge (the navbar once did in Albanian) is hidden from axe.
        overflow = driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 0:
            failures.append(f"  {path}?lang={code}: the page is {overflow}px wider than the "
                            "window (horizontal scrolling)")
        driver.execute_script(source)
        result = driver.execute_async_script(RUN_AXE, AXE_TAGS)
        assert "error" not in result, f"axe failed on {path}: {result.get('error')}"
        assert "color-contrast" in result["rules"]  # contrast really is checked
        if result["violations"]:
            failures.append(f"  {path}?lang={code}:\n{describe(result['violations'])}")
        page_logs = dash_duo.get_logs()
        if page_logs:
            logs[path] = page_logs

    assert not failures, "axe found accessibility violations:\n" + "\n".join(failures)
    assert langs == dict.fromkeys(page_paths(), code)
    assert logs == {}


# --- The keyboard alone on the product map ---------------------------------------------------

#: The product map's first chart broken down by municipality (the one above it, by NACE
#: division, is not: it only notes that the filter does not apply).
CHART = "businesses-by-municipality"
CHART_TITLE = f"#chart-{CHART} h2"
MUNICIPALITY = 'select[id*=\'"name":"municipality"\']'
#: What draws a focus indicator: the outline (browsers' default) or a box-shadow (Bootstrap).
#: Read once Bootstrap's transitions (of the box-shadow, 0.15 s) have ended.
FOCUS_STYLE = """
const element = arguments[0], done = arguments[arguments.length - 1];
const read = () => {
  const s = getComputedStyle(element);
  const outline = s.outlineStyle === "none" || s.outlineWidth === "0px" ? "none"
    : [s.outlineStyle, s.outlineWidth, s.outlineColor].join(" ");
  done([outline, s.boxShadow]);
};
Promise.all(element.getAnimations().map(a => a.finished)).then(read, read);
"""


def _expected_title(app: dash.Dash, active: dict[str, str]) -> str:
    with app.server.test_request_context("/"):
        return chart_module.draw(CHART, active)[1].title  # type: ignore[index]


def describe_element(element: WebElement) -> str:
    return element.get_attribute("outerHTML")[:200]


class Keyboard:
    """Presses keys on whatever has the focus, as a person with no mouse would.

    Every element that TAB focuses must show it: an outline or a box-shadow while focused,
    which changes once the focus moves on (so a shadow it always has does not count).
    """

    def __init__(self, dash_duo: DashComposite) -> None:
        self.driver = dash_duo.driver
        self.focused: tuple[WebElement, list[str]] | None = None  # last TAB stop, its style

    def _style(self, element: WebElement) -> list[str] | None:
        try:
            return self.driver.execute_async_script(FOCUS_STYLE, element)
        except StaleElementReferenceException:
            return None  # re-rendered meanwhile

    def press(self, *keys: str, shift: bool = False) -> WebElement:
        """Press ``keys`` (with SHIFT held if ``shift``); return what has the focus then."""
        actions = ActionChains(self.driver)
        if shift:
            actions.key_down(Keys.SHIFT)
        actions.send_keys(*keys)
        if shift:
            actions.key_up(Keys.SHIFT)
        actions.perform()
        element = self.driver.switch_to.active_element
        if self.focused is not None and self.focused[0] != element:
            before, focused_style = self.focused
            blurred_style = self._style(before)
            assert blurred_style is None or blurred_style != focused_style, (
                f"focused and unfocused look the same: {describe_element(before)}")
            self.focused = None
        if Keys.TAB in keys:
            style = self._style(element)
            assert style is not None
            assert style != ["none", "none"], (
                f"no visible focus indicator on {describe_element(element)}")
            self.focused = (element, style)
        return element

    def tab_to(self, matches: Callable[[WebElement], bool], what: str, limit: int = 80,
               backwards: bool = False) -> WebElement:
        """Press TAB (SHIFT+TAB ``backwards``) until the focused element ``matches``."""
        for _ in range(limit):
            element = self.press(Keys.TAB, shift=backwards)
            if matches(element):
                return element
        raise AssertionError(f"{what} is not reachable with the keyboard "
                             f"({limit} presses of {'SHIFT+' if backwards else ''}TAB)")


def test_product_map_with_the_keyboard_alone(dash_duo: DashComposite,
                                             demo_app: dash.Dash) -> None:
    dash_duo.start_server(demo_app)
    driver = dash_duo.driver
    open_page(dash_duo, dash_duo.server_url.rstrip("/") + "/product-map?lang=en")
    keyboard = Keyboard(dash_duo)

    # The skip link is the first stop and takes the focus to the main landmark.
    skip = keyboard.press(Keys.TAB)
    assert "portal-skip-link" in skip.get_attribute("class"), describe_element(skip)
    assert skip.is_displayed()
    keyboard.press(Keys.ENTER)
    until(lambda: driver.switch_to.active_element.get_attribute("id") == layout.MAIN_ID,
          timeout=4, msg="the skip link does not move the focus to the main content")

    # The municipality filter: ArrowDown picks the next municipality and the charts follow.
    assert dash_duo.find_element(CHART_TITLE).text == _expected_title(demo_app, {})
    select = keyboard.tab_to(lambda e: e.tag_name == "select"
                             and '"name":"municipality"' in (e.get_attribute("id") or ""),
                             "the municipality filter")
    keyboard.press(Keys.ARROW_DOWN)
    chosen = dash_duo.find_element(MUNICIPALITY).get_attribute("value")
    assert chosen not in ("", "*")
    assert driver.switch_to.active_element == select
    dash_duo.wait_for_text_to_equal(
        CHART_TITLE, _expected_title(demo_app, {"municipality": chosen}), timeout=10)
    until(lambda: f"municipality={chosen}" in driver.current_url, timeout=4,
          msg="the URL does not hold the chosen municipality")

    # Through the first chart card: its table opens with ENTER, then its downloads.
    summary = keyboard.tab_to(lambda e: e.tag_name == "summary", "a chart's data table")
    assert summary.text == "Show the data as a table"
    details = summary.find_element("xpath", "..")
    assert details.get_attribute("open") is None
    keyboard.press(Keys.ENTER)
    until(lambda: details.get_attribute("open") is not None, timeout=4,
          msg="ENTER does not open the chart's table")
    # The table is sent when it is first opened.
    until(lambda: details.find_elements("css selector", "table"), timeout=10,
          msg="the opened table never arrived")
    assert details.find_element("css selector", "table").is_displayed()
    link = keyboard.tab_to(lambda e: e.tag_name == "a" and e.text
                           == "Download the data behind this chart (CSV)", "the CSV download")
    assert "/charts/" in link.get_attribute("href")
    button = keyboard.tab_to(lambda e: e.tag_name == "button" and e.text == "Save as PNG",
                             "the PNG export")
    assert button.get_attribute("type") == "button"

    # Back through the navbar to the skip link, then forward to the language switch: ENTER
    # on a language reloads the page in it, keeping the filter.
    keyboard.tab_to(lambda e: e == skip, "the top of the page", limit=200, backwards=True)
    target = "sq"
    language = keyboard.tab_to(lambda e: e.get_attribute("lang") == target,
                               "the language switch")
    assert language.text == NATIVE_NAMES[target]
    group = language.find_element("xpath", "..")
    assert group.get_attribute("role") == "group"
    assert group.get_attribute("aria-label")
    keyboard.press(Keys.ENTER)
    until(lambda: f"lang={target}" in driver.current_url, timeout=10,
          msg="the language button does not put ?lang= in the URL")
    until(lambda: driver.execute_script("return document.documentElement.lang") == target,
          timeout=10, msg="<html lang> does not follow the chosen language")
    assert f"municipality={chosen}" in driver.current_url  # the view is kept
    assert dash_duo.get_logs() == []
