"""Compare models…: choose 2–4 columns, each a profile, a model, a mode and a detail level, and
whether to judge them blind."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from visiondesk.compare import MAX_COLUMNS, MIN_COLUMNS, ColumnSpec
from visiondesk.config.profiles import Profile
from visiondesk.domain import ApiMode, Detail


class ColumnRow:
    """The four boxes of one column."""

    def __init__(self, parent: QWidget, profiles: dict[str, Profile], models: list[str]) -> None:
        self.profile = QComboBox(parent)
        for key, profile in profiles.items():
            self.profile.addItem(profile.name, key)
        self.model = QComboBox(parent)
        self.model.setEditable(True)
        self.model.addItems(models)
        self.mode = QComboBox(parent)
        for mode in ApiMode:
            self.mode.addItem(mode.label, mode.value)  # Qt keeps a str enum as its str
        self.detail = QComboBox(parent)
        for detail in Detail:
            self.detail.addItem(detail.value, detail.value)
        self.remove = QToolButton(parent)
        self.remove.setText("×")
        self.remove.setAutoRaise(True)
        for box, name in (
            (self.profile, "profile"),
            (self.model, "model"),
            (self.mode, "mode"),
            (self.detail, "detail"),
        ):
            box.setAccessibleName(f"Column {name}")

    def set(self, key: str, spec: ColumnSpec) -> None:
        self.profile.setCurrentIndex(max(0, self.profile.findData(key)))
        self.model.setCurrentText(spec.model)
        self.mode.setCurrentIndex(max(0, self.mode.findData(spec.mode.value)))
        self.detail.setCurrentIndex(max(0, self.detail.findData(spec.detail.value)))

    def value(self) -> tuple[str, ColumnSpec] | None:
        model = self.model.currentText().strip()
        if not model:
            return None
        spec = ColumnSpec(
            model, ApiMode(self.mode.currentData()), Detail(self.detail.currentData())
        )
        return str(self.profile.currentData()), spec

    def widgets(self) -> list[QWidget]:
        return [self.profile, self.model, self.mode, self.detail, self.remove]


class CompareSetupDialog(QDialog):
    """Signals: those of QDialog; `columns` and `blind` hold the choice once accepted."""

    def __init__(
        self,
        profiles: dict[str, Profile],
        models: list[str],
        first: tuple[str, ColumnSpec],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Compare models")
        self.profiles = profiles
        self.models = models
        self.columns: list[tuple[str, ColumnSpec]] = []
        intro = QLabel(
            "Ask the same question about the same images through 2 to 4 columns at once. Each "
            "column keeps its own conversation, so follow-up questions go to all of them.",
            self,
        )
        intro.setWordWrap(True)
        self.grid = QGridLayout()
        for place, heading in enumerate(("Profile", "Model", "Mode", "Detail")):
            self.grid.addWidget(QLabel(f"<b>{heading}</b>", self), 0, place)
        self.rows: list[ColumnRow] = []
        self.add_button = QPushButton("Add a column", self)
        self.add_button.clicked.connect(lambda: self.add_row())
        self.blind_box = QCheckBox(
            "Blind: hide which column is which until I pick the better", self
        )
        self.problem = QLabel(self)
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Compare")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(self.grid)
        layout.addWidget(self.add_button)
        layout.addWidget(self.blind_box)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        key, spec = first
        self.add_row(key, spec)
        other = Detail.LOW if spec.detail is not Detail.LOW else Detail.HIGH
        self.add_row(key, ColumnSpec(spec.model, spec.mode, other))

    @property
    def blind(self) -> bool:
        return self.blind_box.isChecked()

    def add_row(self, key: str | None = None, spec: ColumnSpec | None = None) -> ColumnRow | None:
        if len(self.rows) >= MAX_COLUMNS:
            return None
        row = ColumnRow(self, self.profiles, self.models)
        if key is not None and spec is not None:
            row.set(key, spec)
        elif self.rows:  # a new column starts as a copy of the last one
            last = self.rows[-1].value()
            if last is not None:
                row.set(*last)
        row.remove.clicked.connect(lambda: self.remove_row(row))
        self.rows.append(row)
        self._lay_out()
        return row

    def remove_row(self, row: ColumnRow) -> None:
        if len(self.rows) <= MIN_COLUMNS:
            return
        self.rows.remove(row)
        for widget in row.widgets():
            self.grid.removeWidget(widget)
            widget.deleteLater()
        self._lay_out()

    def _lay_out(self) -> None:
        for place, row in enumerate(self.rows, start=1):
            for column, widget in enumerate(row.widgets()):
                self.grid.addWidget(widget, place, column)
            row.remove.setEnabled(len(self.rows) > MIN_COLUMNS)
            row.remove.setToolTip("Remove this column")
        self.add_button.setEnabled(len(self.rows) < MAX_COLUMNS)

    def accept(self) -> None:
        values = [row.value() for row in self.rows]
        if any(value is None for value in values):
            self.problem.setText("Every column needs a model: type or choose one.")
            self.problem.show()
            return
        self.columns = [value for value in values if value is not None]
        super().accept()
