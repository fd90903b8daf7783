# The two commands users need are `make run` and `make test`; each sets up what it needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
DEMO_RAW := build/demo-raw
DEMO_RAW_2 := build/demo-raw-wave2
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test bench lint install browser demo-raw datapackages clean documents \
	translations translations-extract translations-update

# $(call debian,COMMAND,PACKAGE,WHY): install Debian's PACKAGE when COMMAND is missing (as root),
# else say how and stop.
define debian
@if ! command -v $(1) >/dev/null; then \
  if [ "$$(id -u)" = 0 ]; then \
    echo "Installing Debian's $(2): $(3)…"; \
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2); \
  else \
    echo "$(3). Run: sudo apt-get install -y $(2)"; \
    exit 1; \
  fi; \
fi
endef

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
	  echo "Python 3.11 or newer is needed; found $$($(PYTHON) --version 2>&1)." \
	       "Run with PYTHON=python3.12 (or newer) if you have it."; exit 1; }
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV) || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv && \
	    rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); \
	  else echo "Python's venv module is missing. Run: sudo apt-get install -y python3-venv"; \
	    exit 1; fi; }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	# pycanon (an independent k-anonymity check for the tests) pins exact numpy/pandas releases
	# older than ours; its code runs fine with ours, so it goes in without its pins.
	$(PY) -m pip install --quiet --no-deps 'pycanon==1.3.6'
	@touch $(STAMP)

install: $(STAMP)

# Browser tests drive Debian's Chromium; they never skip, so make sure it is here.
browser:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's chromium and chromium-driver for the browser tests…"; \
	    apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
	  else \
	    echo "The browser tests need Chromium. Run: sudo apt-get install -y chromium chromium-driver"; \
	    exit 1; \
	  fi; \
	fi

