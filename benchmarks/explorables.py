"""Slider-to-frame time of every explorable in the built book, in headless Chromium.

    python benchmarks/explorables.py [--html _build/html] [--moves 40]

Serves the built book on 127.0.0.1, opens each chapter in Debian's Chromium and moves
every explorable's sliders to random positions, the way a reader's drag does (value set,
``input`` event). Each move's time is what the page spends between the event and a laid
out page (the explorable's own ``data-update-ms``: recompute with cells.js or train.js,
redraw the SVG, style and layout); a frame at 60 Hz has 16 ms. Medians and 95th
percentiles; nothing is asserted. The browser suite records the same times in
_build/explorables-timing.json.
"""

import argparse
import functools
import http.server
import statistics
import threading
from pathlib import Path

import numpy as np
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
FRAME_MS = 16
PAGES = ["book/01_rnn_memory", "book/02_vanishing_gradients", "book/03_lstm", "book/04_gru"]

MOVES = """([moves, seed]) => {
    let state = seed;
    const random = () => (state = (state * 16807) % 2147483647) / 2147483647;
    return Array.from(document.querySelectorAll('[data-explorable]')).map((root) => {
        const inputs = Array.from(root.querySelectorAll('input[type=range]'))
            .filter((i) => i.closest('[hidden]') === null);
        const times = [];
        for (let k = 0; k < moves; k++) {
            const input = inputs[Math.floor(random() * inputs.length)];
            const steps = Math.round((input.max - input.min) / input.step);
            const step = Math.floor(random() * (steps + 1));
            input.value = String(Number(input.min) + input.step * step);
            input.dispatchEvent(new Event('input', {bubbles: true}));
            times.push(Number(root.dataset.updateMs));
        }
        return [root.dataset.explorable, times];
    });
}"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def measure(html, moves):
    handler = functools.partial(_Quiet, directory=str(html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for doc in PAGES:
            page.goto(f"{origin}/{doc}.html")
            page.wait_for_selector("[data-explorable]", timeout=30_000)
            for name, times in page.evaluate(MOVES, [moves, 12345]):
                results.append((doc, name, times))
        browser.close()
    server.shutdown()
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--moves", type=int, default=40)
    args = parser.parse_args()
    if not (args.html / "index.html").is_file():
        raise SystemExit(f"no built book in {args.html}: run `make book` first")
    print(
        f"{'explorable':16} {'page':30} {'median ms':>10} {'p95 ms':>8}  (one frame: {FRAME_MS} ms)"
    )
    for doc, name, times in measure(args.html, args.moves):
        p95 = float(np.percentile(times, 95))
        print(f"{name:16} {doc:30} {statistics.median(times):>10.2f} {p95:>8.2f}")


if __name__ == "__main__":
    main()
