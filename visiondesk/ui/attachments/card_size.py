"""The size of an attachment card, which the row of cards is made to fit: the one place both
read it, so the row shows without loading the card (and the model's types behind it)."""

CARD_WIDTH, CARD_HEIGHT, THUMB = 290, 74, 64
