"""Synthetic sequence tasks, generated in code from a seed (no downloads).

Every data set is batch-first, ``x: (n, seq_len, features)``, ready for a model built
with ``batch_first=True``. Generation uses ``numpy.random.default_rng(seed)`` on the
host, so a seed gives the same data on every backend; the results are then copied
to the backend in use.

Why this module is long: it is the course's one catalogue of data sets, each a short
generator with the same conventions (seeded, batch-first, checked arguments), kept side
by side so that a reader can compare them.
"""

import math

import numpy

from . import backend, checks

POSITIVE_WORDS = ("love", "great", "excellent", "amazing", "perfect", "wonderful")
NEGATIVE_WORDS = ("hate", "awful", "broken", "terrible", "useless", "disappointing")
NEUTRAL_WORDS = tuple(
    "the a it this product arrived on tuesday box and then with my phone color size cable "
    "battery screen manual shipping week after use i bought for sister".split()
)
VOCABULARY = POSITIVE_WORDS + NEGATIVE_WORDS + NEUTRAL_WORDS
LATER_WORDS = ("opposite", "none", "same")  # first_words_review's ordinary reviews and controls

AGREEMENT_NOUNS = tuple("key door king letter sword cabinet horse tower bell ship".split())
AGREEMENT_ADJECTIVES = tuple("old red small dark wooden golden".split())
AGREEMENT_PREPOSITIONS = tuple("to near behind by of on".split())
PAD = "<pad>"
AGREEMENT_VOCABULARY = (
    (PAD, "the")
    + AGREEMENT_NOUNS
    + tuple(noun + "s" for noun in AGREEMENT_NOUNS)
    + AGREEMENT_ADJECTIVES
    + AGREEMENT_PREPOSITIONS
)


def delayed_recall(n, lag, n_symbols=4, n_distractors=4, seed=None):
    """Show a symbol, then ``lag`` distractors; the label is the first symbol.

    x: (n, lag + 1, n_symbols + n_distractors) one-hot float32. Step 0 holds a target
    symbol in 0..n_symbols-1, steps 1..lag hold random distractors (indices
    n_symbols..). y: (n,) int64, the target symbol. Chance accuracy is 1 / n_symbols.
    """
    n, lag = checks.positive_int("n", n), checks.positive_int("lag", lag)
    n_symbols = checks.positive_int("n_symbols", n_symbols)
    n_distractors = checks.positive_int("n_distractors", n_distractors)
    rng = numpy.random.default_rng(seed)
    targets = rng.integers(n_symbols, size=n)
    distractors = rng.integers(n_symbols, n_symbols + n_distractors, size=(n, lag))
    symbols = numpy.concatenate([targets[:, None], distractors], axis=1)
    return _to_backend(_one_hot(symbols, n_symbols + n_distractors), targets)


def adding_problem(n, length, seed=None):
    """The adding problem (Hochreiter and Schmidhuber 1997): add the two marked numbers.

    x: (n, length, 2) float32: channel 0 random values in [0, 1), channel 1 a marker
    with exactly two 1s, one in each half of the sequence. y: (n, 1) float32, the sum
    of the two marked values. Always predicting 1 gives a mean squared error near 1/6.
    """
    n, length = checks.positive_int("n", n), checks.positive_int("length", length)
    if length < 2:
        raise ValueError(f"length must be at least 2 (one marker per half), got {length}")
    rng = numpy.random.default_rng(seed)
    values = rng.random((n, length))
    half = length // 2
    marked = numpy.stack([rng.integers(0, half, n), rng.integers(half, length, n)], axis=1)
    markers = numpy.zeros((n, length))
    numpy.put_along_axis(markers, marked, 1.0, axis=1)
    x = numpy.stack([values, markers], axis=-1).astype(numpy.float32)
    y = numpy.take_along_axis(values, marked, axis=1).sum(axis=1, keepdims=True)
    return _to_backend(x, y.astype(numpy.float32))


