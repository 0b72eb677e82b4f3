"""Per-browser-session settings shared by every page: language and big-screen mode.

Solara keeps a module-level ``solara.reactive`` value per session (per kernel), so
one user switching to English or to big type does not change anyone else's page.
"""

from __future__ import annotations

import solara

# "ja" (default: the users read Japanese first) or "en".
lang = solara.reactive("ja")
# Large type for a projector in a workshop room.
big_screen = solara.reactive(False)
