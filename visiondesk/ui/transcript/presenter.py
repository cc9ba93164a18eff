"""The conversation presenter: the composer's text and the transcript mirror the workspace;
Enter, Send/Stop, Esc and the transcript's links become intents."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from visiondesk.ui.transcript.actions import TranscriptAction
from visiondesk.ui.transcript.inspector_dialog import InspectorDialog
from visiondesk.ui.transcript.transcript_view import TranscriptView
from visiondesk.ui.widgets.composer import Composer
from visiondesk.ui.widgets.text_dialog import TextDialog
from visiondesk.workspace import Tokens, Workspace


class ConversationWindow(Protocol):
    """What the presenter uses of the main window (which composes the features; a feature
    never imports it)."""

    @property
    def composer(self) -> Composer: ...
    @property
    def transcript(self) -> TranscriptView: ...
    @property
    def send_button(self) -> QPushButton: ...
    @property
    def tokens_label(self) -> QLabel: ...
    @property
    def inspect_action(self) -> QAction: ...
    @property
    def settings_action(self) -> QAction: ...
    def set_busy(self, busy: bool) -> None: ...
    def focus_composer(self) -> None: ...
    def window(self) -> QWidget: ...


class ConversationPresenter(QObject):
    def __init__(
        self, workspace: Workspace, window: ConversationWindow, open_settings: Callable[[], None]
    ) -> None:
        super().__init__(window.window())
        self.workspace = workspace
        self.window = window
        self.owner = window.window()
        """The window itself: the parent of the dialogs."""
        self.open_settings = open_settings
        composer = window.composer
        composer.textChanged.connect(lambda: workspace.set_text(composer.toPlainText()))
        workspace.text_changed.connect(self._text_changed)
        composer.send_requested.connect(workspace.conversation.send)
        composer.stop_requested.connect(workspace.conversation.stop)
        window.send_button.clicked.connect(self.send_or_stop)
        workspace.busy_changed.connect(window.set_busy)
        window.transcript.mirror(workspace.transcript)
        window.transcript.action_requested.connect(self.act)
        workspace.tokens_changed.connect(self._tokens)
        window.inspect_action.triggered.connect(self.inspect_last)
        self.instructions_action = QAction("Conversation &instructions…", self.owner)
        self.instructions_action.triggered.connect(self.edit_instructions)
        for menu in window.settings_action.associatedObjects():  # the Edit menu, by Settings
            if hasattr(menu, "insertAction"):
                menu.insertAction(window.settings_action, self.instructions_action)

    def _text_changed(self, text: str) -> None:
        composer = self.window.composer
        if composer.toPlainText() != text:
            composer.setPlainText(text)

    def send_or_stop(self) -> None:
        if self.workspace.busy:
            self.workspace.conversation.stop()
        else:
            self.workspace.conversation.send()
        self.window.focus_composer()

    def act(self, action: TranscriptAction, turn_id: int) -> None:
        workspace = self.workspace
        if action is TranscriptAction.RETRY:
            workspace.conversation.retry(turn_id)
        elif action is TranscriptAction.EDIT:
            self.edit_question(turn_id)
        elif action is TranscriptAction.REGENERATE:
            workspace.conversation.regenerate(turn_id)
        elif action is TranscriptAction.INSPECT:
            self.inspect(turn_id)
        elif action is TranscriptAction.OPEN_SETTINGS:
            self.open_settings()
        elif action is TranscriptAction.SWITCH_MODE:
            turn = workspace.transcript.turn(turn_id)
            if turn is not None and turn.suggested_mode is not None:
                workspace.set_mode(turn.suggested_mode)
        elif action is TranscriptAction.DELETE:
            workspace.exchanges.delete(turn_id)
        elif action is TranscriptAction.UNDO_DELETE:
            workspace.exchanges.undelete(turn_id)
        elif action is TranscriptAction.DISMISS:
            workspace.exchanges.dismiss(turn_id)
        elif action in (TranscriptAction.PREVIOUS_VERSION, TranscriptAction.NEXT_VERSION):
            self.switch_version(turn_id, -1 if action is TranscriptAction.PREVIOUS_VERSION else 1)
        elif action in (TranscriptAction.QUOTE, TranscriptAction.QUOTE_QUESTION):
            turn = workspace.transcript.turn(turn_id)
            if turn is not None:
                quoted = turn.answer if action is TranscriptAction.QUOTE else turn.prompt
                workspace.set_text(quote_into(workspace.text, quoted))
                self.window.focus_composer()

    def switch_version(self, turn_id: int, step: int) -> None:
        """‹ or ›: the version before or after the one shown, in its place."""
        versions = self.workspace.transcript.versions(turn_id)
        ids = [version.id for version in versions]
        if turn_id in ids and 0 <= ids.index(turn_id) + step < len(ids):
            self.workspace.exchanges.show_version(turn_id, ids[ids.index(turn_id) + step])

    def edit_question(self, turn_id: int) -> TextDialog | None:
        """Edit & resend: the conversation continues from just before this question."""
        turn = self.workspace.transcript.turn(turn_id)
        if turn is None:
            return None
        dialog = TextDialog(
            "Edit question",
            "Send this question again as edited. The conversation continues from just before "
            "it: the new answer becomes another version of this one (‹ ›), and the exchanges "
            "after it are removed.",
            turn.prompt,
            "Send",
            self.owner,
        )
        dialog.text_requested.connect(lambda text: self.workspace.conversation.edit(turn_id, text))
        dialog.open()
        return dialog

    def edit_instructions(self) -> TextDialog:
        """Instructions (system prompt) for this conversation's next turns."""
        workspace = self.workspace
        dialog = TextDialog(
            "Conversation instructions",
            "Instructions the model follows for the rest of this conversation (the system "
            "prompt). New conversations start with the default set in Settings.",
            workspace.settings.instructions,
            "Use",
            self.owner,
            placeholder=workspace.app_settings.instructions or "No instructions",
        )
        dialog.text_requested.connect(workspace.set_instructions)
        dialog.open()
        return dialog

    def inspect_last(self) -> None:
        turns = self.workspace.transcript.turns
        if turns:
            self.inspect(turns[-1].id)
        else:
            self.workspace.notice("Nothing to inspect yet: send a question first.")

    def inspect(self, turn_id: int) -> None:
        turn = self.workspace.transcript.turn(turn_id)
        if turn is not None:
            InspectorDialog(turn, self.owner).open()

    def _tokens(self, tokens: Tokens) -> None:
        """The last answer's tokens and price, and the conversation's total so far."""
        label = self.window.tokens_label
        if not (tokens.total_in or tokens.total_out):
            label.setText("")
            label.setToolTip("")
            return
        last = "price unknown" if tokens.last_cost is None else f"${tokens.last_cost:.4f}"
        total = f"${tokens.total_cost:.4f}" + (
            f" + {tokens.unpriced} unpriced" if tokens.unpriced else ""
        )
        label.setText(  # the total first: a narrow window elides the end
            f"conversation {total} — last {tokens.last_in:,} in / {tokens.last_out:,} out · {last}"
        )
        prices = self.workspace.prices
        label.setToolTip(
            f"This session in this conversation: {tokens.total_in:,} input tokens "
            f"({tokens.total_cached:,} from the prompt cache), {tokens.total_out:,} output "
            f"tokens. Prices of {prices.taken} (visiondesk prices; edit prices.json)."
        )


def quote_into(draft: str, text: str) -> str:
    """The question being written, with `text` quoted after it as Markdown ("> " lines)."""
    quoted = "\n".join(f"> {line}" if line else ">" for line in text.strip().splitlines())
    before = draft.rstrip()
    return f"{before}\n\n{quoted}\n\n" if before else f"{quoted}\n\n"
