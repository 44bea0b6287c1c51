"""One loaded llama.cpp model per process, shared by every local backend that asks for it.

A llama context is not thread-safe, so each ``LoadedModel`` carries the lock that serialises its
use. Weights are loaded without llama.cpp's "extra buffer types": on CPUs with Intel AMX the
bundled llama.cpp repacks weights for AMX and then crashes in the first decode (a known upstream
bug); plain CPU buffers work everywhere.

The package's ``__init__`` sets ``OMP_WAIT_POLICY=PASSIVE`` before llama.cpp is imported (see
there for why).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import llama_cpp
import llama_cpp.llama_cpp as llama_api

SEED = 1234
"""Fixed sampling seed: the same request gives the same plan."""

_models: dict[tuple[str, int, int], LoadedModel] = {}
_registry_lock = threading.Lock()
_params_lock = threading.Lock()


@dataclass(eq=False)
class LoadedModel:
    """A llama.cpp model and context plus the lock every user must hold while calling into it."""

    path: Path
    llama: llama_cpp.Llama
    context_tokens: int
    threads: int
    lock: threading.Lock = field(default_factory=threading.Lock)
    cached_tokens: list[int] = field(default_factory=list)
    """The tokens whose keys/values are in the context's cache, in order (for prefix reuse)."""
    cached_batch_ends: list[int] = field(default_factory=list)
    """Where the batches of the cached prompt ended (``prompt_tokens``: only whole batches are reused)."""


def default_threads() -> int:
    """One thread per available core, at most 8 (more does not help a model this small)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))


@contextmanager
def plain_cpu_buffers() -> Iterator[None]:
    """While active, models load without extra (AMX / repacked) weight buffers."""
    with _params_lock:
        original = llama_api.llama_model_default_params

        def without_extra_buffers() -> llama_api.llama_model_params:
            params: llama_api.llama_model_params = original()
            params.use_extra_bufts = False
            return params

        llama_api.llama_model_default_params = without_extra_buffers  # read by Llama.__init__
        try:
            yield
        finally:
            llama_api.llama_model_default_params = original


def _load(path: Path, context_tokens: int, threads: int) -> LoadedModel:
    with plain_cpu_buffers():
        llama = llama_cpp.Llama(
            model_path=str(path),
            n_ctx=context_tokens,
            n_batch=512,
            n_threads=threads,
            n_threads_batch=threads,
            seed=SEED,
            verbose=False,
        )
    return LoadedModel(path=path, llama=llama, context_tokens=context_tokens, threads=threads)


def shared_model(path: Path, *, context_tokens: int, threads: int | None = None) -> LoadedModel:
    """The process-wide model for these arguments, loaded on first use."""
    n_threads = threads or default_threads()
    key = (str(path.resolve()), context_tokens, n_threads)
    with _registry_lock:
        model = _models.get(key)
        if model is None:
            try:
                model = _load(path, context_tokens, n_threads)
            except (ValueError, RuntimeError, OSError) as error:
                raise RuntimeError(f"llama.cpp could not load {path}: {error}") from error
            _models[key] = model
        return model
