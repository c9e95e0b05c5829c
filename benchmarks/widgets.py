"""How long the chapter widgets take to answer a slider move, called directly.

    python benchmarks/widgets.py

A live widget (kernel running) recomputes and redraws on every move, so its callback
should stay under about 50 ms to feel live. The kernel-free widgets of the static book
run no Python when a slider moves (the views were drawn at build time); their render
functions are timed too, because they set how long the book takes to build.
Medians over repeated calls; nothing is asserted.
"""

import itertools
import statistics
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lib.course import gradient_flow, gradient_plots, memory, story, story_widgets  # noqa: E402

TARGET_MS = 50


def median_ms(call, repeats=15):
    call()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return 1e3 * statistics.median(samples)


def story_slider_move():
    """Ch. 3, live: every slider of the boss-raise story calls this (compute, move bars, PNG)."""
    widget = story_widgets.live_story_widget()
    review = widget.sliders[("x", 1)]
    values = itertools.cycle([v / 10 for v in range(-10, 11)])

    def move():
        review.value = next(values)  # observe() runs widget.refresh

    return move


def gradient_flow_view():
    """Ch. 2, one view of the gradient-flow explorer: three models' gradients and the plot."""

    def render():
        curves = {"RNN": gradient_flow.gradient_flow("rnn", weight_scale=1.0)}
        for kind in ("lstm", "gru"):
            curves[kind.upper()] = gradient_flow.gradient_flow(kind, keep_bias=2.0)
        plt.close(gradient_plots.plot_gradient_flow(curves))

    return render


def pulse_view():
    """Ch. 1, one view of the memory-pulse explorer: a 25-step one-unit RNN and its plot."""
    return lambda: plt.close(memory.plot_pulse_memory(0.9, 1.0))


def story_explorer_view():
    """Ch. 3, one view of the kernel-free story explorer (numbers and bars as HTML)."""
    return lambda: story_widgets.story_html(story.story_step(b_f=(2.0, 2.0)))


CASES = [
    ("ch3 story, live slider move", story_slider_move, "live"),
    ("ch3 story explorer, one view", story_explorer_view, "build"),
    ("ch2 gradient flow, one view", gradient_flow_view, "build"),
    ("ch1 memory pulse, one view", pulse_view, "build"),
]


def main():
    print(f"{'callback':34} {'kind':6} {'median ms':>10}  (live target < {TARGET_MS} ms)")
    for name, make, kind in CASES:
        print(f"{name:34} {kind:6} {median_ms(make()):>10.1f}", flush=True)


if __name__ == "__main__":
    main()
