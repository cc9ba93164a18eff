"""The draft's attachments: the row of cards, one card, and their presenter."""
