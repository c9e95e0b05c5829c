"""lib.course.review: Nguyen's cereal review read by one hand-set LSTM unit."""

import matplotlib
import pytest

matplotlib.use("Agg")

from lib.course import review  # noqa: E402


def test_the_words_and_their_features():
    tokens = review.words("Amazing! This box, of cereal.")
    assert tokens == ["amazing", "this", "box", "of", "cereal"]
    x = review.features(tokens)
    assert x.shape == (5, 2) and list(x[0]) == [1.0, 1.0]
    assert (x[1:, 0] == 0).all() and (abs(x[1:, 1]) < 1).all()
    assert (review.features(tokens) == x).all()  # the same content every run


def test_the_input_gate_writes_the_keywords_and_keeps_out_the_filler():
    tokens, steps = review.read_review()
    assert len(tokens) == len(steps) == 28
    for token, step in zip(tokens, steps):
        if token in review.KEYWORDS:
            assert step.i > 0.98
        else:
            assert step.i < 0.02
    # filler moves the gated memory by less than 2% of the candidate each word
    filler = [k for k, t in enumerate(tokens) if t not in review.KEYWORDS and k > 0]
    for k in filler:
        assert abs(steps[k].c - steps[k].f * steps[k - 1].c) <= 0.02 * abs(steps[k].g) + 1e-12
    _, open_steps = review.read_review(cell=review.ALWAYS_WRITE)
    assert all(step.i > 0.9999 for step in open_steps)
    assert min(step.c for step in open_steps) < 0 < min(step.c for step in steps)


def test_bad_input_is_explained():
    with pytest.raises(ValueError, match="no words"):
        review.read_review("!!!")
    with pytest.raises(ValueError, match=r"shape \(4, 2\)"):
        review.read_review(cell={"weight_ih": ((1.0,),), "bias_ih": (0.0,)})


def test_the_figure_has_a_row_per_word():
    tokens, steps = review.read_review()
    fig = review.plot_review(tokens, steps, review.read_review(cell=review.ALWAYS_WRITE)[1])
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == tokens
    matplotlib.pyplot.close(fig)