def first_words_review(n, length, seed=None, n_keywords=3, later="opposite"):
    """Long "reviews" whose label is set by their first ``n_keywords`` words.

    A review of label 1 opens with positive words ("love great excellent ..."), one of
    label 0 with negative words ("hate awful broken ..."). The rest is neutral filler
    in which up to ``n_keywords`` words of the *opposite* sentiment appear at random
    places ("I love it ... then the cable was broken"): they do not change the label,
    so counting sentiment words fails and a model must remember the opening.

    Those later words also open a shortcut: the label is always the opposite of the last
    sentiment word. ``later`` builds controls that close it, with the same seed giving
    the same reviews except at those places: "opposite" (the ordinary reviews above),
    "none" (neutral filler there: no sentiment after the opening) or "same" (words of the
    opening's own sentiment there: flipping the last sentiment word is always wrong).

    x: (n, length, len(vocabulary)) one-hot float32; y: (n,) int64;
    vocabulary: list of str, word id -> word (see ``decode``).
    """
    n, length = checks.positive_int("n", n), checks.positive_int("length", length)
    n_keywords = checks.positive_int("n_keywords", n_keywords)
    if length <= n_keywords:
        raise ValueError(f"length ({length}) must exceed n_keywords ({n_keywords})")
    if later not in LATER_WORDS:
        raise ValueError(f"later must be one of {LATER_WORDS}, got {later!r}")
    rng = numpy.random.default_rng(seed)
    labels = rng.integers(2, size=n)
    positive = _word_ids(rng, POSITIVE_WORDS, (n, length))
    negative = _word_ids(rng, NEGATIVE_WORDS, (n, length))
    neutral = _word_ids(rng, NEUTRAL_WORDS, (n, length))
    is_positive = labels[:, None] == 1
    own = numpy.where(is_positive, positive, negative)  # words of the review's sentiment
    other = numpy.where(is_positive, negative, positive)  # words of the opposite one
    opening = numpy.arange(length) < n_keywords  # (length,)
    body = length - n_keywords
    shuffled = rng.random((n, body)).argsort(axis=1)  # a random order of the body positions
    complaints = numpy.zeros((n, length), dtype=bool)
    places = n_keywords + shuffled[:, : min(n_keywords, body)]
    numpy.put_along_axis(complaints, places, True, axis=1)
    later_ids = {"opposite": other, "none": neutral, "same": own}[later]
    ids = numpy.where(opening, own, numpy.where(complaints, later_ids, neutral))
    return (*_to_backend(_one_hot(ids, len(VOCABULARY)), labels), list(VOCABULARY))


def decode(ids, vocabulary):
    """A review as text: ``ids`` (length,) word ids, or (length, vocab_size) one-hot rows."""
    ids = backend.to_numpy(ids)
    if ids.ndim == 2:
        ids = ids.argmax(axis=-1)
    if ids.ndim != 1:
        raise ValueError(
            f"ids should be one review, (length,) or (length, vocab_size), got shape {ids.shape}"
        )
    return " ".join(vocabulary[int(i)] for i in ids)


def seasonal_series(n_steps, period=12, trend=0.02, noise=0.1, seed=None):
    """A sales-like monthly series: level + trend + seasonal shape + noise.

        s_t = 1 + trend t + 0.5 sin(2 pi t / period) + 0.2 sin(4 pi t / period) + noise e_t,

    e_t ~ N(0, 1). Returns series: (n_steps,) float32.
    """
    n_steps = checks.positive_int("n_steps", n_steps)
    period = checks.positive_int("period", period)
    rng = numpy.random.default_rng(seed)
    t = numpy.arange(n_steps)
    phase = 2 * math.pi * t / period
    seasonal = 0.5 * numpy.sin(phase) + 0.2 * numpy.sin(2 * phase)
    series = 1.0 + trend * t + seasonal + noise * rng.standard_normal(n_steps)
    return _to_backend(series.astype(numpy.float32))[0]


def sliding_windows(series, window):
    """Cut a series into (window -> next value) pairs for one-step-ahead forecasting.

    series: (n_steps,). Returns x: (n_steps - window, window, 1) with x[i, :, 0] =
    series[i : i + window], and y: (n_steps - window, 1) with y[i, 0] = series[i + window].
    Both float32.
    """
    series = checks.array("series", series, "float32", ndim=1, layout="(n_steps,)")
    window = checks.positive_int("window", window)
    count = series.shape[0] - window
    if count < 1:
        raise ValueError(
            f"window ({window}) must be shorter than the series ({series.shape[0]} steps)"
        )
    xp = backend.xp()
    index = xp.arange(count)[:, None] + xp.arange(window)[None, :]  # (count, window)
    return series[index][..., None], series[window:, None]


