"""Desktop integration that is not Qt: talking to the desktop's own services (the XDG portals
over D-Bus) with plain asyncio, so it runs on the window's qasync loop and in tests alike."""
