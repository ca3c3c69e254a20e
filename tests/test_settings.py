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
