"""The synthetic tasks: shapes, dtypes, determinism by seed and labels correct by construction."""

import numpy as np
import pytest

from lib import backend, tasks


def host(*arrays):
    return [backend.to_numpy(a) for a in arrays]


@pytest.mark.parametrize(
    "make",
    [
        lambda seed: tasks.delayed_recall(20, 5, seed=seed),
        lambda seed: tasks.adding_problem(20, 10, seed=seed),
        lambda seed: tasks.first_words_review(20, 15, seed=seed)[:2],
        lambda seed: (tasks.seasonal_series(50, seed=seed),),
        lambda seed: tasks.future_context(20, 8, seed=seed),
        lambda seed: tasks.agreement(20, (0, 3), seed=seed)[:3],
        lambda seed: tasks.selective_copying(20, 12, seed=seed),
    ],
)
def test_same_seed_same_data(make):
    first, again, other = host(*make(7)), host(*make(7)), host(*make(8))
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(first, other, strict=True))


def test_tasks_return_backend_arrays():
    x, y = tasks.delayed_recall(4, 2, seed=0)
    assert backend.is_backend_array(x) and backend.is_backend_array(y)


def test_delayed_recall():
    x, y = host(*tasks.delayed_recall(500, 6, n_symbols=3, n_distractors=5, seed=0))
    assert x.shape == (500, 7, 8) and x.dtype == np.float32
    assert y.shape == (500,) and y.dtype == np.int64
    assert np.array_equal(x.sum(axis=-1), np.ones((500, 7)))  # one-hot
    assert np.array_equal(x[:, 0].argmax(axis=-1), y)
    assert y.max() < 3 and set(np.unique(y)) == {0, 1, 2}
    assert (x[:, 1:].argmax(axis=-1) >= 3).all()  # distractors only after step 0


def test_adding_problem():
    x, y = host(*tasks.adding_problem(300, 9, seed=0))
    assert x.shape == (300, 9, 2) and y.shape == (300, 1)
    assert x.dtype == y.dtype == np.float32
    values, markers = x[..., 0], x[..., 1]
    assert ((values >= 0) & (values < 1)).all()
    assert np.array_equal(markers[:, :4].sum(axis=1), np.ones(300))
    assert np.array_equal(markers[:, 4:].sum(axis=1), np.ones(300))
    np.testing.assert_allclose(y[:, 0], (values * markers).sum(axis=1), rtol=1e-6)


def test_first_words_review():
    x, y, vocabulary = tasks.first_words_review(200, 12, seed=0, n_keywords=3)
    x, y = host(x, y)
    assert x.shape == (200, 12, len(vocabulary)) and x.dtype == np.float32
    assert y.shape == (200,) and y.dtype == np.int64 and set(np.unique(y)) == {0, 1}
    words = [tasks.decode(review, vocabulary).split() for review in x]
    for review, label in zip(words, y, strict=True):
        own, other = (
            (tasks.POSITIVE_WORDS, tasks.NEGATIVE_WORDS)
            if label
            else (tasks.NEGATIVE_WORDS, tasks.POSITIVE_WORDS)
        )
        assert all(word in own for word in review[:3])
        body = review[3:]
        assert sum(word in other for word in body) == 3  # the misleading complaints
        assert not any(word in own for word in body)


def test_first_words_review_controls_change_only_the_later_sentiment_words():
    ordinary, y, vocabulary = tasks.first_words_review(300, 20, seed=4)
    ordinary, y = host(ordinary, y)
    words = {"opposite": [tasks.decode(r, vocabulary).split() for r in ordinary]}
    for later in ("none", "same"):
        x, y_control, _ = tasks.first_words_review(300, 20, seed=4, later=later)
        x, y_control = host(x, y_control)
        assert np.array_equal(y_control, y)  # same labels, same openings, same filler
        words[later] = [tasks.decode(review, vocabulary).split() for review in x]
    sentiment = set(tasks.POSITIVE_WORDS + tasks.NEGATIVE_WORDS)
    for k, label in enumerate(y):
        own = tasks.POSITIVE_WORDS if label else tasks.NEGATIVE_WORDS
        places = [t for t, word in enumerate(words["opposite"][k]) if t >= 3 and word in sentiment]
        assert len(places) == 3
        for later in ("none", "same"):
            changed = [t for t in range(20) if words[later][k][t] != words["opposite"][k][t]]
            assert changed == places  # only the three later sentiment words differ
            body = words[later][k][3:]
            if later == "none":
                assert not sentiment.intersection(body)
            else:  # the last sentiment word agrees with the opening: flipping it fails
                assert [w for w in body if w in sentiment] == [words[later][k][t] for t in places]
                assert all(words[later][k][t] in own for t in places)


def test_decode_accepts_ids_and_one_hot():
    vocabulary = ["a", "b", "c"]
    assert tasks.decode(backend.asarray([2, 0, 1]), vocabulary) == "c a b"
    assert tasks.decode(backend.xp().eye(3)[[1, 1]], vocabulary) == "b b"
    with pytest.raises(ValueError, match="one review"):
        tasks.decode(backend.xp().zeros((2, 3, 3)), vocabulary)


