"""One colour per idea, used by every diagram, plot and widget in the book."""

# Colours that readers with any common colour-vision deficiency can tell apart: Okabe &
# Ito's palette (2008) plus a dark purple and a brown, pairs of similar hue differing
# strongly in lightness (the two blues); every figure also names each gate in text.
GATE_COLORS = {
    "f": "#D55E00",  # forget gate: vermillion (red), it erases
    "i": "#0072B2",  # input gate: blue, it writes
    "g": "#6A3D9A",  # candidate values: purple
    "o": "#56B4E9",  # output gate: sky blue, it reveals
    "c": "#E69F00",  # cell state, the conveyor belt: orange
    "h": "#009E73",  # hidden state: teal (bluish green)
    "x": "#7f7f7f",  # input: grey
    "r": "#8C510A",  # GRU reset gate: brown
    "z": "#CC79A7",  # GRU update gate: pink (reddish purple)
    "n": "#6A3D9A",  # GRU candidate: purple, like the LSTM's candidate
}

MODEL_COLORS = {"RNN": "#7f7f7f", "LSTM": "#E69F00", "GRU": "#CC79A7"}

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
