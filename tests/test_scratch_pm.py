import time
import pytest
pytestmark = pytest.mark.browser

def test_pm(dash_duo, demo_app):
    dash_duo.start_server(demo_app)
    dash_duo.driver.get(dash_duo.server_url + "/product-map?sector=trade")
    dash_duo.wait_for_element(".portal-chart .js-plotly-plot", timeout=10)
    time.sleep(2)
    dash_duo.driver.save_screenshot("/tmp/scratch/pm.png")
    print(dash_duo.get_logs())
    from selenium.webdriver.support.ui import Select
    sel = dash_duo.driver.find_element("css selector", "select")
    Select(sel).select_by_value("38")
    time.sleep(2)
    print(dash_duo.driver.current_url)
    print(dash_duo.find_element("#chart-businesses-by-sector h2").text)
    print(dash_duo.get_logs())
