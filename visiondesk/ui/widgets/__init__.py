"""Widgets shared by several features: the question box, overlays, small dialogs, thumbnails,
the image preview."""
