"""One colour per idea, used by every diagram, plot and widget in the book."""

GATE_COLORS = {
    "f": "#d62728",  # forget gate: red, it erases
    "i": "#2ca02c",  # input gate: green, it writes
    "g": "#9467bd",  # candidate values: purple
    "o": "#1f77b4",  # output gate: blue, it reveals
    "c": "#ff7f0e",  # cell state, the conveyor belt: orange
    "h": "#17becf",  # hidden state: teal
    "x": "#7f7f7f",  # input: grey
    "r": "#8c564b",  # GRU reset gate: brown
    "z": "#e377c2",  # GRU update gate: pink
    "n": "#9467bd",  # GRU candidate: purple, like the LSTM's candidate
}

MODEL_COLORS = {"RNN": "#7f7f7f", "LSTM": "#ff7f0e", "GRU": "#e377c2"}

GATE_NAMES = {
    "f": "forget gate",
    "i": "input gate",
    "g": "candidate",
    "o": "output gate",
    "c": "cell state",
    "h": "hidden state",
    "x": "input",
    "r": "reset gate",
    "z": "update gate",
    "n": "candidate",
}
