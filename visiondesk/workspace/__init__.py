"""The open window as a plain-Python model (no Qt): state with one owner, intents, jobs.

Only the light parts load with the package (the window draws their states before the SDK and
the pipeline are imported); `Workspace` itself loads on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from visiondesk.workspace.connection_status import ConnectionState, ConnectionStatus
from visiondesk.workspace.draft import Attachment, AttachmentState, Draft
from visiondesk.workspace.settings import ConversationSettings
from visiondesk.workspace.signal import Signal
from visiondesk.workspace.transcript import Fix, Notice, Transcript, Turn, TurnStatus

if TYPE_CHECKING:
    from visiondesk.workspace.workspace import Tokens, Workspace

__all__ = [
    "Attachment",
    "AttachmentState",
    "ConnectionState",
    "ConnectionStatus",
    "ConversationSettings",
    "Draft",
    "Fix",
    "Notice",
    "Signal",
    "Tokens",
    "Transcript",
    "Turn",
    "TurnStatus",
    "Workspace",
]


def __getattr__(name: str) -> Any:
    if name in ("Workspace", "Tokens"):
        from visiondesk.workspace import workspace

        return getattr(workspace, name)
    raise AttributeError(name)
