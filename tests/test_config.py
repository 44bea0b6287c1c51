"""Configuration precedence: code > BT_PLANNER_* env > OPENAI_* env > config file > defaults."""

from __future__ import annotations

import pytest

from bt_planner.backends.selection import make_backend
from bt_planner.config import Settings


def test_defaults_need_no_key():
    settings = Settings.load()
    assert settings.llm.api_key is None
    assert settings.llm.backend == "auto"


def test_file_then_env_then_code(tmp_path, monkeypatch):
    file = tmp_path / "bt.yaml"
    file.write_text("llm:\n  model: from-file\n  temperature: 0.4\nsafety:\n  max_speed_mps: 0.5\n")
    assert Settings.load(file).llm.model == "from-file"
    monkeypatch.setenv("BT_PLANNER_LLM__MODEL", "from-env")
    loaded = Settings.load(file)
    assert (loaded.llm.model, loaded.llm.temperature, loaded.safety.max_speed_mps) == ("from-env", 0.4, 0.5)
    assert Settings.load(file, llm={"model": "from-code"}).llm.model == "from-code"


def test_toml_file_and_config_env_var(tmp_path, monkeypatch):
    file = tmp_path / "bt.toml"
    file.write_text("[cache]\nenabled = false\n[safety]\nmax_payload_kg = 1.5\n")
    monkeypatch.setenv("BT_PLANNER_CONFIG", str(file))
    settings = Settings.load()
    assert settings.cache.enabled is False
    assert settings.safety.max_payload_kg == 1.5


def test_standard_openai_variables_select_the_openai_backend(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    settings = Settings.load()
    assert settings.llm.api_key is not None and settings.llm.api_key.get_secret_value() == "sk-test"
    assert "sk-test" not in repr(settings)
    assert make_backend(settings.llm).name == "openai"


def test_unknown_keys_and_bad_limits_are_rejected(tmp_path):
    file = tmp_path / "bad.yaml"
    file.write_text("safety:\n  max_speed: 3\n")
    with pytest.raises(ValueError, match="max_speed"):
        Settings.load(file)
    with pytest.raises(FileNotFoundError):
        Settings.load(tmp_path / "missing.yaml")
