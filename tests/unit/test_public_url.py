"""Item 13 of issue 17: without PONTE_PUBLIC_URL, links point at the address actually served."""
from __future__ import annotations

import pytest

from ponte import config


@pytest.fixture
def fresh(monkeypatch):
    monkeypatch.delenv("PONTE_PUBLIC_URL", raising=False)
    monkeypatch.delenv("PONTE_HTTP_ADDRESS", raising=False)
    config.settings.cache_clear()
    yield monkeypatch
    config.settings.cache_clear()


@pytest.mark.parametrize("address, url", [
    ("127.0.0.1:9123", "http://127.0.0.1:9123"), ("ponte.local:8080", "http://ponte.local:8080"),
    ("0.0.0.0:8000", "http://127.0.0.1:8000"), (":8001", "http://127.0.0.1:8001"),
    ("[::]:8002", "http://[::1]:8002"), ("[2001:db8::1]:8003", "http://[2001:db8::1]:8003"),
])
def test_the_public_url_follows_the_listen_address(fresh, address, url):
    fresh.setenv("PONTE_HTTP_ADDRESS", address)
    assert config.settings().public_url == url


def test_the_defaults_and_an_explicit_public_url(fresh):
    assert config.settings().public_url == "http://127.0.0.1:8000"
    fresh.setenv("PONTE_HTTP_ADDRESS", "0.0.0.0:9000")
    fresh.setenv("PONTE_PUBLIC_URL", "https://ponte.example.org/")
    config.settings.cache_clear()
    assert config.settings().public_url == "https://ponte.example.org"
