"""The playground's claim over seeds: the runs of book/experiments/playground_seeds.py.

Each row of ``playground_seeds.json`` is one run of the playground's training code at its
default settings with ``lag``, ``cell`` and ``seed`` changed: the update it learned at
(held-out accuracy 0.95; None if it never did within the run's 1500 updates) and the
held-out accuracy at the end. The playground page shows them as one table and quotes
the counts.

    by_run = summary(load(RESULTS_PATH)["rows"])      # {(lag, cell): Outcome}
    HTML(table_html(by_run))
"""

import html
import json
import statistics
from dataclasses import dataclass
from pathlib import Path

RESULTS_PATH = Path(__file__).resolve().parents[2] / "book/experiments/playground_seeds.json"
CELL_NAMES = {"lstm": "LSTM", "gru": "GRU", "rnn": "RNN (tanh)"}


@dataclass(frozen=True)
class Outcome:
    """The runs of one lag and cell: when each learned, how the others ended."""

    learned_at: tuple  # the updates at which the runs that learned did, sorted
    failed_accuracy: tuple  # the final held-out accuracy of each run that did not learn

    @property
    def runs(self):
        return len(self.learned_at) + len(self.failed_accuracy)

    @property
    def count(self):
        """ "4 of 6": how many of the runs learned."""
        return f"{len(self.learned_at)} of {self.runs}"


def load(path):
    """{"settings": the settings shared by every run, "rows": [one dict per run]}."""
    results = json.loads(Path(path).read_text(encoding="utf-8"))
    if set(results) != {"settings", "rows"}:
        raise ValueError(f"{path}: expected the keys settings and rows, got {sorted(results)}")
    return results


def summary(rows):
    """{(lag, cell): Outcome} over the seeds of each lag and cell."""
    grouped = {}
    for row in rows:
        learned, failed = grouped.setdefault((row["lag"], row["cell"]), ([], []))
        if row["learned_at"] is None:
            failed.append(row["accuracy"])
        else:
            learned.append(row["learned_at"])
    return {key: Outcome(tuple(sorted(a)), tuple(b)) for key, (a, b) in grouped.items()}


def describe(outcome):
    """One table cell: "6 of 6, at update 60 to 140 (median 60)" and how the others ended."""
    parts = [outcome.count]
    if outcome.learned_at:
        first, last = outcome.learned_at[0], outcome.learned_at[-1]
        median = statistics.median(outcome.learned_at)
        if first == last:
            parts.append(f"at update {first}")
        else:
            parts.append(f"at update {first} to {last} (median {median:g})")
    if outcome.failed_accuracy:
        ends = ", ".join(f"{a:.2f}" for a in outcome.failed_accuracy)
        parts.append(f"the others end at held-out accuracy {ends}")
    return "; ".join(parts)


def table_html(by_run):
    """An HTML table: a row per cell, a column per lag, each entry ``describe``'s text."""
    lags = sorted({lag for lag, _ in by_run})
    cells = [c for c in CELL_NAMES if any(cell == c for _, cell in by_run)]
    seeds = {outcome.runs for outcome in by_run.values()}
    style = 'style="padding: 2px 6px; text-align: left; vertical-align: top"'
    head = "".join(f"<th {style}>lag {lag}</th>" for lag in lags)
    body = "".join(
        f"<tr><th {style}>{CELL_NAMES[cell]}</th>"
        + "".join(f"<td {style}>{html.escape(describe(by_run[lag, cell]))}</td>" for lag in lags)
        + "</tr>"
        for cell in cells
    )
    caption = (
        "Runs that learned (held-out accuracy at least 0.95, measured every 20 updates, "
        "before the run ended), of "
        f"{' or '.join(map(str, sorted(seeds)))} seeds for each cell and lag"
    )
    return (
        '<div style="overflow-x: auto"><table class="compare-table" style="font-size: 0.9em">'
        f"<caption>{caption}</caption><tr><th></th>{head}</tr>{body}</table></div>"
    )


def published(by_run):
    """The numbers the page quotes: {"lag40_rnn": "2 of 6", "lag40_rnn_first": "600", ...}."""
    values = {}
    for (lag, cell), outcome in by_run.items():
        values[f"lag{lag}_{cell}"] = outcome.count
        if outcome.learned_at:
            values[f"lag{lag}_{cell}_first"] = str(outcome.learned_at[0])
            values[f"lag{lag}_{cell}_last"] = str(outcome.learned_at[-1])
    return values
