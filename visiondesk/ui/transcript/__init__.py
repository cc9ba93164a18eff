"""The conversation as messages: the view, its rows and message widgets, Markdown, the request
inspector, and the presenter of send, edit and inspect."""