def test_seasonal_series_and_windows():
    (series,) = host(tasks.seasonal_series(120, period=12, trend=0.0, noise=0.0, seed=0))
    assert series.shape == (120,) and series.dtype == np.float32
    np.testing.assert_allclose(series[12:], series[:-12], atol=1e-5)  # one season repeats
    rising = host(tasks.seasonal_series(120, trend=0.05, noise=0.0))[0]
    assert rising[-12:].mean() > rising[:12].mean() + 5
    x, y = host(*tasks.sliding_windows(backend.asarray(series), 5))
    assert x.shape == (115, 5, 1) and y.shape == (115, 1)
    assert np.array_equal(x[10, :, 0], series[10:15]) and y[10, 0] == series[15]
    with pytest.raises(ValueError, match="shorter than the series"):
        tasks.sliding_windows(backend.asarray(series), 120)


def test_future_context():
    x, y, needs_future = host(*tasks.future_context(300, 10, n_symbols=4, seed=0))
    assert x.shape == (300, 10, 5) and x.dtype == np.float32
    assert y.shape == needs_future.shape == (300, 10)
    assert y.dtype == np.int64 and needs_future.dtype == bool
    symbols = x[..., :4].argmax(axis=-1)
    assert np.array_equal(x[..., 4].astype(bool), needs_future)
    assert needs_future[:, 0].all() and not needs_future[:, -1].any()
    assert 0.3 < needs_future[:, 1:-1].mean() < 0.7
    nxt, prev = symbols[:, 2:], symbols[:, :-2]
    middle = needs_future[:, 1:-1]
    assert np.array_equal(y[:, 1:-1], np.where(middle, nxt, prev))
    assert np.array_equal(y[:, 0], symbols[:, 1]) and np.array_equal(y[:, -1], symbols[:, -2])


def test_selective_copying():
    x, y = host(*tasks.selective_copying(400, 12, n_tokens=3, n_symbols=5, seed=0))
    assert x.shape == (400, 15, 7) and x.dtype == np.float32
    assert y.shape == (400, 3) and y.dtype == np.int64 and set(np.unique(y)) == set(range(5))
    assert np.array_equal(x.sum(axis=-1), np.ones((400, 15)))  # one-hot
    symbols = x.argmax(axis=-1)
    assert (symbols[:, 12:] == 6).all()  # the recall markers close every sequence
    body = symbols[:, :12]
    assert ((body < 5).sum(axis=1) == 3).all() and ((body == 5).sum(axis=1) == 9).all()
    for row, tokens in zip(body, y, strict=True):
        assert np.array_equal(row[row < 5], tokens)  # the answer: the data tokens in order
    places = np.argwhere(body < 5)[:, 1].reshape(400, 3)
    assert len(np.unique(places[:, 0])) > 5  # the tokens move from sequence to sequence


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: tasks.delayed_recall(0, 3), "n must be a positive integer"),
        (lambda: tasks.adding_problem(5, 1), "at least 2"),
        (lambda: tasks.first_words_review(5, 3, n_keywords=3), "must exceed"),
        (lambda: tasks.first_words_review(5, 9, later="mixed"), "later must be one of"),
        (lambda: tasks.future_context(5, 1), "at least 2"),
        (lambda: tasks.selective_copying(5, 3, n_tokens=4), "at least n_tokens"),
        (lambda: tasks.selective_copying(5, 8, n_symbols=0), "n_symbols must be a positive"),
        (lambda: tasks.sliding_windows(backend.xp().zeros((4, 2)), 2), "1 dimensions"),
    ],
)
def test_task_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_agreement_labels_follow_the_subject():
    ids, lengths, y, vocabulary = tasks.agreement(300, (0, 4), mismatch=1.0, seed=0)
    ids, lengths, y = host(ids, lengths, y)
    assert ids.dtype == lengths.dtype == y.dtype == np.int64
    assert ids.shape == (300, lengths.max()) and set(np.unique(y)) == {0, 1}
    assert vocabulary[0] == "<pad>"
    nouns = set(tasks.AGREEMENT_NOUNS)
    for row, length, label in zip(ids, lengths, y):
        assert not row[length:].any() and row[:length].all()  # padding after, none inside
        words = tasks.decode(row[:length], vocabulary).split()
        numbers = [w.endswith("s") for w in words if w.rstrip("s") in nouns]
        assert numbers[0] == bool(label)  # the subject decides
        assert all(n != numbers[0] for n in numbers[1:])  # mismatch=1: every attractor misleads
        assert len(numbers) - 1 == words.count("the") - 1  # one noun per "the"


def test_agreement_attractor_counts():
    ids, lengths, _, vocabulary = tasks.agreement(200, 2, mismatch=0.0, seed=1)
    ids, lengths = host(ids, lengths)
    assert ((ids == vocabulary.index("the")).sum(axis=1) == 3).all()  # subject, 2 attractors
    # "the [adj] noun" then twice "prep the [adj] noun"; adjectives come and go
    assert (lengths.min(), lengths.max()) == (2 + 2 * 3, 3 + 2 * 4)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n_attractors": -1}, "n_attractors"),
        ({"n_attractors": (3, 1)}, "n_attractors"),
        ({"n_attractors": 1.5}, "n_attractors"),
        ({"n_attractors": 1, "mismatch": 1.5}, "mismatch"),
    ],
)
def test_agreement_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        tasks.agreement(10, **kwargs)
