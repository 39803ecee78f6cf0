"""Access tokens are verified once per token string and then remembered, but expiry is judged
at every use, and nothing about an invalid token is remembered."""
from __future__ import annotations

import time

import pytest

from ponte import tokens
from ponte.errors import Unauthenticated

SECRET = "k" * 48


def test_a_remembered_token_still_expires(monkeypatch):
    claims = tokens.new_access_claims("acc", "citizen", "sess", ttl=60)
    token = tokens.issue_access_token(claims, SECRET)
    assert tokens.verify_access_token(token, SECRET).account_id == "acc"
    assert tokens.verify_access_token(token, SECRET).account_id == "acc"  # from memory
    later = time.time() + 61
    monkeypatch.setattr(tokens.time, "time", lambda: later)
    with pytest.raises(Unauthenticated, match="expired"):
        tokens.verify_access_token(token, SECRET)


def test_a_token_is_remembered_only_for_its_own_secret_and_only_when_valid():
    token = tokens.issue_access_token(tokens.new_access_claims("acc", "citizen", "s", 60),
                                      SECRET)
    tokens.verify_access_token(token, SECRET)
    with pytest.raises(Unauthenticated):
        tokens.verify_access_token(token, "another-secret" * 4)
    forged = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    for _ in range(2):
        with pytest.raises(Unauthenticated):
            tokens.verify_access_token(forged, SECRET)
