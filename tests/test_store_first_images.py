"""The sidebar's pictures come from the store: each conversation's first image, by digest."""

from __future__ import annotations

from pathlib import Path

from tests.stores import stored_image as image
from visiondesk.domain import Question
from visiondesk.store import History


def test_each_conversation_starts_with_its_first_image(tmp_path: Path) -> None:
    store = History(tmp_path)
    first, second, later = image(1), image(2), image(3, thumbnail=False)
    asked = store.create_conversation("Two questions", "p", "chat", "gpt-4o", "auto")
    store.add_user_message(asked, Question("No image yet"))
    store.add_user_message(asked, Question("Two images", (first, second)))
    store.add_user_message(asked, Question("And one more", (later,)))
    plain = store.create_conversation("Words only", "p", "chat", "gpt-4o", "auto")
    store.add_user_message(plain, Question("Hello"))
    old = store.create_conversation("Made before thumbnails", "p", "chat", "gpt-4o", "auto")
    store.add_user_message(old, Question("An image", (later,)))
    found = store.first_images()
    assert set(found) == {asked, old}  # the one without images has no picture
    assert store.picture(found[asked]) == first.thumbnail  # the thumbnail, not the image
    assert store.picture(found[old]) == later.data  # no thumbnail stored: the image itself
    assert store.picture("0" * 64) == b""  # a file gone: no picture, no error
    store.delete(asked)
    assert set(store.first_images()) == {old}
    store.close()


def test_the_picture_follows_deleted_exchanges(tmp_path: Path) -> None:
    """A first exchange deleted in the window (its Undo still offered) is not the picture."""
    store = History(tmp_path)
    first, second = image(4), image(5)
    asked = store.create_conversation("Two exchanges", "p", "chat", "gpt-4o", "auto")
    gone = store.add_user_message(asked, Question("First", (first,)))
    store.add_user_message(asked, Question("Second", (second,)))
    assert store.picture(store.first_images()[asked]) == first.thumbnail
    store.set_messages_deleted([gone])
    assert store.picture(store.first_images()[asked]) == second.thumbnail
    store.set_messages_deleted([gone], deleted=False)  # Undo
    assert store.picture(store.first_images()[asked]) == first.thumbnail
    store.close()