def future_context(n, length, n_symbols=4, seed=None):
    """Label each position with its previous or its next symbol, as a flag says.

    s_t random symbols; flag_t random, except flag_0 = 1 (no past) and
    flag_{length-1} = 0 (no future); y_t = s_{t+1} if flag_t else s_{t-1}.
    x: (n, length, n_symbols + 1) float32, one-hot s_t plus flag_t as the last feature;
    y: (n, length) int64; needs_future: (n, length) bool, the flag. A left-to-right
    model can only guess (chance 1 / n_symbols) where needs_future is True; a
    bidirectional one can label every position.
    """
    n, length = checks.positive_int("n", n), checks.positive_int("length", length)
    n_symbols = checks.positive_int("n_symbols", n_symbols)
    if length < 2:
        raise ValueError(f"length must be at least 2 (a past and a future), got {length}")
    rng = numpy.random.default_rng(seed)
    symbols = rng.integers(n_symbols, size=(n, length))
    flags = rng.random((n, length)) < 0.5
    flags[:, 0], flags[:, -1] = True, False
    y = numpy.where(flags, numpy.roll(symbols, -1, axis=1), numpy.roll(symbols, 1, axis=1))
    x = numpy.concatenate([_one_hot(symbols, n_symbols), flags[..., None]], axis=-1)
    return _to_backend(x.astype(numpy.float32), y, flags)


def agreement(n, n_attractors, mismatch=0.5, seed=None):
    """Subject-verb agreement: "the keys to the old cabinet ..." -> the verb is plural.

    Each sentence is a subject, "the [adjective] noun(s)", followed by k prepositional
    phrases, "to/near/... the [adjective] noun(s)", and stops where the verb would
    come; the label is the verb's number, the subject's: 0 singular ("is"), 1 plural
    ("are"). The k nouns in between are attractors: each has the other number than
    the subject with probability ``mismatch`` (1.0: all of them mislead), so the
    nearest noun is no guide and the model must carry the subject's number across
    them. Adjectives appear with probability 1/2, so lengths vary.

    Word-level: each word is one id of ``vocabulary`` (id 0 is the padding "<pad>").
    n_attractors: k for every sentence, or a pair (low, high) to draw k in low..high.
    Returns ids: (n, max_length) int64 padded with 0 after each sentence; lengths: (n,)
    int64; y: (n,) int64; vocabulary: list of str. Batch-first: feed an RNN built with
    batch_first=True through ``lib.Embedding``, with ``lengths=lengths``.
    """
    n = checks.positive_int("n", n)
    low, high = _attractor_range(n_attractors)
    if isinstance(mismatch, bool) or not 0 <= mismatch <= 1:
        raise ValueError(f"mismatch must be a probability in [0, 1], got {mismatch!r}")
    rng = numpy.random.default_rng(seed)
    labels = rng.integers(2, size=n)
    counts = rng.integers(low, high + 1, size=n)
    sentences = []
    for label, count in zip(labels, counts):
        flips = rng.random(count) < mismatch
        words = _noun_phrase(rng, label)
        for flip in flips:
            preposition = AGREEMENT_PREPOSITIONS[rng.integers(len(AGREEMENT_PREPOSITIONS))]
            words += [preposition] + _noun_phrase(rng, label ^ int(flip))
        sentences.append([AGREEMENT_VOCABULARY.index(word) for word in words])
    lengths = numpy.array([len(words) for words in sentences])
    ids = numpy.zeros((n, lengths.max()), dtype=numpy.int64)
    for row, words in enumerate(sentences):
        ids[row, : len(words)] = words
    return (*_to_backend(ids, lengths, labels), list(AGREEMENT_VOCABULARY))


