from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from oogst.errors import ConfigError
from oogst.settings import Settings


def test_every_setting_is_documented() -> None:
    undocumented = [f.name for f in fields(Settings) if not f.metadata.get("doc")]
    assert not undocumented


def test_precedence_defaults_file_env_cli(tmp_path: Path) -> None:
    (tmp_path / "oogst.toml").write_text('port = 8100\nhttp_delay = 0.5\nbatch_size = 7\n')
    env = {"OOGST_DATA_DIR": str(tmp_path), "OOGST_PORT": "8200", "OOGST_BATCH_SIZE": "9"}
    settings, origin = Settings.load({"batch_size": 11}, env=env)
    assert settings.data_dir == tmp_path
    assert settings.http_delay == 0.5 and origin["http_delay"].endswith("oogst.toml")
    assert settings.port == 8200 and origin["port"] == "$OOGST_PORT"
    assert settings.batch_size == 11 and origin["batch_size"] == "command line"
    assert settings.host == "127.0.0.1" and origin["host"] == "default"


def test_unknown_setting_in_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "oogst.toml").write_text('prot = 1\n')
    with pytest.raises(ConfigError, match="unknown setting 'prot'"):
        Settings.load(env={"OOGST_DATA_DIR": str(tmp_path)})


def test_bad_value_names_the_setting_and_origin(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"port = 'eighty' \(\$OOGST_PORT\)"):
        Settings.load(env={"OOGST_DATA_DIR": str(tmp_path), "OOGST_PORT": "eighty"})


# -- validation on load: types and ranges (issue 14, finding 16) ---------------------------------
from hypothesis import given, settings as hsettings, strategies as st  # noqa: E402

from oogst.settings import _range_error  # noqa: E402

NUMERIC = {f.name: (type(f.default), f.metadata.get("bounds") or {}) for f in fields(Settings)
           if type(f.default) in (int, float)}


@pytest.mark.parametrize(("line", "words"), [
    ("result_limit = -1", r"result_limit = -1 \(.*oogst.toml\) is out of range: it must be at least 1"),
    ("result_limit = 0", "at least 1"),
    ("batch_size = 0", "batch_size = 0 .* at least 1"),
    ("oslo_ap_sample = 7", "oslo_ap_sample = 7 .* at least 0 and at most 1"),
    ("port = 99999", "port = 99999 .* at most 65535"),
    ("port = 0", "at least 1"),
    ("max_drop_share = 1.5", "at most 1"),
    ("http_read_timeout = 0", "more than 0"),
    ("query_timeout = nan", "a finite number"),
    ("port = true", "port = True .* is not a valid int"),
    ("batch_size = 2.5", "is not a valid int"),
])
def test_out_of_range_or_mistyped_settings_are_refused_naming_file_key_and_range(tmp_path, line, words) -> None:
    (tmp_path / "oogst.toml").write_text(line + "\n")
    with pytest.raises(ConfigError, match=words):
        Settings.load(env={"OOGST_DATA_DIR": str(tmp_path)})


def test_out_of_range_from_the_environment_and_the_command_line(tmp_path) -> None:
    with pytest.raises(ConfigError, match=r"batch_size = '0' \(\$OOGST_BATCH_SIZE\) is out of range"):
        Settings.load(env={"OOGST_DATA_DIR": str(tmp_path), "OOGST_BATCH_SIZE": "0"})
    with pytest.raises(ConfigError, match=r"port = 99999 \(command line\)"):
        Settings.load({"port": 99999}, env={"OOGST_DATA_DIR": str(tmp_path)})
    with pytest.raises(ConfigError, match="result_limit = -1 is out of range"):
        Settings(result_limit=-1)


def test_a_settings_file_that_is_not_utf8_is_refused_clearly(tmp_path) -> None:
    (tmp_path / "oogst.toml").write_bytes(b"port = 8000\n# caf\xe9\n")
    with pytest.raises(ConfigError, match="is not UTF-8 text"):
        Settings.load(env={"OOGST_DATA_DIR": str(tmp_path)})


def test_every_numeric_setting_has_a_range_and_its_default_is_in_it() -> None:
    for name, (_kind, bounds) in NUMERIC.items():
        assert _range_error(name, getattr(Settings(), name), bounds) is None, name


@hsettings(max_examples=300, deadline=None)
@given(name=st.sampled_from(sorted(NUMERIC)),
       value=st.one_of(st.integers(-10**9, 10**9), st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
                       st.text(max_size=12)))
def test_any_value_is_taken_in_range_or_refused_with_a_config_error(name, value) -> None:
    """A setting from the environment or the file never raises anything but ConfigError, and
    what is taken lies within the declared range."""
    env = {"OOGST_DATA_DIR": "/nonexistent-oogst", f"OOGST_{name.upper()}": str(value)}
    for source in ({"env": env}, {"overrides": {name: value}, "env": {"OOGST_DATA_DIR": "/nonexistent-oogst"}}):
        try:
            settings, _origin = Settings.load(**source)
        except ConfigError:
            continue
        kind, bounds = NUMERIC[name]
        taken = getattr(settings, name)
        assert isinstance(taken, kind) and _range_error(name, taken, bounds) is None
