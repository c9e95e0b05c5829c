"""The playground's data generators (lib/course/js/tasks.js) follow lib.tasks' rules and
distributions.

The page draws with its own small random generator (mulberry32), so it cannot give
lib's numbers for a seed; the comparison tests of the maths feed lib's batches to the
page instead. Here every rule a task guarantees is checked on each example (one-hot
rows, the label where it belongs, two markers one per half, the opening words, the
number of opposite words), and every frequency the task defines (labels, symbols,
marker positions, words, positions of the opposite words, the values' mean and
variance) is compared with lib's over many examples: the difference must stay within
5 standard errors of the two estimates.
"""

import numpy as np
import pytest

from lib import tasks

pytestmark = [pytest.mark.browser]

N = 20_000
SIGMAS = 5
WORDS = {
    "positive": len(tasks.POSITIVE_WORDS),
    "negative": len(tasks.NEGATIVE_WORDS),
    "neutral": len(tasks.NEUTRAL_WORDS),
}

# A batch of task `name` from seed, as compact arrays: the index of the one hot entry
# of every step (one-hot tasks) or the two channels (adding), and y.
GENERATE = """([name, seed, n, size, words]) => {
    const T = window.tasks;
    const rng = T.makeRng(seed);
    const batch = name === 'recall' ? T.delayedRecall(rng, n, size)
        : name === 'adding' ? T.addingProblem(rng, n, size)
        : T.firstWordsReview(rng, n, size, words);
    const {x, y, steps, features} = batch;
    const rows = n * steps;
    const hot = [], sums = [];
    for (let r = 0; r < rows; r++) {
        const row = x.subarray(r * features, (r + 1) * features);
        hot.push(row.indexOf(1));
        sums.push(row.reduce((a, b) => a + b, 0));
    }
    const values = name === 'adding' ? Array.from(x) : null;
    return {x: values, hot, sums, y: Array.from(y), steps, features};
}"""


@pytest.fixture(scope="module")
def page(module_page):
    return module_page("tasks.js", "tasks")[0]


def generate(page, name, size, seed=1, n=N):
    out = page.evaluate(GENERATE, [name, seed, n, size, WORDS])
    steps, features = out["steps"], out["features"]
    out["hot"] = np.array(out["hot"]).reshape(n, steps)
    out["sums"] = np.array(out["sums"]).reshape(n, steps)
    out["y"] = np.array(out["y"])
    if out["x"] is not None:
        out["x"] = np.array(out["x"]).reshape(n, steps, features)
    return out


def frequencies(values, bins):
    """Relative frequency of each of 0 .. bins - 1 in values."""
    return np.bincount(np.ravel(values), minlength=bins)[:bins] / np.size(values)


def assert_same_frequencies(js, lib, what):
    """Two histograms (from samples of size len) agree within SIGMAS standard errors."""
    (p, n_js), (q, n_lib) = js, lib
    error = np.sqrt(p * (1 - p) / n_js + q * (1 - q) / n_lib)
    bad = np.abs(p - q) > SIGMAS * error + 1e-12
    assert not bad.any(), f"{what}: page {np.round(p[bad], 4)}, lib {np.round(q[bad], 4)}"


def assert_same_mean(js, lib, what):
    js, lib = np.ravel(js), np.ravel(lib)
    error = np.sqrt(js.var() / js.size + lib.var() / lib.size)
    assert abs(js.mean() - lib.mean()) < SIGMAS * error, (
        f"{what}: page {js.mean():.4f}, lib {lib.mean():.4f}"
    )


def test_the_generator_is_seeded_and_uniform(page):
    draws = page.evaluate(
        """() => {
            const T = window.tasks;
            const take = (seed, n) => {
                const r = T.makeRng(seed);
                return Array.from({length: n}, r.random);
            };
            const ints = T.makeRng(3);
            let bad = null;
            try { T.makeRng(1.5); } catch (e) { bad = e.message; }
            return {a: take(7, 5), b: take(7, 5), c: take(8, 5), u: take(1, 100000),
                    ints: Array.from({length: 20000}, () => ints.integers(2, 7)), bad};
        }"""
    )
    assert draws["a"] == draws["b"], "the same seed must give the same numbers"
    assert draws["a"] != draws["c"], "different seeds must give different numbers"
    u = np.array(draws["u"])
    assert 0 <= u.min() and u.max() < 1
    assert abs(u.mean() - 0.5) < SIGMAS * np.sqrt(1 / 12 / u.size)
    assert abs(u.var() - 1 / 12) < 0.002
    ints = np.array(draws["ints"])
    assert set(ints) == {2, 3, 4, 5, 6}
    assert_same_frequencies(
        (frequencies(ints - 2, 5), ints.size), (np.full(5, 0.2), 10**9), "integers"
    )
    assert "seed must be an integer" in draws["bad"]


