"""The mark-up editor: arrows, boxes, callouts, text and redaction on an attachment."""
