"""The doctor's everyday case: a 10 MB curl command (a 12.6 MP photo as a data URL, wrapped by
`base64`, labelled with the wrong type) against the same body pasted as JSON.

Prints the median time of each, measured in the same run, their ratio, and whether the curl
command stays under the 2 s goal.

    python benchmarks/doctor.py [--repeat N] [--profile]
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import json
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import images  # noqa: E402
from visiondesk.doctor import diagnose  # noqa: E402

GOAL_S = 2.0


def body() -> str:
    photo = images.encode(images.photo(4096, 3072), "JPEG", quality=100)
    url = f"data:image/png;base64,{base64.encodebytes(photo).decode()}"
    parts = [
        {"type": "text", "text": "What is this?"},
        {"type": "image_url", "image_url": {"url": url}},
    ]
    return json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": parts}]})


def curl(text: str) -> str:
    return (
        "curl https://api.openai.com/v1/chat/completions \\\n"
        '  -H "Content-Type: application/json" \\\n'
        '  -H "Authorization: Bearer $OPENAI_API_KEY" \\\n'
        f"  -d '{text}'"
    )


def median_s(text: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        diagnose(text)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="cProfile the curl command once")
    options = parser.parse_args()
    as_json = body()
    as_curl = curl(as_json)
    diagnose(as_json)  # warm: imports, Pillow's plugins
    if options.profile:
        profiler = cProfile.Profile()
        profiler.runcall(diagnose, as_curl)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(15)
    json_s = median_s(as_json, options.repeat)
    curl_s = median_s(as_curl, options.repeat)
    for name, text, seconds in (("body as JSON", as_json, json_s), ("curl", as_curl, curl_s)):
        size = len(text.encode()) / 2**20
        print(f"{name:<13} {size:5.1f} MB  {seconds:6.3f} s (median of {options.repeat})")
    verdict = "under" if curl_s < GOAL_S else "OVER"
    print(f"curl / JSON = {curl_s / json_s:.2f}; curl {verdict} the {GOAL_S:.0f} s goal")


if __name__ == "__main__":
    main()
