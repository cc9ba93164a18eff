"""A tiny synchronous signal: the workspace announces changes and widgets mirror them.

Twenty lines instead of a dependency (psygnal): the model and the widgets that listen to it live
and die together, so no weak references or thread hopping are needed, and nothing compiled has to
travel into the PyInstaller bundle.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, ParamSpec

P = ParamSpec("P")


class Signal(Generic[P]):
    """Listeners are called in the order they connected; one that raises does not stop the rest
    from hearing the news (its error is re-raised after they have)."""

    def __init__(self) -> None:
        self._listeners: list[Callable[P, Any]] = []

    def connect(self, listener: Callable[P, Any]) -> None:
        self._listeners.append(listener)

    def disconnect(self, listener: Callable[P, Any]) -> None:
        self._listeners.remove(listener)

    def emit(self, *args: P.args, **kwargs: P.kwargs) -> None:
        first: BaseException | None = None
        for listener in list(self._listeners):
            try:
                listener(*args, **kwargs)
            except Exception as error:  # every listener hears it; the first failure surfaces
                first = first or error
        if first is not None:
            raise first
