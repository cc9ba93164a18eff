"""Capture: pixels of the screens (a region, a screen, a window) as images to ask about."""
