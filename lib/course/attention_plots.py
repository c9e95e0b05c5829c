"""Chapter 8's pictures of attention and of the accuracy sweep.

plot_recall_weights(ax, model.weights, x)     # where an LSTM + attention looked
plot_review_weights(ax, weights, words)       # the same on a long review
plot_accuracy(ax, summary(rows, "recall"), x_label="lag")
"""

import numpy

from lib import backend

from .scan_plots import COLORS


def plot_recall_weights(ax, weights, x, examples=6, n_symbols=4):
    """A heatmap of attention weights: one row per example, one column per step.

    weights: (batch, 1, seq_len) from ``AttentionClassifier.attention_weights``; x: the inputs
    (batch, seq_len, features), one-hot, used to mark the step that holds the symbol.
    """
    weights = backend.to_numpy(weights)[:examples, 0]
    symbols = backend.to_numpy(x)[:examples].argmax(axis=-1)
    image = ax.imshow(weights, aspect="auto", cmap="Blues", vmin=0, vmax=weights.max())
    for row, line in enumerate(symbols):
        for t in numpy.flatnonzero(line < n_symbols):
            ax.add_patch(_box(t, row))
    ax.set(xlabel="step (the symbol to recall is at step 0, boxed)", ylabel="example")
    ax.set_yticks(range(len(weights)))
    return image


def _box(column, row):
    from matplotlib.patches import Rectangle

    return Rectangle((column - 0.5, row - 0.5), 1, 1, fill=False, edgecolor="#d62728", lw=1.5)


def plot_review_weights(ax, weights, words, width=8):
    """One review's words laid out in rows, each shaded by the attention it received."""
    weights = backend.to_numpy(weights).ravel()
    shade = weights / weights.max()
    for index, (word, level) in enumerate(zip(words, shade)):
        row, column = divmod(index, width)
        ax.text(column, -row, word, ha="center", va="center", fontsize=9,
                color="white" if level > 0.6 else "black",
                bbox={"boxstyle": "round,pad=0.25", "facecolor": (0.12, 0.47, 0.71, level),
                      "edgecolor": "none"})  # fmt: skip
    rows = (len(words) + width - 1) // width
    ax.set_xlim(-0.6, width - 0.4)
    ax.set_ylim(-rows + 0.4, 0.6)
    ax.axis("off")


MARKERS = {"GRU": "o", "LSTM": "s", "minGRU": "^", "minGRU x2": "v", "attention": "D"}


def plot_accuracy(ax, table, x_label, chance=None, models=None):
    """Mean test accuracy against task size, one line per model, bars = one std over seeds.

    table: {model: {size: (mean, std, n)}} (``sequence_models.summary``). Each model has
    its own marker and is shifted a little sideways, so that lines at the same accuracy
    (several models reach 1.0) stay visible side by side.
    """
    shown = [name for name in (models or table) if name in table]
    for k, name in enumerate(shown):
        sizes = sorted(table[name])
        shift = 2 ** (0.1 * (k - (len(shown) - 1) / 2))  # the x axis is logarithmic
        means = [table[name][s][0] for s in sizes]
        stds = [table[name][s][1] for s in sizes]
        ax.errorbar([s * shift for s in sizes], means, yerr=stds, lw=2, capsize=3,
                    marker=MARKERS.get(name, "P"), color=COLORS[name], label=name)  # fmt: skip
        sizes_all = sizes
    if chance is not None:
        ax.axhline(chance, color="grey", ls=":", lw=1)
        # under the line at the right end: above it, a failing run's trace would cover it
        ax.text(sizes_all[-1], chance - 0.03, "chance", color="grey", ha="right", va="top")
    ax.set_xscale("log", base=2)
    ax.set_xticks(sizes_all, [str(s) for s in sizes_all])
    ax.minorticks_off()
    ax.set(xlabel=x_label, ylabel="test accuracy", ylim=(0, 1.05))


def accuracy_table_html(table, models, title):
    """An HTML table for one task: a row per model, a column per size, "mean ± std".

    The std goes under the mean, so that the table fits a phone's width.
    table: {model: {size: (mean, std, n)}}; models missing from it are left out.
    """
    sizes = _sizes(table)
    cell = 'style="padding: 2px 6px; text-align: right"'
    head = "".join(f"<th {cell}>{title} {size}</th>" for size in sizes)
    body = ""
    for name in (m for m in models if m in table):
        values = [table[name].get(size) for size in sizes]
        cells = ["" if v is None else f"{v[0]:.2f}<br><small>± {v[1]:.2f}</small>" for v in values]
        body += f"<tr><th {cell}>{name}</th>" + "".join(f"<td {cell}>{c}</td>" for c in cells)
        body += "</tr>"
    table_html = (
        f'<table class="compare-table" style="font-size: 0.9em">'
        f"<tr><th></th>{head}</tr>{body}</table>"
    )
    return f'<div style="overflow-x: auto">{table_html}</div>'


def _sizes(table):
    return sorted({size for by_size in table.values() for size in by_size})
