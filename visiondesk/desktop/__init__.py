"""The desktop around the window that Qt does not reach: other programs' X11 windows, and the
XDG portals whose calls QtDBus cannot marshal from Python (GlobalShortcuts)."""
