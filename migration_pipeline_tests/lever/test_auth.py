"""API-key and OAuth auth against the Lever sandbox's token endpoint."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator

import pytest
import requests

from migration_pipeline.config import Secret
from migration_pipeline.lever.auth import ApiKeyAuth, OAuthAuth
from migration_pipeline.lever.errors import LeverAuthError
from migration_pipeline.sandbox.lever.app import LeverSandbox
from migration_pipeline_tests.conftest import OAUTH_CLIENT, RunningLever, lever_config
from migration_pipeline_tests.lever import oauth_tokens

SCOPE = "offline_access opportunities:read:admin stages:read:admin confidential:access:admin"


def _oauth(lever: RunningLever, refresh_token: str, seen: list[str] | None = None, **kwargs: object) -> OAuthAuth:
    return OAuthAuth(
        f"{lever.root}/oauth/token",
        OAUTH_CLIENT.client_id,
        Secret(OAUTH_CLIENT.client_secret),
        Secret(refresh_token),
        on_refresh=seen.append if seen is not None else None,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture
def short_lived_lever(lever_org_pristine) -> Iterator[RunningLever]:
    """Access tokens live half a second (`expires_in` is then 0: already due for a refresh)."""
    sandbox = LeverSandbox(lever_org_pristine, lever_config(oauth_access_ttl_seconds=0.5))
    with sandbox.serve() as server:
        yield RunningLever(sandbox, server.base_url)


def test_api_key_is_basic_with_an_empty_password_and_never_shown() -> None:
    auth = ApiKeyAuth(Secret("super-secret-key"))
    request = requests.Request("GET", "http://x/v1/stages", auth=auth).prepare()
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(b"super-secret-key:").decode()
    assert "super-secret" not in repr(auth) and "super-secret" not in auth.fingerprint
    assert not auth.can_refresh


def test_oauth_refreshes_when_it_has_no_token_and_keeps_the_rotated_refresh_token(fresh_lever: RunningLever) -> None:
    grant = oauth_tokens(fresh_lever, SCOPE)
    seen: list[str] = []
    auth = _oauth(fresh_lever, grant["refresh_token"], seen)
    token = auth.access_token()
    assert auth.refreshes == 1 and len(seen) == 1 and seen[0] != grant["refresh_token"]
    assert auth.refresh_token == Secret(seen[0])
    assert auth.access_token() == token  # an hour-long token is reused
    ok = requests.get(f"{fresh_lever.api}/stages", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert ok.status_code == 200
    assert grant["refresh_token"] not in repr(auth) and OAUTH_CLIENT.client_secret not in repr(auth)


def test_oauth_refreshes_once_its_token_has_expired(short_lived_lever: RunningLever) -> None:
    grant = oauth_tokens(short_lived_lever, SCOPE)
    seen: list[str] = []
    auth = _oauth(short_lived_lever, grant["refresh_token"], seen)
    first = auth.access_token()
    second = auth.access_token()  # expires_in 0: due at once
    assert first != second and auth.refreshes == 2 and len(set(seen)) == 2


def test_invalidate_refreshes_only_the_token_it_was_told_about(fresh_lever: RunningLever) -> None:
    grant = oauth_tokens(fresh_lever, SCOPE)
    auth = _oauth(fresh_lever, grant["refresh_token"], access_token=Secret(grant["access_token"]))
    auth.invalidate("Bearer some-older-token")  # another thread already replaced it
    assert auth.refreshes == 0 and auth.access_token() == grant["access_token"]
    auth.invalidate(f"Bearer {grant['access_token']}")
    assert auth.refreshes == 1 and auth.access_token() != grant["access_token"]


def test_threads_share_one_refresh(fresh_lever: RunningLever) -> None:
    """Refresh tokens are single-use: two threads refreshing at once would spend the same one twice."""
    grant = oauth_tokens(fresh_lever, SCOPE)
    auth = _oauth(fresh_lever, grant["refresh_token"])
    tokens: list[str] = []
    threads = [threading.Thread(target=lambda: tokens.append(auth.access_token())) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert auth.refreshes == 1 and len(set(tokens)) == 1 and len(tokens) == 8


def test_a_spent_refresh_token_is_an_auth_error_without_secrets(fresh_lever: RunningLever) -> None:
    grant = oauth_tokens(fresh_lever, SCOPE)
    _oauth(fresh_lever, grant["refresh_token"]).access_token()  # spends it
    stale = _oauth(fresh_lever, grant["refresh_token"])
    with pytest.raises(LeverAuthError) as caught:
        stale.access_token()
    text = str(caught.value)
    assert "invalid_grant" in text and "authorised again" in text
    assert grant["refresh_token"] not in text and OAUTH_CLIENT.client_secret not in text
