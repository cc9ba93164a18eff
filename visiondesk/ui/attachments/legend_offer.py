"""The offer to name an image's numbered callouts in the question ("1 = …, 2 = …"), shown in
the status bar when callouts are added: the model can only refer to numbers the question names."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QStatusBar, QToolButton

SHOWN_MS = 20_000


class LegendOffer(QToolButton):
    """A status-bar button, hidden until there is a legend to insert.

    Signals: `insert_requested()` — put the legend at the end of the question.
    """

    insert_requested = Signal()

    def __init__(self, bar: QStatusBar) -> None:
        super().__init__(bar)
        self.setAccessibleName("Insert callout legend")
        self.clicked.connect(self._clicked)
        self.hide()
        bar.addPermanentWidget(self)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)

    def offer(self, legend: str) -> None:
        """Offer `legend` (empty: nothing to offer, the button goes)."""
        if not legend:
            self.hide()
            return
        self.setText(f"Insert “{legend}” into the question")
        self.setToolTip("Name the numbered callouts so the model can refer to them")
        self.show()
        self._timer.start(SHOWN_MS)

    def _clicked(self) -> None:
        self.hide()
        self.insert_requested.emit()
