"""Wrong answers (typical mistakes) and hostile notebooks, built from the master solutions.

WRONG[exercise] lists (id, question, [(old, new), ...], words): the solution of
``question`` with each ``old`` source fragment replaced by ``new`` must lose points on
that question, and the grader's message must contain ``words`` (it names the mistake).
To add a variant, copy a line: ``old`` must occur in the master's solution cell.
"""

WRONG = {
    "ex01": [
        (
            "sigmoid",
            "q1",
            [("np.tanh(", "1 / (1 + np.exp(-("), ("+ b_hh)", "+ b_hh)))")],
            "sigmoid where tanh belongs",
        ),
        ("relu", "q1", [("np.tanh(", "np.maximum(0, ")], "relu where tanh belongs"),
        ("no_b_ih", "q1", [(" + b_ih", "")], "b_ih is missing"),
        ("no_biases", "q1", [(" + b_ih", ""), (" + b_hh", "")], "both biases are missing"),
        ("W_hh_untransposed", "q1", [("h @ W_hh.T", "h @ W_hh")], "W_hh is used untransposed"),
        ("W_ih_untransposed", "q1", [("x @ W_ih.T", "x @ W_ih")], "W_ih is used untransposed"),
        (
            "h_x_swapped",
            "q1",
            [("x @ W_ih.T + b_ih + h @ W_hh.T", "h @ W_ih.T + b_ih + x @ W_hh.T")],
            "h and x are swapped",
        ),
        ("no_memory", "q1", [(" + h @ W_hh.T", "")], "previous state h is ignored"),
        (
            "calls_lib",
            "q1",
            [
                (
                    "return np.tanh(",
                    "import lib\n\n"
                    "    return lib.functional.rnn_step(x, h, W_ih, W_hh, b_ih, b_hh).h + 0 * (",
                )
            ],
            "calls lib's own",
        ),
        ("state_not_carried", "q2", [("rnn_step(x, h,", "rnn_step(x, h0,")], "not carried"),
        ("last_only", "q2", [("return np.stack(hs)", "return hs[-1]")], "only the last state"),
        ("backwards", "q2", [("for x in xs:", "for x in xs[::-1]:")], "read backwards"),
        (
            "off_by_one",
            "q2",
            [
                (
                    "        h = rnn_step(x, h, W_ih, W_hh, b_ih, b_hh)\n        hs.append(h)",
                    "        hs.append(h)\n        h = rnn_step(x, h, W_ih, W_hh, b_ih, b_hh)",
                )
            ],
            "off by one",
        ),
        ("first_state", "q3", [("hs[-1]", "hs[0]")], "first state"),
        ("mean_state", "q3", [("hs[-1]", "hs.mean(axis=0)")], "mean of the states"),
        ("no_b_out", "q3", [(" + b_out", "")], "b_out is missing"),
        ("W_out_untransposed", "q3", [("W_out.T", "W_out")], "W_out is used untransposed"),
        (
            "softmax",
            "q3",
            [
                (
                    "return hs[-1] @ W_out.T + b_out",
                    "z = hs[-1] @ W_out.T + b_out\n"
                    "    return np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)",
                )
            ],
            "softmax probabilities",
        ),
    ],
    "ex02": [
        (
            "no_tanh_slope",
            "q1",
            [("da = (dhs[t] + dh_next) * (1 - hs[t] ** 2)", "da = dhs[t] + dh_next")],
            "tanh derivative is missing",
        ),
        ("slope_prev", "q1", [("(1 - hs[t] ** 2)", "(1 - h_prev**2)")], "uses h_{t-1}"),
        ("no_carry", "q1", [("(dhs[t] + dh_next)", "dhs[t]")], "does not flow back through time"),
        (
            "carry_transposed",
            "q1",
            [("dh_next = da @ W_hh", "dh_next = da @ W_hh.T")],
            "carried back with W_hh.T",
        ),
        ("dW_hh_now", "q1", [("da.T @ h_prev", "da.T @ hs[t]")], "dW_hh pairs da_t with h_t"),
        ("no_dh0", "q1", [('"dh0": dh_next', '"dh0": np.zeros_like(h0)')], "dh0 is zero"),
        (
            "forward_difference",
            "q2",
            [("x[index] = original - eps", "x[index] = original"), ("(2 * eps)", "eps")],
            "forward difference",
        ),
        ("one_eps", "q2", [("(2 * eps)", "eps")], "divided by eps instead of 2 eps"),
        (
            "calls_lib_numgrad",
            "q2",
            [
                (
                    "    return grad",
                    "    import lib\n\n    return lib.numerical_gradient(lambda: f(x), x, eps)",
                )
            ],
            "calls lib's own",
        ),
        (
            "x_not_restored",
            "q2",
            [("        x[index] = original\n        grad", "        grad")],
            "leaves x changed",
        ),
        (
            "first_axis_only",
            "q2",
            [
                ("for index in np.ndindex(x.shape):", "for index in range(len(x)):"),
                ("original = x[index]", "original = x[index].copy()"),
            ],
            "only the first axis",
        ),
        ("always_rescale", "q3", [("if factor < 1:", "if True:")], "even when their norm is below"),
        (
            "no_sqrt",
            "q3",
            [("float(np.sqrt(sum(np.sum(g**2)", "float((sum(np.sum(g**2)")],
            "squared norm",
        ),
        (
            "per_tensor",
            "q3",
            [("g * factor for", "g * min(1, max_norm / (np.sqrt(np.sum(g**2)) + 1e-6)) for")],
            "its own norm",
        ),
        (
            "clip_by_value",
            "q3",
            [("g * factor for", "np.clip(g, -max_norm, max_norm) for")],
            "clipping by value",
        ),
        (
            "norm_after",
            "q3",
            [
                (
                    "return grads, total",
                    "return grads, float(np.sqrt(sum(np.sum(g**2) for g in grads.values())))",
                )
            ],
            "after clipping",
        ),
        (
            "decay_no_slope",
            "q4",
            [("(g * (1 - hs[t] ** 2)) @ W_hh", "g @ W_hh")],
            "tanh derivative is missing",
        ),
        ("decay_sum", "q4", [(".mean()", ".sum()")], "summed over the batch"),
        (
            "decay_reversed",
            "q4",
            [("norms = np.array(norms)", "norms = np.array(norms[::-1])")],
            "reverse order",
        ),
        (
            "decay_transposed",
            "q4",
            [("hs[t] ** 2)) @ W_hh", "hs[t] ** 2)) @ W_hh.T")],
            "carried back with W_hh.T",
        ),
        ("rate_inverted", "q4", [("(norms[-1] / norms[0])", "(norms[0] / norms[-1])")], "inverted"),
        (
            "rate_arithmetic",
            "q4",
            [
                (
                    "rate = (norms[-1] / norms[0]) ** (1 / (len(norms) - 1))",
                    "rate = np.mean(norms[1:] / norms[:-1])",
                )
            ],
            "arithmetic mean",
        ),
    ],
}