def _noun_phrase(rng, plural):
    """["the", (adjective), noun or noun + "s"] as words."""
    words = ["the"]
    if rng.random() < 0.5:
        words.append(AGREEMENT_ADJECTIVES[rng.integers(len(AGREEMENT_ADJECTIVES))])
    noun = AGREEMENT_NOUNS[rng.integers(len(AGREEMENT_NOUNS))]
    return words + [noun + "s" if plural else noun]


def _attractor_range(n_attractors):
    """(low, high) from an int k >= 0 or a pair 0 <= low <= high."""
    pair = n_attractors if isinstance(n_attractors, (tuple, list)) else (n_attractors,) * 2
    valid = len(pair) == 2 and all(
        isinstance(k, (int, numpy.integer)) and not isinstance(k, bool) and k >= 0 for k in pair
    )
    if not valid or pair[0] > pair[1]:
        raise ValueError(
            f"n_attractors must be an integer >= 0 or a pair (low, high) with "
            f"0 <= low <= high, got {n_attractors!r}"
        )
    return int(pair[0]), int(pair[1])


def selective_copying(n, length, n_tokens=4, n_symbols=8, seed=None):
    """Copy the few data tokens scattered in a noisy sequence, in order (Gu and Dao 2023).

    The first ``length`` steps hold ``n_tokens`` data tokens (symbols 0..n_symbols-1,
    drawn at random) at random distinct places and a blank (symbol n_symbols) everywhere
    else; then ``n_tokens`` recall markers (symbol n_symbols + 1) ask for the data
    tokens, first to last. Where the tokens sit changes from sequence to sequence, so a
    model must choose what to keep as it reads (Mamba's "selective" copying; Feng et
    al. 2024 use the same task).

    x: (n, length + n_tokens, n_symbols + 2) one-hot float32; y: (n, n_tokens) int64,
    the data tokens in the order they appear. Read the answers from the last n_tokens
    steps: ``SequenceClassifier(rnn, n_symbols, readout=n_tokens)``. Chance accuracy
    per token is 1 / n_symbols.
    """
    n, length = checks.positive_int("n", n), checks.positive_int("length", length)
    n_tokens = checks.positive_int("n_tokens", n_tokens)
    n_symbols = checks.positive_int("n_symbols", n_symbols)
    if length < n_tokens:
        raise ValueError(f"length ({length}) must be at least n_tokens ({n_tokens})")
    rng = numpy.random.default_rng(seed)
    tokens = rng.integers(n_symbols, size=(n, n_tokens))
    places = numpy.sort(rng.random((n, length)).argsort(axis=1)[:, :n_tokens], axis=1)
    blank, recall = n_symbols, n_symbols + 1
    symbols = numpy.full((n, length + n_tokens), blank)
    numpy.put_along_axis(symbols, places, tokens, axis=1)
    symbols[:, length:] = recall
    return _to_backend(_one_hot(symbols, n_symbols + 2), tokens)


def running_parity(n, length, seed=None):
    """A random bit stream; at every step the label is the parity of the bits so far.

    x: (n, length, 1) float32 bits b_t in {0, 1}; y: (n, length) int64 with
    y_t = (b_1 + ... + b_t) mod 2. Each step needs two stages: remember the parity so
    far, and flip it when the new bit is 1 (an XOR, which no single threshold computes).
    """
    n, length = checks.positive_int("n", n), checks.positive_int("length", length)
    rng = numpy.random.default_rng(seed)
    bits = rng.integers(0, 2, size=(n, length))
    labels = numpy.cumsum(bits, axis=1) % 2
    return _to_backend(bits[..., None].astype(numpy.float32), labels)


def _word_ids(rng, words, shape):
    """Random ids, of the given shape, of words drawn from ``words`` (a slice of VOCABULARY)."""
    start = VOCABULARY.index(words[0])
    return start + rng.integers(len(words), size=shape)


def _one_hot(ids, size):
    """ids: (...) integers -> (..., size) float32 with a single 1 per row."""
    return (ids[..., None] == numpy.arange(size)).astype(numpy.float32)


def _to_backend(*arrays):
    """Copy host arrays to the backend in use (integers as int64)."""
    xp = backend.xp()
    return tuple(xp.asarray(a, dtype="int64" if a.dtype.kind in "iu" else None) for a in arrays)
