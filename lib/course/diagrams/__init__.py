"""Diagrams drawn in code, shared by every chapter; one module per figure family.

from lib.course import diagrams
diagrams.lstm_cell(highlight="f")
diagrams.unrolled_rnn(steps=4)
"""

from .cells import cell_row, gru_cell, lstm_cell, rnn_cell
from .drawing import format_vector
from .sequences import bidirectional, gradient_paths, sequence_shapes, stacked_grid, unrolled_rnn

__all__ = [
    "bidirectional",
    "cell_row",
    "format_vector",
    "gradient_paths",
    "gru_cell",
    "lstm_cell",
    "rnn_cell",
    "sequence_shapes",
    "stacked_grid",
    "unrolled_rnn",
]