$(DEMO_RAW)/_demo.json: $(STAMP) $(wildcard etl/demo/*.py)
	$(PY) -m etl demo --out $(DEMO_RAW) --quiet

demo-raw: $(DEMO_RAW)/_demo.json

$(DEMO_RAW_2)/_demo.json: $(STAMP) $(wildcard etl/demo/*.py)
	$(PY) -m etl demo --out $(DEMO_RAW_2) --wave 2 --quiet

# The releases committed in datapackages/, rebuilt from the default demo data: 1.0.0 from the
# first survey wave, 1.1.0 from the second, audited against 1.0.0 (a test checks that they
# are current: run this after changing anything that is published). Their private ledgers go
# to the history folder (instance/etl-history unless PORTAL_HISTORY_DIR says otherwise).
datapackages: install demo-raw $(DEMO_RAW_2)/_demo.json
	rm -rf datapackages/[0-9]* datapackages/latest datapackages/releases.json datapackages/CHANGELOG.md
	$(PY) -m etl build --raw $(DEMO_RAW) --out datapackages --version 1.0.0 --quiet
	$(PY) -m etl build --raw $(DEMO_RAW_2) --out datapackages --version 1.1.0 --quiet

# Interface translations (Babel). Translators edit portal/translations/{sq,sr_Latn}/…/messages.po;
# sr_Cyrl is transliterated from sr_Latn; the portal compiles them in memory when it starts
# (portal/catalogues.py), so `translations` only checks them and says how complete they are.
TRANSLATIONS := portal/translations
translations-extract: install
	$(VENV)/bin/pybabel extract -F babel.cfg -k _ -k N_ --sort-output --omit-header -w 100 \
	  -o $(TRANSLATIONS)/messages.pot .

translations-update: translations-extract
	$(VENV)/bin/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) -l sq --no-fuzzy-matching --ignore-obsolete -w 100
	$(VENV)/bin/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) -l sr_Latn --no-fuzzy-matching --ignore-obsolete -w 100

translations: install
	$(PY) -m portal.catalogues

# The publications (portal/publications) lay out PDFs with WeasyPrint, which needs Pango, in
# Debian's DejaVu fonts (Albanian and both Serbian scripts), and draw their charts in Chromium;
# the tests read them back with poppler's pdftotext.
.PHONY: documents
documents: browser
	@if ! ldconfig -p | grep -q 'libpangoft2-1.0.so.0' || ! fc-list | grep -q 'DejaVuSans.ttf' \
	    || ! command -v pdftotext >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's Pango and DejaVu fonts for the publications…"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fontconfig poppler-utils; \
	  else \
	    echo "The publications need Pango and DejaVu fonts. Run: sudo apt-get install -y" \
	         "libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fontconfig poppler-utils"; \
	    exit 1; \
	  fi; \
	fi

# The staff workspace on a copy of the demo releases (instance/packages), their ledgers rebuilt
# into the history folder (a rebuild of a published version writes its ledger again, byte-identical
# files or it stops); the first time, it asks for the password of an account "admin".
WORKSPACE_PACKAGES := instance/packages
.PHONY: workspace
workspace: install demo-raw $(DEMO_RAW_2)/_demo.json translations
	@[ -d $(WORKSPACE_PACKAGES) ] || cp -a datapackages $(WORKSPACE_PACKAGES)
	$(PY) -m etl build --raw $(DEMO_RAW) --out $(WORKSPACE_PACKAGES) --version 1.0.0 --quiet
	$(PY) -m etl build --raw $(DEMO_RAW_2) --out $(WORKSPACE_PACKAGES) --version 1.1.0 --quiet
	@$(PY) -m portal workspace --packages $(WORKSPACE_PACKAGES) users | grep -q . || \
	  $(PY) -m portal workspace --packages $(WORKSPACE_PACKAGES) add-user admin --role admin
	$(PY) -m portal workspace --packages $(WORKSPACE_PACKAGES)

run: install demo-raw translations documents
	$(PY) -m etl check $(DEMO_RAW) --quiet
	$(PY) -m portal serve

# axe-core for the accessibility tests, pinned by tests/package-lock.json. The tests fail
# (never skip) without it, so install it here.
.PHONY: axe
AXE := tests/node_modules/axe-core/axe.min.js
axe: npm
	@[ -f $(AXE) ] || npm ci --prefix tests --no-audit --no-fund --loglevel=error

# The scripts the portal builds itself (portal/scripts.py): plotly.js with only the trace types
# the portal draws, and the regenerator runtime that replaces Dash's polyfill, built with
# esbuild from portal/bundle's lockfile (in build/scripts, so the package folder stays clean).
# The built files in portal/static are committed, so make run needs no Node;
# tests/test_scripts.py checks that they are exactly what this builds.
.PHONY: scripts npm
SCRIPTS_BUILD := build/scripts
npm:
	$(call debian,npm,npm,the accessibility tests and make scripts need npm)

scripts: npm
	rm -rf $(SCRIPTS_BUILD) && mkdir -p $(SCRIPTS_BUILD)
	cp portal/bundle/package.json portal/bundle/package-lock.json portal/bundle/index.js \
	  $(SCRIPTS_BUILD)/
	cd $(SCRIPTS_BUILD) && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build
	cp $(SCRIPTS_BUILD)/dist/*.js portal/static/

# The whole suite on SQLite, then the data layer, chart queries and APIs again on this
# machine's PostgreSQL and Redis (tests/services.sh starts them when they are not running).
PRODUCTION_TESTS := tests/test_portal_store.py tests/test_release_switch.py tests/test_charts.py \
	tests/test_api_ckan.py tests/test_api_rest.py tests/test_dcat.py tests/test_catalog_core.py \
	tests/test_config.py tests/test_release_history_pages.py tests/test_doctor.py \
	tests/test_indicators_trajectory.py tests/test_contact_requests.py \
	tests/test_directory_pages.py::test_directory_pages_are_rate_limited_per_address \
	tests/test_workspace.py::test_lock_out_after_repeated_failed_logins \
	tests/test_workspace.py::test_sign_in_rate_limited_per_address \
	tests/test_workspace.py::test_session_cookie_flags_and_a_new_session_at_login \
	tests/test_workspace.py::test_double_submission_and_two_publishers
.PHONY: services test-production
services:
	@tests/services.sh

test: install browser axe translations locust services nginx documents
	$(PY) -m pytest --headless
	PORTAL_TEST_BACKEND=production $(PY) -m pytest --headless $(PRODUCTION_TESTS)

test-production: install translations services
	PORTAL_TEST_BACKEND=production $(PY) -m pytest --headless $(PRODUCTION_TESTS)

bench: install browser lighthouse wrk locust documents
	$(PY) -m bench

# Locust drives the load and fault tests (tests/test_faults.py) and the production benchmark
# (bench/production.py) from its own venv: it needs urllib3 2, dash[testing]'s selenium pins 1.26.
.PHONY: locust
LOCUST := build/locust-venv/bin/locust
locust:
	@[ -x $(LOCUST) ] || { rm -rf build/locust-venv && $(PYTHON) -m venv build/locust-venv && \
	  build/locust-venv/bin/pip install --quiet 'locust>=2.20,<3'; }

# The deployment tests (tests/test_deploy.py) run Debian's nginx, as shipped in deploy/, in
# front of the production server and check the systemd unit; they fail (never skip) without
# them, so install them here.
.PHONY: nginx
nginx:
	$(call debian,nginx,nginx,the deployment test needs nginx)
	$(call debian,systemd-analyze,systemd,the deployment test checks the systemd unit)

# wrk loads the CKAN API and Datasette in the API benchmark (bench/api.py, which also puts
# Datasette in its own venv under build/bench); it fails clearly without wrk, so install it here.
.PHONY: wrk
wrk:
	$(call debian,wrk,wrk,the API benchmark needs wrk)

# Lighthouse for the portal benchmark, pinned by bench/package-lock.json (12.2.3: later releases
# need a newer Node than v20). If npm or the registry is missing it says so and the
# benchmark reports the scores as skipped instead of failing.
.PHONY: lighthouse
lighthouse:
	@if [ ! -x bench/node_modules/.bin/lighthouse ]; then \
	  if ! command -v npm >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm; \
	  fi; \
	  (cd bench && npm ci --no-audit --no-fund --loglevel=error) || \
	    echo "Could not install Lighthouse with npm: the benchmark will skip its scores."; \
	fi

lint: install
	$(VENV)/bin/ruff check .

clean:
	rm -rf build .pytest_cache