def apply(source, replacements):
    for old, new in replacements:
        if old not in source:
            raise AssertionError(f"{old!r} is not in the solution:\n{source}")
        source = source.replace(old, new)
    return source


# Hostile notebooks: (id, answers ("solution" or "wrong"), cells inserted after the setup
# cell, edit of the check cells, expected status, expected score ("full", 0)).
HOSTILE = [
    ("loop", "solution", ["while True:\n    pass"], None, "timeout", "full"),
    (
        "loop_ignoring_alarm",
        "solution",
        ["import signal\n\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\nwhile True:\n    pass"],
        None,
        "timeout",
        0,
    ),
    ("memory_bytearray", "solution", ["x = bytearray(50 * 2**30)"], None, "memory", "full"),
    (
        "memory_numpy",
        "solution",
        ["import numpy\n\ny = numpy.ones(10**11)"],
        None,
        "memory",
        "full",
    ),
    (
        "memory_growing",
        "wrong",
        ["chunks = []\nwhile True:\n    chunks.append(bytearray(10**8))"],
        None,
        "memory",
        0,
    ),
    ("kill_self", "solution", ["import os\n\nos.kill(os.getpid(), 9)"], None, "crashed", 0),
    ("exit_hard", "solution", ["import os\n\nos._exit(3)"], None, "crashed", 0),
    ("deleted_check", "solution", [], "delete", "tampered", "full"),
    ("edited_check", "wrong", [], "edit", "tampered", 0),
    (
        "patch_otter_score",
        "wrong",
        [
            "from otter.test_files.abstract_test import TestFile\n\n"
            "TestFile.score = property(lambda self: self.points)\n"
            "TestFile.passed_all = property(lambda self: True)"
        ],
        None,
        "tampered",
        0,
    ),
    (
        "blank_later_cells",
        "solution",
        ["get_ipython().input_transformers_cleanup.append(lambda lines: [])"],
        None,
        "tampered",
        0,
    ),
    (
        "undo_tripwire",
        "solution",
        [
            "import lib.functional\n\n"
            "wrapper = lib.functional.rnn_step\n"
            "lib.functional.rnn_step = next(\n"
            "    c.cell_contents for c in wrapper.__closure__ if callable(c.cell_contents)\n"
            ")"
        ],
        None,
        "tampered",
        0,
    ),
]
