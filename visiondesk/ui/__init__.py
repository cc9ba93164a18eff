"""The window: the only package that imports Qt (PySide6) and qasync. Laid out by feature:
`window/` composes the features (`attachments/`, `transcript/`, `history/`, `connection/`,
`settings/`, `batch/`, `doctor/`), each with its widgets and its presenter; they share only
`widgets/` and the helper modules here (app start-up, theme, sources, window memory)."""
