"""Chapter 8's pictures of cost: the sweeps of the parallel scan, and time per training step
against sequence length for a GRU, a minGRU and attention, measured with ``lib``.

    fig, ax = plt.subplots(); draw_sweeps(ax, steps=8, done=2)
    times = step_times([16, 64, 256])          # {model: [seconds per training step]}
    plot_step_times(ax, [16, 64, 256], times)
"""

import platform

import matplotlib.pyplot as plt
import numpy
from matplotlib.patches import FancyArrowPatch, Rectangle

from lib import backend, tasks
from lib.attention_models import SelfAttention
from lib.losses import cross_entropy
from lib.minimal_rnn import MinGRU
from lib.models import SequenceClassifier
from lib.recurrent import GRU, set_keep_gate_bias

from .comparison import time_per_step
from .sequence_models import KEEP_GATE_BIAS
from .style import MODEL_COLORS

COLORS = {
    "GRU": MODEL_COLORS["GRU"],
    "LSTM": MODEL_COLORS["LSTM"],
    "minGRU": "#2ca02c",
    "minGRU (scan)": "#2ca02c",
    "minGRU (loop)": "#98df8a",
    "minGRU x2": "#1b7a1b",
    "attention": "#1f77b4",
    "LSTM + attention": "#8c564b",
}
TIMED = ("GRU", "minGRU (scan)", "minGRU (loop)", "attention")


def spans_after(steps, sweeps):
    """For each step t, the first step its pair (a_t, b_t) covers after ``sweeps`` sweeps."""
    first = numpy.arange(steps)
    span = 1
    for _ in range(sweeps):
        first[span:] = first[:-span].copy()
        span *= 2
    return first


def draw_sweeps(ax, steps=8, done=0):
    """Steps as boxes labelled with the span of steps each one stands for after ``done``
    sweeps; arrows show the combinations of the next sweep (span 2^done). Steps are
    numbered from 1, as in the chapter (h_0 is the initial state, folded into b_1)."""
    first = spans_after(steps, done)
    span = 2**done
    for t in range(steps):
        complete = first[t] == 0
        ax.add_patch(
            Rectangle((t - 0.42, -0.35), 0.84, 0.7, facecolor="#d9f0d3" if complete else "white",
                      edgecolor="#2ca02c" if complete else "#555555", lw=1.4)
        )  # fmt: skip
        label = f"{first[t] + 1}..{t + 1}" if first[t] < t else f"{t + 1}"
        ax.text(t, 0, label, ha="center", va="center", fontsize=10)
        if t >= span and span < steps:
            bend = f"arc3,rad={-min(0.5, 0.6 / span)}"  # about the same height for every span
            ax.add_patch(
                FancyArrowPatch((t - span, 0.42), (t, 0.42), connectionstyle=bend,
                                arrowstyle="-|>", mutation_scale=9, color="#1f77b4", lw=1)
            )  # fmt: skip
    ax.set_xlim(-0.6, steps - 0.4)
    ax.set_ylim(-0.5, 1.0)
    ax.axis("off")
    when = "before the first sweep" if done == 0 else f"after {done} sweep{'s' * (done > 1)}"
    if span < steps:
        title = f"{when}; next sweep: every step t > {span} absorbs step t - {span}"
    else:
        title = f"{when}: every step spans back to step 1, so b_t is h_t"
    ax.set_title(title, fontsize=11, loc="left")


def _model(name, features, hidden, seed):
    """The layer to time, set up as in the chapter's sweep (keep gates biased open).

    The bias matters for speed too: with gates that keep about half the state per step,
    gradients shrink below float32's smallest normal number (1e-38) within about 130 steps,
    and a CPU computes with such subnormal numbers many times more slowly.
    """
    if name == "attention":
        return SelfAttention(features, hidden, seed=seed)
    if name == "GRU":
        layer = GRU(features, hidden, batch_first=True, seed=seed)
    else:
        scan = "parallel" if name == "minGRU (scan)" else "sequential"
        layer = MinGRU(features, hidden, batch_first=True, seed=seed, scan=scan)
    return set_keep_gate_bias(layer, KEEP_GATE_BIAS)


def step_times(lengths, models=TIMED, batch=16, hidden=64, repeats=3, seed=0):
    """{model: [seconds for one training step at each length]} on delayed-recall batches.

    One step is forward, loss, backward and an Adam update of a classifier with
    ``hidden`` units, on ``batch`` sequences; the best of ``repeats`` after a warm-up
    (``lib.course.comparison.time_per_step``).
    """
    times = {name: [] for name in models}
    for length in lengths:
        x, y = tasks.delayed_recall(batch, lag=length - 1, seed=seed)
        for name in models:
            model = SequenceClassifier(_model(name, x.shape[-1], hidden, seed), 4, seed=seed)
            times[name].append(time_per_step(model, x, y, cross_entropy, repeats=repeats))
    return times


def machine():
    """The computer the timings ran on, in words."""
    where = backend.name()
    return f"{platform.machine()} {platform.processor() or platform.system()}, backend {where}"


def plot_step_times(ax, lengths, times):
    """Log-log lines of milliseconds per training step against sequence length."""
    for name, seconds in times.items():
        ax.plot(lengths, 1000 * numpy.asarray(seconds), marker="o", lw=2,
                color=COLORS[name], label=name)  # fmt: skip
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(lengths, [str(n) for n in lengths])
    ax.minorticks_off()
    ax.set(xlabel="sequence length T", ylabel="ms per\ntraining step")
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))


def plot_slopes(ax, lengths, times):
    """Each model's time relative to its own time at the shortest length, with the lines
    T / T_0 (linear) and (T / T_0)^2 (quadratic) for reference, drawn on top in black so
    that no model's line hides them."""
    lengths = numpy.asarray(lengths, dtype=float)
    ratio = lengths / lengths[0]
    for name, seconds in times.items():
        seconds = numpy.asarray(seconds)
        ax.plot(lengths, seconds / seconds[0], marker="o", lw=2, color=COLORS[name], label=name)
    ax.plot(lengths, ratio, color="black", ls=":", lw=2, zorder=5, label="grows like T")
    ax.plot(lengths, ratio**2, color="black", ls="--", lw=1.5, zorder=5, label="grows like T²")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(lengths, [str(int(n)) for n in lengths])
    ax.minorticks_off()
    ax.set(xlabel="sequence length T", ylabel="time / time\nat the shortest T")
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))


def sweeps_figure(steps, done):
    """One sweep picture as its own figure (for the kernel-free explorer)."""
    fig, ax = plt.subplots(figsize=(7.5, 1.5), dpi=80)
    draw_sweeps(ax, steps, done)
    return fig
