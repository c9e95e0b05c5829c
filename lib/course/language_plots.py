"""Chapter 7's figures: learning curves, gate traces, agreement, connectivity against distance."""

import matplotlib.pyplot as plt
import numpy as np

from .inside import influence_by_distance
from .style import GATE_COLORS, MODEL_COLORS


def _band(ax, x, runs, color, label):
    """The mean of ``runs`` (seeds, points) as a line, their range as a shaded band."""
    runs = np.asarray(runs, float)
    ax.plot(x, runs.mean(axis=0), color=color, lw=2, label=label)
    ax.fill_between(x, runs.min(axis=0), runs.max(axis=0), color=color, alpha=0.25, lw=0)


def cell_comparison(results):
    """Validation loss against training windows for each cell of ``compare_cells.json``."""
    fig, ax = plt.subplots(figsize=(6.5, 4.6))
    for cell, run in results["runs"].items():
        seeds = list(run["seeds"].values())
        label = f"{cell}: H = {run['hidden_size']}, {run['parameters']:,} parameters"
        _band(ax, seeds[0]["windows"], [s["valid_loss"] for s in seeds], MODEL_COLORS[cell], label)
    ax.set_xlabel("training windows (64 characters x 32 streams)")
    ax.set_ylabel("validation loss\n(nats / char)")
    ax.grid(alpha=0.3)
    # below the axes, one model a line: inside, the labels would cover the curves
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=1, frameon=False)
    fig.tight_layout()
    return fig


def epoch_curves(record):
    """Training and validation loss per epoch of the chapter's large LSTM."""
    fig, ax = plt.subplots(figsize=(6, 3.2))
    epochs = np.arange(1, len(record["train_loss"]) + 1)
    ax.plot(epochs, record["train_loss"], "o-", color=GATE_COLORS["c"], label="training")
    ax.plot(epochs, record["valid_loss"], "s-", color=GATE_COLORS["o"], label="validation")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss (nats / char)")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def gate_trace(passage, trace, unit, start, stop):
    """Cell state and gates of one unit over passage[start:stop], characters on the x-axis."""
    fig, axes = plt.subplots(2, 1, figsize=(7, 4.6), sharex=True)
    steps = np.arange(start, stop)
    axes[0].plot(steps, trace["c"][start:stop, unit], color=GATE_COLORS["c"], lw=2)
    axes[0].set_ylabel(f"cell state c[{unit}]")
    for gate in "ifo":
        axes[1].plot(
            steps, trace[gate][start:stop, unit], color=GATE_COLORS[gate], label=f"{gate} gate"
        )
    axes[1].set_ylabel("gate value")
    axes[1].set_ylim(-0.05, 1.05)
    # above the gate panel, outside it: inside, it would cover the traces
    axes[1].legend(ncol=3, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    axes[1].set_xticks(steps)
    labels = ["↵" if ch == "\n" else "␣" if ch == " " else ch for ch in passage[start:stop]]
    axes[1].set_xticklabels(labels, fontsize=12)
    for ax in axes:
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def agreement_by_distance(record):
    """Test accuracy against the number of misleading attractors, per cell (band = seeds)."""
    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    distances = record["distances"]
    for cell, scores in record["accuracy"].items():
        runs = np.array([scores[str(d)] for d in distances]).T  # (seeds, distances)
        _band(ax, distances, runs, MODEL_COLORS[cell], cell)
    ax.axhline(0.5, color="k", ls=":", lw=1, label="chance")
    ax.set_xlabel("attractors between subject and verb")
    ax.set_ylabel("accuracy on the verb's number")
    ax.set_ylim(0.3, 1.05)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def number_unit(sentences, traces, unit, titles):
    """The number unit's cell state and forget gate along sentences (lists of words).

    One sentence under the other, cell state above forget gate: side by side, a phone
    screen would shrink the words to unreadable size.
    """
    fig, axes = plt.subplots(
        2 * len(sentences),
        1,
        figsize=(7, 4.6 * len(sentences)),
        gridspec_kw={"height_ratios": [1.4, 1] * len(sentences)},
    )
    cell_states = np.concatenate([trace["c"][:, unit] for trace in traces])
    for row, (words, trace, title) in enumerate(zip(sentences, traces, titles)):
        top, bottom = axes[2 * row], axes[2 * row + 1]
        steps = np.arange(len(words))
        top.plot(steps, trace["c"][:, unit], "o-", color=GATE_COLORS["c"])
        top.axhline(0, color="k", lw=0.5)
        top.set_ylim(cell_states.min() - 0.3, cell_states.max() + 0.3)
        top.set_ylabel(f"cell state\nc[{unit}]")
        top.set_title(title, loc="left")
        top.set_xticks(steps)
        top.set_xticklabels([])
        bottom.plot(steps, trace["f"][:, unit], "o-", color=GATE_COLORS["f"])
        bottom.set_ylim(0, 1.05)
        bottom.set_ylabel(f"forget gate\nf[{unit}]")
        bottom.set_xticks(steps)
        bottom.set_xticklabels(words, rotation=90)
    for ax in axes:
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def connectivity_by_distance(matrices, max_distance=41):
    """Mean connectivity against how far back the character is, per cell, each scaled to 1."""
    fig, ax = plt.subplots(figsize=(6.5, 3.4))
    for cell, matrix in matrices.items():
        relative = influence_by_distance(matrix, max_distance)
        ax.semilogy(range(max_distance), relative, color=MODEL_COLORS[cell], lw=2, label=cell)
    ax.set_xlabel("how many characters back")
    ax.set_ylabel("influence on the prediction\n(relative to the\ncurrent character)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    return fig
