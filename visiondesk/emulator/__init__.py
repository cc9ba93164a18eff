"""An OpenAI-API emulator for tests, offline use, and checking one's own requests.

Imports nothing above `domain` and `imaging` (DESIGN.md); never imports Qt.
"""

from visiondesk.emulator.faults import Knobs
from visiondesk.emulator.server import Emulator
from visiondesk.emulator.store import Recorded
from visiondesk.emulator.vision import ImageFacts

__all__ = ["Emulator", "ImageFacts", "Knobs", "Recorded"]
