"""A lecturer's setting, made once per test session: tiny random-weight repositories on a fake hub on
127.0.0.1, and a Hugging Face cache filled from it by ``huggingface_hub``."""

from __future__ import annotations

import pytest

from tests.library.fake_hub import fake_hub
from tests.library.repos import REPOS, fill_cache, make_repos


@pytest.fixture(scope="session")
def repos(tmp_path_factory):
    return make_repos(tmp_path_factory.mktemp("hub-repos"))


@pytest.fixture(scope="session")
def hub(repos):
    with fake_hub(repos) as server:
        yield server


@pytest.fixture(scope="session")
def lecturer_cache(tmp_path_factory, hub):
    """A Hugging Face cache holding every repository of REPOS (snapshots, blobs, refs) as the hub library
    lays it out."""
    cache = tmp_path_factory.mktemp("hf-cache")
    fill_cache(hub.url, cache, REPOS)
    return cache
