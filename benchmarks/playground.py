"""Updates per second of the playground in the built book, in headless Chromium, per cell.

    python benchmarks/playground.py [--html _build/html] [--seconds 10] [--learn] [--seeds 1]

Serves the built book on 127.0.0.1, opens book/playground.html with the default settings
for each cell (RNN, LSTM, GRU), presses Play and reads, after ``--seconds``, how many
updates the Web Worker made and in how long (its own clock, from Play). The target is 20
updates per second at the defaults. ``--learn`` also plays each run until it has learned
(held-out accuracy 0.95) or has finished, and reports the update and the time;
``--seeds N`` does that for seeds 1 .. N (the spread of the claim "gated cells learn,
the plain RNN does not"). Nothing is asserted; on a shared machine the rates vary.
"""

import argparse
import functools
import http.server
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

from lib.course.playground import address, defaults

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATE = 20
ROOT_SELECTOR = '[data-explorable="playground"]'
READ = f"() => ({{...document.querySelector('{ROOT_SELECTOR}').dataset}})"


def wait_for(page, condition, timeout_s):
    page.wait_for_function(
        f"() => {{ const root = document.querySelector('{ROOT_SELECTOR}');"
        f" return root && ({condition}); }}",
        timeout=timeout_s * 1000,
    )


def play(page, url, seconds, learn):
    """Updates per second after ``seconds`` of play; with ``learn``, when it learned."""
    page.goto(url)
    wait_for(page, "root.dataset.updates === '0'", 60)
    page.click(f'{ROOT_SELECTOR} [data-action="play"]')
    page.wait_for_timeout(seconds * 1000)
    data = page.evaluate(READ)
    result = {"rate": int(data["updates"]) / (int(data["elapsedMs"]) / 1000)}
    if learn:
        wait_for(page, "root.dataset.learnedAt !== '' || root.dataset.finished === 'true'", 600)
        data = page.evaluate(READ)
        learned = data["learnedAt"] != ""
        result["learned_at"] = int(data["learnedAt"]) if learned else None
        result["learned_s"] = int(data["learnedMs"]) / 1000 if learned else None
        result["accuracy"] = float(data["accuracy"])
    return result


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def measure(html, seconds, learn, seeds):
    """{cell: [result of each seed]} for the default settings and seeds 1 .. seeds."""
    handler = functools.partial(_Quiet, directory=str(html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for cell in ("rnn", "lstm", "gru"):
            results[cell] = [
                play(
                    page,
                    f"{origin}/book/playground.html{address(cell=cell, seed=seed)}",
                    seconds,
                    learn,
                )
                for seed in range(1, seeds + 1)
            ]
        browser.close()
    server.shutdown()
    return results


def learned_text(result):
    if result["learned_at"] is None:
        return f"not learned ({result['accuracy']:.2f})"
    return f"{result['learned_at']} ({result['learned_s']:.1f} s)"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--learn", action="store_true")
    parser.add_argument("--seeds", type=int, default=1)
    args = parser.parse_args()
    if not (args.html / "book" / "playground.html").is_file():
        raise SystemExit(f"no playground in {args.html}: run `make book` first")
    learn = args.learn or args.seeds > 1
    results = measure(args.html, args.seconds, learn, args.seeds)
    shown = ", ".join(f"{k}={v}" for k, v in defaults().items() if k not in ("cell", "seed"))
    print(f"playground at the defaults ({shown}); target {TARGET_RATE} updates/s")
    header = f"{'cell':6} {'updates/s':>10}"
    if learn:
        header += "  learned at update (s), or held-out accuracy, for seed " + ", ".join(
            str(seed) for seed in range(1, args.seeds + 1)
        )
    print(header)
    for cell, runs in results.items():
        rate = sum(run["rate"] for run in runs) / len(runs)
        line = f"{cell:6} {rate:>10.1f}"
        if learn:
            line += "  " + "; ".join(learned_text(run) for run in runs)
        print(line)


if __name__ == "__main__":
    main()
