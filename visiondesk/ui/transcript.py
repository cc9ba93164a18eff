"""The transcript's public face for the window and its presenter (`Transcript`,
`TranscriptAction`); the widgets live in transcript_view, message_widgets and markdown_view."""

from visiondesk.ui.transcript_actions import TranscriptAction
from visiondesk.ui.transcript_view import Transcript

__all__ = ["Transcript", "TranscriptAction"]
