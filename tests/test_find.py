"""Find in the conversation without a window: matches in text as it reads (not its Markdown),
highlights that stay inside text nodes, and the current match that wraps round."""

from __future__ import annotations

import html
import re

from visiondesk.domain import ApiMode
from visiondesk.find import Look, Mark, count, highlighted_html, highlighted_text, html_text
from visiondesk.render import render_blocks
from visiondesk.workspace import Transcript, TurnStatus
from visiondesk.workspace.finding import Hit, Part, again, find, search

LOOK = Look("M", "C")
TAG = re.compile(r"<[^>]*>")


def test_search_is_literal_case_insensitive_and_spaces_match_any_white_space() -> None:
    assert count("Harbour, harbour\nHARBOUR", "harbour") == 3
    assert count("a.b axb", "a.b") == 1
    assert count("the old\n  harbour", "old harbour") == 1
    assert count("anything", "   ") == 0


def test_the_text_of_html_is_what_is_drawn() -> None:
    [block] = render_blocks("Some **bold** text, `a < b` & [a link](https://x.example/?q=bold)")
    assert html_text(block.html).strip() == "Some bold text, a < b & a link"


def test_a_match_across_tags_is_wrapped_piece_by_piece_never_a_tag() -> None:
    [block] = render_blocks("Some **bold** text")
    marked = highlighted_html(block.html, Mark("bold text", 0), LOOK)
    assert '<strong><span style="C">bold</span></strong><span style="C"> text</span>' in marked
    for tag in TAG.findall(marked):  # every tag is the renderer's or a whole span of ours
        assert tag in block.html or tag in ('<span style="C">', "</span>")


def test_every_match_is_marked_and_the_current_one_distinctly() -> None:
    marked = highlighted_html("<p>boat, boat, boat</p>", Mark("boat", 1), LOOK)
    assert marked == (
        '<p><span style="M">boat</span>, <span style="C">boat</span>, '
        '<span style="M">boat</span></p>'
    )
    assert (
        highlighted_html("<p>boat</p>", Mark("boat"), LOOK) == '<p><span style="M">boat</span></p>'
    )
    assert highlighted_html("<p>boat</p>", Mark("ship", 0), LOOK) == "<p>boat</p>"
    assert highlighted_html("<p>boat</p>", None, LOOK) == "<p>boat</p>"


def test_html_in_the_search_is_found_literally_and_never_becomes_markup() -> None:
    [block] = render_blocks("Write <b>bold</b> & <script>x</script> here")
    for query in ("<b>", "&", "<script>", "&amp;", '"'):
        marked = highlighted_html(block.html, Mark(query, 0), LOOK)
        assert TAG.sub("", marked) == TAG.sub("", block.html)  # the same text, escaped alike
        assert "<b>" not in marked and "<script>" not in marked
    assert count(html_text(block.html), "<b>") == 1
    assert count(html_text(block.html), "&amp;") == 0  # what it reads is "&", not the entity
    marked = highlighted_html(block.html, Mark("&", 0), LOOK)
    assert '<span style="C">&amp;</span>' in marked  # the whole entity, never half of it


def test_a_question_is_highlighted_as_escaped_text() -> None:
    marked = highlighted_text("what is <b>?\nand &amp;", Mark("<b>", 0), LOOK)
    assert '<span style="C">&lt;b&gt;</span>' in marked
    assert "&amp;amp;" in marked and "white-space:pre-wrap" in marked
    assert html.unescape(TAG.sub("", marked)) == "what is <b>?\nand &amp;"


def conversation() -> Transcript:
    model = Transcript()
    model.add_notice("Welcome: drop a **harbour** photo")
    for number in range(5):
        turn = model.add_turn(f"Harbour {number}?", [], ApiMode.CHAT, "gpt-4o", "http://x")
        answer = f"A **harbour** wall.\n\n```python\nharbour = {number}\n```\n"
        model.update(turn.id, status=TurnStatus.DONE, answer=answer)
    return model


def test_the_whole_conversation_is_searched_in_reading_order() -> None:
    model = conversation()
    hits = search(model.items, "harbour")
    assert len(hits) == 1 + 5 * 3
    notice, first = model.items[0].id, model.items[1].id
    assert hits[:4] == (
        Hit(notice, Part.NOTICE, 0, 0),
        Hit(first, Part.QUESTION, 0, 0),
        Hit(first, Part.ANSWER, 0, 0),
        Hit(first, Part.ANSWER, 1, 0),  # the code block
    )
    assert search(model.items, "**harbour") == ()  # the Markdown is not what it reads
    assert search(model.items, "") == ()


def test_the_current_match_is_the_one_nearest_the_view_and_wraps_round() -> None:
    model = conversation()
    items = model.items
    finding = find(items, "harbour", near=items[3].id)
    assert finding.hit is not None and finding.hit.item_id == items[3].id
    assert finding.words == f"{finding.current + 1} of 16"  # type: ignore[operator]
    last = find(items, "wall", near=items[-1].id)
    assert last.words == "5 of 5"
    assert last.step(True).words == "1 of 5"  # round the end
    assert last.step(True).step(False).words == "5 of 5"
    nothing = find(items, "xylophone", near=None)
    assert nothing.words == "No matches" and nothing.step(True).hit is None
    assert find(items, "", near=None).words == ""


def test_the_search_follows_the_conversation_keeping_its_current_match() -> None:
    model = conversation()
    finding = find(model.items, "wall", near=model.items[2].id)
    current = finding.hit
    turn = model.add_turn("More?", [], ApiMode.CHAT, "gpt-4o", "http://x", TurnStatus.STREAMING)
    model.append(turn.id, "Another wall")
    followed = again(finding, model.items)
    assert followed.hit == current and followed.words == "2 of 6"
    assert current is not None
    model.remove(current.item_id)  # its message goes: the next one after it is current
    followed = again(followed, model.items)
    assert followed.words == "2 of 5" and followed.hit is not None
    assert followed.hit.item_id == model.items[2].id
