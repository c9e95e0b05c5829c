"""Chapter 2's long-review experiment: does a model remember how a review opened, or does
it flip the last sentiment word?

``lib.tasks.first_words_review`` labels a long review by its first three words, and puts
three words of the opposite sentiment later on ("love great excellent ... broken ...").
A model can classify such reviews perfectly without remembering the opening: the label
is always the opposite of the last sentiment word, which is usually a few steps back.
Two controls close that shortcut. They are the same test reviews (same seed), changed
only where the later sentiment words stand:

- "none": neutral filler there, so nothing after the opening carries sentiment;
- "same": words of the opening's own sentiment there, so flipping the last sentiment
  word is always wrong (a model that flips scores near 0, one that remembers near 1).

::

    models = {"LSTM": lambda input_size, hidden_size, seed: lib.LSTM(...), ...}
    scores = train_on_reviews(models, seeds=(0, 1, 2))   # {model: {test set: (seeds,)}}
    print(score_table(scores))
    plot_review_scores(scores)
"""

import matplotlib.pyplot as plt
import numpy

import lib
from lib import tasks

TEST_SETS = {  # lib.tasks.first_words_review(later=...): how the chapter names each set
    "opposite": "ordinary reviews",
    "none": "control: no sentiment later",
    "same": "control: later words agree",
}
REVIEW_TRAINING = {
    "n_train": 600,
    "n_test": 300,
    "length": 60,
    "hidden_size": 16,
    "epochs": 8,
    "batch_size": 30,
    "lr": 1e-2,
    "clip": 1.0,
}


def review_sets(training=None):
    """The training reviews (seed 1) and the three test sets (seed 2): {name: (x, y)}.

    training: overrides of ``REVIEW_TRAINING`` (n_train, n_test, length are used here).
    Returns (train, tests) with tests keyed like ``TEST_SETS``.
    """
    settings = {**REVIEW_TRAINING, **(training or {})}
    x, y, _ = tasks.first_words_review(settings["n_train"], settings["length"], seed=1)
    tests = {}
    for later in TEST_SETS:
        x_test, y_test, _ = tasks.first_words_review(
            settings["n_test"], settings["length"], seed=2, later=later
        )
        tests[later] = (x_test, y_test)
    return (x, y), tests


def train_on_reviews(models, seeds, training=None):
    """Train every model once per seed on the same reviews; score it on every test set.

    models: {name: make(input_size, hidden_size, seed)}, each returning a lib RNN, LSTM
    or GRU built with batch_first=True (the model's start: its initialisation). Each run
    puts ``lib.SequenceClassifier`` on top and trains with Adam and gradient clipping
    (``REVIEW_TRAINING``, overridden by ``training``); the seed sets the weights and the
    order of the batches. Returns {name: {test set: accuracies, an array (len(seeds),)}}.
    """
    settings = {**REVIEW_TRAINING, **(training or {})}
    train, tests = review_sets(settings)
    input_size = len(tasks.VOCABULARY)
    scores = {}
    for name, make in models.items():
        scores[name] = {later: numpy.empty(len(seeds)) for later in tests}
        for k, seed in enumerate(seeds):
            model = lib.SequenceClassifier(
                make(input_size, settings["hidden_size"], seed), 2, seed=seed
            )
            lib.fit(
                model,
                train,
                lib.cross_entropy,
                lib.Adam(model.modules, lr=settings["lr"]),
                epochs=settings["epochs"],
                batch_size=settings["batch_size"],
                clip=settings["clip"],
                progress=False,
                seed=seed,
            )
            for later, data in tests.items():
                scores[name][later][k] = lib.evaluate(model, data, lib.cross_entropy)["accuracy"]
    return scores


def score_table(scores):
    """The scores as text, narrow enough for a phone: per model, one line per test set
    with the mean ± standard deviation over the seeds."""
    labels = {later: name.removeprefix("control: ") for later, name in TEST_SETS.items()}
    width = max(len(label) for label in labels.values())
    rows = []
    for name, by_set in scores.items():
        rows.append(name)
        for later, accuracies in by_set.items():
            mean, std = accuracies.mean(), accuracies.std()
            rows.append(f"  {labels[later]:<{width}}  {mean:.2f} ± {std:.2f}")
    return "\n".join(rows)


_SET_STYLE = {  # test set: (colour, marker)
    "opposite": ("#333333", "o"),
    "none": ("#1f77b4", "s"),
    "same": ("#d62728", "^"),
}


def plot_review_scores(scores, chance=0.5):
    """Test accuracy per model (groups) and test set (colour and marker): each seed a dot,
    the mean a short bar. scores: as returned by ``train_on_reviews``."""
    fig, ax = plt.subplots(figsize=(7, 3.8))
    offsets = {later: 0.27 * (k - 1) for k, later in enumerate(_SET_STYLE)}
    for g, by_set in enumerate(scores.values()):
        for later, accuracies in by_set.items():
            color, marker = _SET_STYLE[later]
            x = g + offsets[later]
            spread = numpy.linspace(-0.07, 0.07, len(accuracies))
            label = TEST_SETS[later] if g == 0 else None
            style = {"color": color, "markerfacecolor": "none", "markersize": 6}
            ax.plot(x + spread, accuracies, marker, label=label, **style)
            ax.plot([x - 0.1, x + 0.1], [accuracies.mean()] * 2, color=color, linewidth=2.5)
    ax.axhline(chance, color="#999999", linestyle="--", linewidth=1)
    ax.text(len(scores) - 0.5, chance + 0.02, "chance", ha="right", va="bottom", color="#666666")
    ax.set_xticks(range(len(scores)), [name.replace(", ", ",\n") for name in scores])
    ax.set_xlim(-0.5, len(scores) - 0.5)
    ax.set_ylim(-0.04, 1.04)
    ax.set_ylabel("test accuracy")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=1, frameon=False)
    fig.tight_layout()
    return fig
