"""The format registry and the mapping profile."""

from __future__ import annotations

import pytest

from oogst.errors import ConfigError
from oogst.mapping import MAPPING_VERSION, Profile, formats, get_mapper, register


def test_built_in_formats_are_registered() -> None:
    assert {"lido", "oai_dc"} <= set(formats())
    assert type(get_mapper("lido").mapper).__name__ == "LidoMapper"


def test_unknown_format_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError) as caught:
        get_mapper("marc21")
    assert "marc21" in str(caught.value)
    assert "lido" in caught.value.hint and "oai_dc" in caught.value.hint


def test_a_format_name_is_registered_once() -> None:
    with pytest.raises(ConfigError, match="already has a mapper"):
        register("lido", get_mapper("oai_dc"))


def test_profile_defaults_and_normalisation() -> None:
    profile = Profile(feed="msk", language="nl-BE", default_rights="CC0")
    assert profile.language == "nl-be"
    assert profile.default_rights == "http://creativecommons.org/publicdomain/zero/1.0/"
    assert profile.base_iri == "https://data.oogst.be/"
    assert profile.mapping_version == MAPPING_VERSION
    assert profile.minter.object_iri("x") == "https://data.oogst.be/id/object/msk/x"


@pytest.mark.parametrize(
    "kwargs",
    [{"language": "Nederlands en Frans"}, {"default_rights": "zie website"}, {"provider_iri": "Q2365880"}],
)
def test_bad_profile_values_are_config_errors(kwargs: dict[str, str]) -> None:
    with pytest.raises(ConfigError):
        Profile(feed="msk", **kwargs)
