"""Run llama-cpp-python's own OpenAI-compatible server, safely on any x86 CPU.

``python -m bt_planner.backends.local.llama_server [--model PATH] --host 127.0.0.1 --port 8000`` is
``python -m llama_cpp.server`` with the same arguments, plus two conveniences: weights load in
plain CPU buffers (the AMX crash described in ``loaded_model``), and without ``--model`` (or the
``MODEL`` variable) it serves the default embedded model (``llm.local_model``'s default), assembled
and hash-checked like the embedded backend's. Needs ``pip install 'llama-cpp-python[server]'``.
"""

from __future__ import annotations

import os
import sys

from bt_planner.backends.local.loaded_model import plain_cpu_buffers
from bt_planner.backends.local.model_file import assembled_model_path
from bt_planner.config import LLMSettings


def main(argv: list[str] | None = None) -> None:
    """Serve llama.cpp's OpenAI-compatible API with ``argv`` (default: the command line)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if (
        "--model" not in args
        and not any(a.startswith("--model=") for a in args)
        and "MODEL" not in os.environ
    ):
        args = ["--model", str(assembled_model_path(LLMSettings().local_model)), *args]
    try:
        from llama_cpp.server.__main__ import main as serve
    except ImportError as error:
        raise SystemExit(
            f"llama.cpp's server is not installed: pip install 'llama-cpp-python[server]' ({error})"
        ) from error
    sys.argv = [sys.argv[0], *args]
    with plain_cpu_buffers():
        serve()  # type: ignore[no-untyped-call]


if __name__ == "__main__":
    main()
