"""The embedded planner model's parts: registry, weights file, loading, prompts, grammar, decoding.

Used by ``bt_planner.backends.local.embedded_backend``. Importing this package does not import llama.cpp
(the modules that need it import it themselves), but it does set ``OMP_WAIT_POLICY=PASSIVE``
unless the environment already chooses: llama.cpp's OpenMP threads otherwise spin while they wait,
and on cores shared with other busy processes that made a plan six times slower (90 s instead of
15 s, two shared cores). OpenMP reads the variable once, when llama.cpp is first loaded, which is
why it is set here, before any module of this package can import llama.cpp.
"""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
