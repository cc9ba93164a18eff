"""Exports are inert: a conversation full of hostile strings, exported as HTML and Markdown,
opened in a real headless Chromium beside a local server that counts every request: no script
runs and nothing is fetched."""

from __future__ import annotations

import hashlib
import http.server
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from visiondesk.domain import Detail, PreparedImage, Question
from visiondesk.render import markdown_to_html
from visiondesk.store import History
from visiondesk.store.export import to_html, to_markdown

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a3e0d6c30000000049454e44ae426082"
)


class Tracker:
    """A server on 127.0.0.1 that records the path of every request it gets."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        tracker = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                tracker.paths.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()
                self.wfile.write(PNG_1X1)

            do_POST = do_GET

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def tracker() -> Iterator[Tracker]:
    server = Tracker()
    yield server
    server.close()


def hostile(base: str) -> dict[str, str]:
    """Strings an attacker controls: a pasted URL, a file name, a question, an answer."""
    beacon = f"fetch('{base}/script-ran')"
    return {
        "title": f"</title><script>{beacon}</script>",
        "url": f"{base}/pic.png' onerror='{beacon}' x='",
        "label": f'"><img src=x onerror="{beacon}">',
        "question": f"<script>{beacon}</script> and <img src='{base}/raw-question.png'>",
        "answer": "\n".join(
            [
                f"Here: ![tracker]({base}/track.png) and ![ref][r]",
                f'<img src="{base}/raw-answer.png">',
                f"<script>{beacon}</script>",
                f"[click](javascript:{beacon}) <{base}/autolink>",
                f'<iframe src="{base}/frame"></iframe>',
                f"[r]: {base}/reference.png",
                "",
                "```html",
                f'<img src="{base}/in-code.png">',
                "```",
                f"`<img src='{base}/in-span.png'>`",
                "<style>body{background:url(" + base + "/css.png)}</style>",
            ]
        ),
    }


def conversation(store: History, strings: dict[str, str]) -> int:
    pixels = PreparedImage(
        label=strings["label"],
        sha256=hashlib.sha256(PNG_1X1).hexdigest(),
        original_width=1,
        original_height=1,
        original_format="PNG",
        width=1,
        height=1,
        mime="image/png",
        data=PNG_1X1,
        detail=Detail.LOW,
        tokens=85,
    )
    linked = PreparedImage(
        label=strings["label"],
        sha256="0" * 64,
        original_width=None,
        original_height=None,
        original_format=None,
        width=None,
        height=None,
        mime="image/png",
        data=b"",
        detail=Detail.LOW,
        tokens=85,
        url=strings["url"],
    )
    conversation_id = store.create_conversation(strings["title"], "Local", "chat", "m", "low")
    store.add_user_message(conversation_id, Question(strings["question"], (pixels, linked)))
    answer = store.add_answer(conversation_id)
    store.checkpoint(answer, strings["answer"], "complete", strings["title"])
    return conversation_id


def open_in_chromium(page: Path, profile: Path) -> str:
    """The page's DOM after load, as headless Chromium saw it (scripts given time to run)."""
    assert CHROMIUM is not None
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--virtual-time-budget=3000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (.ci/run installs it)")
def test_the_html_export_runs_nothing_and_loads_nothing(tmp_path: Path, tracker: Tracker) -> None:
    store = History(tmp_path / "data")
    page = to_html(store, conversation(store, hostile(tracker.base)), tmp_path / "out.html")
    dom = open_in_chromium(page, tmp_path / "chromium")
    assert tracker.paths == []  # not a script, an image, a frame or a style reached it
    assert "<script" not in dom.lower()
    assert "onerror=" not in page.read_text().replace("onerror=&quot;", "").lower()
    # The remote images are there to follow, as links.
    assert f'href="{tracker.base}/track.png"' in dom
    assert "data:image/png;base64," in dom  # its own pixels are embedded
    store.close()


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (.ci/run installs it)")
def test_the_markdown_export_rendered_loads_nothing(tmp_path: Path, tracker: Tracker) -> None:
    """The .md file as any Markdown viewer would show it (CommonMark with raw HTML allowed)."""
    from markdown_it import MarkdownIt

    store = History(tmp_path / "data")
    written = to_markdown(store, conversation(store, hostile(tracker.base)), tmp_path / "md")
    viewer = MarkdownIt("commonmark", {"html": True})
    page = tmp_path / "md" / "viewed.html"
    body = viewer.render(written.read_text())
    page.write_text(f"<!doctype html><html><body>{body}</body></html>")
    dom = open_in_chromium(page, tmp_path / "chromium")
    assert tracker.paths == []
    assert "<script" not in dom.lower()
    assert "<img" in dom  # the image written beside the file still shows
    store.close()


def test_markdown_export_keeps_code_and_turns_images_into_links(tmp_path: Path) -> None:
    store = History(tmp_path / "data")
    text = to_markdown(store, conversation(store, hostile("http://h")), tmp_path / "md").read_text()
    assert "&#33;[tracker](http://h/track.png)" in text
    assert "&lt;script>" in text and "<script>" not in text.split("```")[0]
    assert '```html\n<img src="http://h/in-code.png">\n```' in text  # code is verbatim
    assert "`<img src='http://h/in-span.png'>`" in text
    assert "](images/" in text
    store.close()


def test_answer_html_for_exports_links_remote_images() -> None:
    rendered = markdown_to_html("![a](http://h/t.png) ![b](data:image/png;base64,AAAA)")
    assert '<a href="http://h/t.png" rel="noreferrer">[image: a]</a>' in rendered
    assert '<img src="data:image/png;base64,AAAA" alt="b">' in rendered
    assert '<img src="http' not in rendered
