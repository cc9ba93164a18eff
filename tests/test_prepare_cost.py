"""What keeps a preparation cheap: about one decoded picture in memory at the peak (with the C
library's malloc left as it is: no process-wide tuning), the thumbnail made from the already
reduced image."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from tests import images
from visiondesk.imaging.encode import THUMBNAIL_SIDE, make_thumbnail

ROOT = Path(__file__).resolve().parent.parent


def test_preparing_a_4k_png_holds_little_more_than_its_decoded_pixels(tmp_path: Path) -> None:
    path = tmp_path / "screenshot.png"
    images.screenshot(3840, 2160, seed=7).save(path)
    script = (
        "import sys\n"
        "from visiondesk.imaging import policy_for, prepare\n"
        "def peak():\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith('VmHWM:'):\n"
        "            return int(line.split()[1]) * 1024\n"
        "policy = policy_for('chat', 'gpt-4o', 'high')\n"
        "data = open(sys.argv[1], 'rb').read()\n"
        "before = peak()\n"
        "prepare(data, policy, cache=None)\n"
        "print(peak() - before)\n"
    )
    if not Path("/proc/self/status").exists():
        pytest.skip("reads the peak RSS from /proc")
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    decoded = 3840 * 2160 * 4  # Pillow holds RGB in 4 bytes a pixel
    # Measured: 1.55× (the decoded pixels, the reduced and the sent copies, libwebp, the WebP
    # plugin's import). One more full-size copy anywhere would make it 2.6×.
    assert int(done.stdout) < 2 * decoded


@pytest.mark.parametrize(("size", "expected"), [((1365, 768), (192, 108)), ((50, 400), (24, 192))])
def test_thumbnail_fits_the_side_and_keeps_the_aspect(
    size: tuple[int, int], expected: tuple[int, int]
) -> None:
    thumbnail = Image.open(io.BytesIO(make_thumbnail(images.screenshot(*size))))
    assert max(thumbnail.size) == THUMBNAIL_SIDE
    assert thumbnail.size == expected


def test_a_small_image_is_not_enlarged_for_its_thumbnail() -> None:
    thumbnail = Image.open(io.BytesIO(make_thumbnail(images.screenshot(120, 80))))
    assert thumbnail.size == (120, 80)