def test_delayed_recall_matches_lib(page):
    lag = 5
    js = generate(page, "recall", lag)
    x, y = tasks.delayed_recall(N, lag=lag, seed=1)
    lib_hot, lib_y = np.asarray(x).argmax(axis=-1), np.asarray(y)
    assert (js["sums"] == 1).all(), "every step must be one-hot"
    assert (js["hot"][:, 0] == js["y"]).all(), "step 0 holds the symbol to recall"
    assert ((js["hot"][:, 1:] >= 4) & (js["hot"][:, 1:] < 8)).all(), "distractors are 4..7"
    assert_same_frequencies((frequencies(js["y"], 4), N), (frequencies(lib_y, 4), N), "labels")
    distractors = js["hot"][:, 1:] - 4
    lib_distractors = lib_hot[:, 1:] - 4
    for t in range(lag):
        assert_same_frequencies(
            (frequencies(distractors[:, t], 4), N),
            (frequencies(lib_distractors[:, t], 4), N),
            f"distractors at step {t + 1}",
        )


def test_adding_problem_matches_lib(page):
    length = 10
    js = generate(page, "adding", length, n=N // 2)
    n = N // 2
    x, y = (np.asarray(a) for a in tasks.adding_problem(n, length, seed=1))
    values, markers = js["x"][..., 0], js["x"][..., 1]
    assert ((values >= 0) & (values < 1)).all()
    assert set(np.unique(markers)) == {0.0, 1.0}
    half = length // 2
    assert (markers[:, :half].sum(axis=1) == 1).all(), "one marker in the first half"
    assert (markers[:, half:].sum(axis=1) == 1).all(), "one marker in the second half"
    assert np.allclose(js["y"], (values * markers).sum(axis=1), atol=1e-12), "y is the marked sum"
    assert_same_mean(values, x[..., 0], "values")
    assert_same_mean(values**2, x[..., 0] ** 2, "squared values")
    assert_same_mean(js["y"], y[:, 0], "sums")
    assert_same_frequencies(
        (frequencies(markers.argmax(axis=1), length), n),
        (frequencies(x[..., 1].argmax(axis=1), length), n),
        "first marker position",
    )
    assert_same_frequencies(
        (frequencies(length - 1 - markers[:, ::-1].argmax(axis=1), length), n),
        (frequencies(length - 1 - x[:, ::-1, 1].argmax(axis=1), length), n),
        "second marker position",
    )


def test_first_words_review_matches_lib(page):
    length, keywords = 12, 3
    n = N // 2
    js = generate(page, "review", length, n=n)
    x, y, vocabulary = tasks.first_words_review(n, length, seed=1)
    lib_hot, lib_y = np.asarray(x).argmax(axis=-1), np.asarray(y)
    assert js["features"] == len(vocabulary)
    assert (js["sums"] == 1).all(), "every word is one-hot"
    positive, negative = WORDS["positive"], WORDS["negative"]

    def sentiment(ids):  # 1 positive, 0 negative, 2 neutral
        return np.where(ids < positive, 1, np.where(ids < positive + negative, 0, 2))

    kinds = sentiment(js["hot"])
    assert (kinds[:, :keywords] == js["y"][:, None]).all(), "the opening sets the label"
    opposite = kinds[:, keywords:] == 1 - js["y"][:, None]
    assert (opposite.sum(axis=1) == keywords).all(), "three words of the other sentiment"
    assert ((kinds[:, keywords:] == 2) | opposite).all(), "the rest is neutral"
    assert_same_frequencies((frequencies(js["y"], 2), n), (frequencies(lib_y, 2), n), "labels")
    words = len(vocabulary)
    assert_same_frequencies(
        (frequencies(js["hot"], words), js["hot"].size),
        (frequencies(lib_hot, words), lib_hot.size),
        "word frequencies",
    )
    lib_opposite = sentiment(lib_hot)[:, keywords:] == 1 - lib_y[:, None]
    assert_same_frequencies(
        (opposite.mean(axis=0), n),
        (lib_opposite.mean(axis=0), n),
        "places of the opposite words",
    )


def test_bad_arguments_are_refused_with_a_message(page):
    messages = page.evaluate(
        """() => {
            const T = window.tasks;
            const rng = T.makeRng(1);
            const attempt = (f) => { try { f(); return null; } catch (e) { return e.message; } };
            return [attempt(() => T.delayedRecall(rng, 4, 0)),
                    attempt(() => T.addingProblem(rng, 4, 1)),
                    attempt(() => T.firstWordsReview(rng, 4, 3,
                                                     {positive: 1, negative: 1, neutral: 1}))];
        }"""
    )
    assert "lag must be a positive integer" in messages[0]
    assert "at least 2" in messages[1]
    assert "must exceed nKeywords" in messages[2]
