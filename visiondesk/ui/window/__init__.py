"""The main window and the composition root that gives each part its presenter."""
