from __future__ import annotations

import os

# Qt must never need a display in tests; set before any Qt import (pytest-qt imports lazily).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
