"""Settings from ``PORTAL_*`` variables: names, defaults, precedence, one-line errors, and a
Redis cache whose outage slows answers down instead of failing them."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from portal import config, query
from portal.app import create_app
from portal.cache import SafeRedisCache, cache
from tests.conftest import DEMO_PACKAGES, portal_config


def test_nothing_set_gives_the_development_defaults() -> None:
    settings = config.from_environment({})
    assert "DATABASE_URL" not in settings and "CACHE_TYPE" not in settings
    assert settings["WORKERS"] == config.DEFAULT_WORKERS
    assert len(settings["SECRET_KEY"]) == 64  # generated for this process
    assert config.from_environment({})["SECRET_KEY"] != settings["SECRET_KEY"]


def test_every_variable_is_read(tmp_path: Path) -> None:
    settings = config.from_environment({
        "PORTAL_DATABASE_URL": "postgresql://portal:pw@db:5432/portal",
        "PORTAL_CACHE_URL": "redis://cache:6379/2", "PORTAL_PACKAGES": str(tmp_path),
        "PORTAL_SECRET_KEY": "x" * 32, "PORTAL_WORKERS": "4"})
    assert settings["DATABASE_URL"] == "postgresql+psycopg://portal:pw@db:5432/portal"
    assert settings["CACHE_TYPE"] == config.SAFE_REDIS_CACHE
    assert settings["CACHE_REDIS_URL"] == "redis://cache:6379/2"
    assert settings["CACHE_KEY_PREFIX"] == config.CACHE_KEY_PREFIX
    assert settings["PACKAGES_DIR"] == tmp_path.resolve()
    assert settings["SECRET_KEY"] == "x" * 32 and settings["WORKERS"] == 4
    assert not config.warn_if_insecure(settings)


@pytest.mark.parametrize(("value", "kind"), [
    ("", "SimpleCache"), ("simple", "SimpleCache"), ("null", "NullCache"),
    ("rediss://h:6380/0", config.SAFE_REDIS_CACHE)])
def test_cache_choices(value: str, kind: str) -> None:
    assert config.from_environment({"PORTAL_CACHE_URL": value})["CACHE_TYPE"] == kind


@pytest.mark.parametrize(("variables", "message"), [
    ({"PORTAL_DATABASE_URL": "mysql://u:hunter2@h/db"}, "PORTAL_DATABASE_URL must be"),
    ({"PORTAL_CACHE_URL": "memcached://u:hunter2@h"}, "PORTAL_CACHE_URL must be"),
    ({"PORTAL_WORKERS": "many"}, "PORTAL_WORKERS must be a whole number"),
    ({"PORTAL_WORKERS": "0"}, "PORTAL_WORKERS must be between 1"),
    ({"PORTAL_SECRET_KEY": "hunter2"}, "PORTAL_SECRET_KEY is too short"),
    ({"PORTAL_PACKAGES": "/no/such/dir"}, "PORTAL_PACKAGES is not a directory"),
])
def test_bad_values_stop_with_one_line_naming_the_variable(variables: dict[str, str],
                                                           message: str) -> None:
    with pytest.raises(config.ConfigError) as raised:
        config.from_environment(variables)
    text = str(raised.value)
    assert text.startswith(message) and "\n" not in text
    assert "hunter2" not in text  # never a password or a secret


def test_a_generated_secret_key_is_warned_about(caplog: pytest.LogCaptureFixture) -> None:
    settings = config.from_environment({})
    assert config.warn_if_insecure(settings)
    assert "PORTAL_SECRET_KEY" in caplog.text
    assert not config.warn_if_insecure({**settings, "SECRET_KEY": "y" * 32})


def test_environment_overrides_defaults_and_explicit_config_wins(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTAL_CACHE_URL", "null")
    monkeypatch.setenv("PORTAL_DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite'}")
    monkeypatch.setenv("PORTAL_SECRET_KEY", "z" * 32)
    app = create_app(DEMO_PACKAGES, {"TESTING": True})
    assert app.server.config["CACHE_TYPE"] == "NullCache"
    assert app.server.config["DATABASE_URL"].endswith("env.sqlite")
    assert app.server.config["SECRET_KEY"] == "z" * 32
    explicit = create_app(DEMO_PACKAGES, {"TESTING": True, "CACHE_TYPE": "SimpleCache",
                                          "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}"})
    assert explicit.server.config["CACHE_TYPE"] == "SimpleCache"
    assert explicit.server.config["DATABASE_URL"].endswith("x.sqlite")


def test_packages_come_from_the_environment(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTAL_PACKAGES", str(DEMO_PACKAGES))
    app = create_app(None, portal_config(tmp_path))
    assert app.server.config["PACKAGES_DIR"] == DEMO_PACKAGES.resolve()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_redis_outage_means_computing_not_failing(tmp_path: Path) -> None:
    settings = {**portal_config(tmp_path), "CACHE_TYPE": config.SAFE_REDIS_CACHE,
                "CACHE_REDIS_URL": f"redis://127.0.0.1:{_closed_port()}/0"}
    app = create_app(DEMO_PACKAGES, settings)
    client = app.server.test_client()
    for path in ("/charts/businesses-by-hs-chapter.csv", "/api/3/action/package_list",
                 "/api/v1/north-kosovo-product-map/businesses_by_hs_chapter.json", "/"):
        assert client.get(path).status_code == 200, path
    with app.server.app_context():
        backend = cache.cache
        assert isinstance(backend, SafeRedisCache)
        assert backend.get("k") is None and backend.set("k", 1) is False
        assert backend.get_many("a", "b") == [None, None] and not backend.has("k")
    with app.server.test_request_context("/"):
        assert query.public_totals(query.current_release())  # type: ignore[arg-type]
