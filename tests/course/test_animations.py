"""The HTML animations of ``lib.course.animations``: frame counts, offline, input checks."""

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lib.course import animations  # noqa: E402

FRAME = re.compile(r'frames\[\d+\] = "data:image/png;base64,')
SPAN = {"RNN": [1.0, 0.8, 0.3], "LSTM": [1.0, 1.0, 0.9], "GRU": [1.0, 1.0, 0.95]}


def frames(html):
    return len(FRAME.findall(html))


def assert_offline(html):
    assert not re.search(r"""(src|href)\s*=\s*["']https?://""", html), "fetches from the web"
    assert "http://" not in html and "https://" not in html


def test_unrolled_rnn_one_frame_per_step_plus_the_empty_chain():
    h = np.tanh(np.random.default_rng(0).normal(size=(5, 1, 4)))
    html = animations.unrolled_rnn_animation(h, inputs=np.arange(5.0))
    assert frames(html) == 6
    assert_offline(html)
    assert "<i class=" not in html  # the web-font icons are replaced by characters
    assert plt.get_fignums() == []  # the figure is closed, so a notebook shows it once


def test_unrolled_rnn_with_words_and_vector_inputs():
    h = np.zeros((3, 6))
    assert frames(animations.unrolled_rnn_animation(h, words=["the", "cat", "sat"])) == 4
    assert frames(animations.unrolled_rnn_animation(h, inputs=np.eye(3))) == 4


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"inputs": np.zeros(4)}, "inputs has 4 steps"),
        ({"words": ["a", "b"]}, "words has 2 items"),
    ],
)
def test_unrolled_rnn_rejects_mismatched_lengths(kwargs, message):
    with pytest.raises(ValueError, match=message):
        animations.unrolled_rnn_animation(np.zeros((3, 6)), **kwargs)


def test_memory_span_one_frame_per_lag():
    html = animations.memory_span_animation([5, 10, 20], SPAN, chance=0.25)
    assert frames(html) == 3
    assert_offline(html)
    assert len(html) < 1_500_000


def test_memory_span_averages_seeds():
    acc = {"RNN": np.array([[1.0, 0.8], [0.5, 0.3]])}  # (lags, seeds)
    assert frames(animations.memory_span_animation([2, 4], acc, chance=0.5)) == 2


def test_memory_span_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match=r"accuracies\['LSTM'\] has 2 values but there are 3"):
        animations.memory_span_animation([5, 10, 20], {**SPAN, "LSTM": [1.0, 0.9]}, 0.25)
