"""Model backends: adapters at the edge that turn a ``ChatRequest`` into a ``ChatReply``.

``openai_backend`` speaks to any OpenAI-compatible server, ``local`` runs the embedded model
in-process, and ``testing`` holds the scripted and function doubles for your own tests.
``make_backend`` picks one from the configuration. Nothing here imports a vendor SDK at import
time; each adapter imports its SDK when built. The port types live in ``bt_planner.llm.chat``.
"""

from bt_planner.backends.selection import make_backend

__all__ = ["make_backend"]
