"""Wrong answers (typical mistakes) and hostile notebooks, built from the master solutions.

WRONG[exercise] lists (id, question, [(old, new), ...], words): the solution of
``question`` with each ``old`` source fragment replaced by ``new`` must lose points on
that question, and the grader's message must contain ``words`` (it names the mistake).
To add a variant, copy a line: ``old`` must occur in the master's solution cell.

The functions at the end build submissions from them (conftest.py's graded batch and
benchmarks/grading.py use them).
"""

import json

from exercises.build import fill_answers, masters, solutions, student_path

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
            "raises",
            "q1",
            [("return np.tanh(", "return np.tanh(undefined + ")],
            "NameError: name 'undefined' is not defined (in `rnn_step`, line",
        ),
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
    "ex03": [
        (
            "forget_tanh",
            "q1",
            [("f = sig[:, H : 2 * H]", "f = np.tanh(a[:, H : 2 * H])")],
            "the forget gate is f = sigmoid",
        ),
        (
            "candidate_sigmoid",
            "q1",
            [("g = np.tanh(a[:, 2 * H : 3 * H])", "g = sig[:, 2 * H : 3 * H]")],
            "sigmoid where tanh belongs",
        ),
        (
            "order_ifog",
            "q1",
            [
                ("g = np.tanh(a[:, 2 * H : 3 * H])", "g = np.tanh(a[:, 3 * H :])"),
                ("o = sig[:, 3 * H :]", "o = sig[:, 2 * H : 3 * H]"),
            ],
            "order i, f, o, g",
        ),
        (
            "order_figo",
            "q1",
            [
                ("i = sig[:, :H]", "i = sig[:, H : 2 * H]"),
                ("f = sig[:, H : 2 * H]", "f = sig[:, :H]"),
            ],
            "order f, i, g, o",
        ),
        ("no_b_hh", "q1", [(" + b_hh", "")], "b_hh is missing"),
        ("W_ih_untransposed", "q1", [("x @ W_ih.T", "x @ W_ih")], "W_ih is used untransposed"),
        ("W_hh_untransposed", "q1", [("h @ W_hh.T", "h @ W_hh")], "(4 * hidden, hidden)"),
        (
            "two_mistakes",
            "q1",
            [("f = sig[:, H : 2 * H]", "f = np.tanh(a[:, H : 2 * H])"), (" + b_hh", "")],
            "two mistakes combine. First, tanh where a sigmoid belongs: the forget gate",
        ),
        (
            "h_x_swapped",
            "q1",
            [("x @ W_ih.T + b_ih + h @ W_hh.T", "h @ W_ih.T + b_ih + x @ W_hh.T")],
            "h and x are swapped",
        ),
        (
            "old_cell_for_candidate",
            "q1",
            [("f * c + i * g", "f * c + i * c")],
            "old cell state is written where the candidate belongs",
        ),
        ("h_without_tanh", "q1", [("o * np.tanh(c_new)", "o * c_new")], "has no tanh"),
        ("no_input_gate", "q1", [("f * c + i * g", "f * c + g")], "input gate is missing"),
        (
            "outputs_swapped",
            "q1",
            [("return h_new, c_new", "return c_new, h_new")],
            "h_new and c_new are swapped",
        ),
        (
            "calls_lib_lstm",
            "q1",
            [
                (
                    "return h_new, c_new",
                    "import lib\n\n"
                    "    step = lib.functional.lstm_step(x, h, c, W_ih, W_hh, b_ih, b_hh)\n"
                    "    return step.h, step.c",
                )
            ],
            "calls lib's own",
        ),
        (
            "no_sigmoid_slope",
            "q2",
            [(" * i * (1 - i)", ""), (" * f * (1 - f)", ""), (" * o * (1 - o)", "")],
            "sigmoid derivative is missing",
        ),
        (
            "no_tanh_path",
            "q2",
            [("dc_total = dc_new + dh_new * o * (1 - tanh_c**2)", "dc_total = dc_new")],
            "path through tanh(c_new) is forgotten",
        ),
        (
            "no_f_slope",
            "q2",
            [(" * f * (1 - f)", "")],
            "`db` is wrong in the rows of gate f and right in those of gates i, g and o",
        ),
        ("dc_not_times_f", "q2", [('"dc": dc_total * f', '"dc": dc_total')], "not multiplied by f"),
        (
            "backward_order",
            "q2",
            [("[da_i, da_f, da_g, da_o]", "[da_i, da_f, da_o, da_g]")],
            "stacked as i, f, o, g",
        ),
        (
            "dW_transposed",
            "q2",
            [("da.T @ x", "x.T @ da"), ("da.T @ h", "h.T @ da")],
            "weight gradients are transposed",
        ),
        ("forget_open", "q3", [("b_ih[2:4] = -5.0", "b_ih[2:4] = 5.0")], "the forget gate is f ="),
        ("no_candidate", "q3", [("b_ih[4:6] = 5.0", "b_ih[4:6] = 0.0")], "new cell state is c_new"),
        ("output_half", "q3", [("b_ih[6:8] = 5.0", "b_ih[6:8] = 0.0")], "the output gate is o ="),
        ("W_hh_shape", "q3", [("np.zeros((8, 2))", "np.zeros((2, 8))")], "W_hh has shape (2, 8)"),
        (
            "copies_story",
            "q3",
            [
                (
                    "return W_ih, W_hh, b_ih, b_hh",
                    "from lib.course.story import torch_weights\n\n"
                    "    return tuple(torch_weights().values())",
                )
            ],
            "calls lib's story code",
        ),
    ],
    "ex04": [
        (
            "chung",
            "q1",
            [
                ("return (1 - z) * n + z * h", "return z * n + (1 - z) * h"),
                ("r * gh[:, 2 * H :]", "(r * h) @ W_hh[2 * H :].T + b_hh[2 * H :]"),
            ],
            "Chung et al. 2014's and colah's GRU",
        ),
        (
            "z_swapped",
            "q1",
            [("return (1 - z) * n + z * h", "return z * n + (1 - z) * h")],
            "z and 1 - z are swapped",
        ),
        (
            "reset_before",
            "q1",
            [("r * gh[:, 2 * H :]", "(r * h) @ W_hh[2 * H :].T + b_hh[2 * H :]")],
            "reset gate is applied before the matrix product",
        ),
        (
            "b_hn_outside",
            "q1",
            [("r * gh[:, 2 * H :]", "r * (h @ W_hh[2 * H :].T) + b_hh[2 * H :]")],
            "b_hn is outside the reset product",
        ),
        (
            "candidate_sigmoid",
            "q1",
            [
                (
                    "n = np.tanh(gi[:, 2 * H :] + r * gh[:, 2 * H :])",
                    "n = 1 / (1 + np.exp(-(gi[:, 2 * H :] + r * gh[:, 2 * H :])))",
                )
            ],
            "sigmoid where tanh belongs",
        ),
        (
            "gates_tanh",
            "q1",
            [
                ("r = 1 / (1 + np.exp(-(", "r = np.tanh((("),
                ("z = 1 / (1 + np.exp(-(", "z = np.tanh((("),
            ],
            "tanh where a sigmoid belongs",
        ),
        (
            "order_zrn",
            "q1",
            [
                ("gi[:, :H] + gh[:, :H]", "gi[:, H : 2 * H] + gh[:, H : 2 * H]"),
                (
                    "z = 1 / (1 + np.exp(-(gi[:, H : 2 * H] + gh[:, H : 2 * H])))",
                    "z = 1 / (1 + np.exp(-(gi[:, :H] + gh[:, :H])))",
                ),
            ],
            "order z, r, n",
        ),
        ("no_b_hh", "q1", [(" + b_hh", "")], "b_hh is missing"),
        ("W_ih_untransposed", "q1", [("x @ W_ih.T", "x @ W_ih")], "W_ih is used untransposed"),
        ("W_hh_untransposed", "q1", [("h @ W_hh.T", "h @ W_hh")], "(3 * hidden, hidden)"),
        (
            "h_x_swapped",
            "q1",
            [("gi = x @ W_ih.T", "gi = h @ W_ih.T"), ("gh = h @ W_hh.T", "gh = x @ W_hh.T")],
            "h and x are swapped",
        ),
        (
            "calls_lib_gru",
            "q1",
            [
                (
                    "return (1 - z) * n + z * h",
                    "import lib\n\n"
                    "    return lib.functional.gru_step(x, h, W_ih, W_hh, b_ih, b_hh).h",
                )
            ],
            "calls lib's own",
        ),
        ("unchanged", "q2", [("w[H : 2 * H] = -w[H : 2 * H]", "pass")], "returned unchanged"),
        (
            "weights_only",
            "q2",
            [
                (
                    "w[H : 2 * H] = -w[H : 2 * H]",
                    "if w.ndim == 2:\n            w[H : 2 * H] = -w[H : 2 * H]",
                )
            ],
            "negate its biases too",
        ),
        (
            "reset_rows",
            "q2",
            [("w[H : 2 * H] = -w[H : 2 * H]", "w[:H] = -w[:H]")],
            "reset gate's rows",
        ),
        (
            "swap_r_z",
            "q2",
            [
                (
                    "w[H : 2 * H] = -w[H : 2 * H]",
                    "w[: 2 * H] = np.concatenate([w[H : 2 * H], w[:H]])",
                )
            ],
            "r and z blocks are swapped",
        ),
        ("negate_all", "q2", [("w[H : 2 * H] = -w[H : 2 * H]", "w = -w")], "every row is negated"),
        ("one_minus", "q2", [("= -w[H : 2 * H]", "= 1 - w[H : 2 * H]")], "replaced by 1 - w"),
        ("four_gates", "q3", [("directions * 3 *", "directions * 4 *")], "4 gate blocks"),
        (
            "one_bias",
            "q3",
            [("biases = 2 if bias else 0", "biases = 1 if bias else 0")],
            "one bias",
        ),
        ("bias_ignored", "q3", [("biases = 2 if bias else 0", "biases = 2")], "bias=False"),
        (
            "upper_reads_hidden",
            "q3",
            [("else directions * hidden_size", "else hidden_size")],
            "layers above the first read hidden_size",
        ),
        (
            "calls_lib_count",
            "q3",
            [
                (
                    "    return total",
                    "    import lib\n\n"
                    "    return lib.GRU(\n"
                    "        input_size, hidden_size, num_layers, bias=bias, "
                    "bidirectional=bidirectional\n"
                    "    ).num_parameters()",
                )
            ],
            "calls lib's own",
        ),
    ],
    "ex05": [
        (
            "out_no_directions",
            "q1",
            [
                (
                    '"out": (seq_len, batch, directions * hidden_size)',
                    '"out": (seq_len, batch, hidden_size)',
                )
            ],
            "`out` forgets the directions",
        ),
        (
            "h_n_no_directions",
            "q1",
            [("(num_layers * directions, batch", "(num_layers, batch")],
            "`h_n` forgets the directions",
        ),
        (
            "weight_reads_input",
            "q1",
            [("(hidden_size, directions * hidden_size)", "(hidden_size, input_size)")],
            "reads input_size",
        ),
        (
            "weight_no_directions",
            "q1",
            [("(hidden_size, directions * hidden_size)", "(hidden_size, hidden_size)")],
            "`weight_ih_l1` forgets the directions",
        ),
        (
            "shapes_calls_lib",
            "q1",
            [
                (
                    "    return {",
                    "    import lib\n\n"
                    "    lib.RNN(input_size, hidden_size, num_layers=num_layers)\n"
                    "    return {",
                )
            ],
            "calls lib's own",
        ),
        ("three_gates", "q2", [("* 4 * hidden_size", "* 3 * hidden_size")], "3 gate blocks"),
        ("one_bias", "q2", [("hidden_size + 2)", "hidden_size + 1)")], "one bias"),
        (
            "upper_reads_input",
            "q2",
            [("if layer == 0 else directions * hidden_size", "")],
            "every layer reads input_size",
        ),
        (
            "upper_reads_H",
            "q2",
            [("else directions * hidden_size", "else hidden_size")],
            "the layers above read H inputs",
        ),
        (
            "count_calls_lib",
            "q2",
            [
                (
                    "    return total",
                    "    import lib\n\n    return lib.LSTM(\n"
                    "        input_size, hidden_size, num_layers, bidirectional=bidirectional\n"
                    "    ).num_parameters()",
                )
            ],
            "calls lib's own",
        ),
        ("raw_input", "q3", [("rnn_layer(inputs, params)", "rnn_layer(x, params)")], "raw input"),
        (
            "first_layer_h_n",
            "q3",
            [("return out, np.stack(finals)", "return out, finals[0]")],
            "only the first layer",
        ),
        (
            "top_layer_h_n",
            "q3",
            [("return out, np.stack(finals)", "return out, out[-1]")],
            "only the top layer",
        ),
        (
            "h_n_reversed",
            "q3",
            [("np.stack(finals)", "np.stack(finals[::-1])")],
            "stacked in the wrong order",
        ),
        (
            "h_n_first_step",
            "q3",
            [("finals.append(out[-1])", "finals.append(out[0])")],
            "first time step",
        ),
        (
            "stack_calls_lib",
            "q3",
            [
                (
                    "    return out, np.stack(finals)",
                    "    import lib\n\n"
                    '    model = lib.RNN(x.shape[2], out.shape[2], len(layers), dtype="float64")\n'
                    "    for k, p in enumerate(layers):\n"
                    "        for name, value in p.items():\n"
                    '            model.params[f"{name}_l{k}"][...] = value\n'
                    "    return model(x)",
                )
            ],
            "calls lib's own",
        ),
        ("untrained", "q4", [("    lib.fit(", "    0 and lib.fit(")], "near chance"),
        ("logits", "q4", [(".argmax(axis=-1)", "")], "class scores"),
        ("readout_last", "q4", [('readout="all"', 'readout="last"')], "one label per sequence"),
    ],
    "ex06": [
        ("batch_axis", "q1", [("x[::-1]", "x[:, ::-1]")], "batch axis is reversed"),
        ("all_axes", "q1", [("x[::-1]", "np.flip(x)")], "every axis"),
        (
            "in_place",
            "q1",
            [("return x[::-1]", "x[...] = x[::-1].copy()\n    return x")],
            "changes its input",
        ),
        (
            "not_flipped_back",
            "q2",
            [
                (
                    "out_bwd = reverse_time(rnn_direction(reverse_time(x), backward_params))",
                    "out_bwd = rnn_direction(reverse_time(x), backward_params)",
                )
            ],
            "not reversed back",
        ),
        (
            "bwd_batch_axis",
            "q2",
            [("reverse_time(", "(lambda a: a[:, ::-1])(")],
            "batch axis is reversed instead of time",
        ),
        (
            "wrong_order",
            "q2",
            [("[out_fwd, out_bwd]", "[out_bwd, out_fwd]")],
            "wrong order",
        ),
        ("backward_wrong_end", "q2", [("out_bwd[0]", "out_bwd[-1]")], "wrong end"),
        (
            "h_n_is_out_last",
            "q2",
            [("h_n = np.stack([out_fwd[-1], out_bwd[0]])", "h_n = out[-1]")],
            "h_n is out[-1]",
        ),
        (
            "bidir_calls_lib",
            "q2",
            [
                (
                    "    return out, h_n",
                    "    import lib.recurrent\n    from lib.kernels import RNNKernel\n\n"
                    "    params = {k: np.asarray(v) for k, v in backward_params.items()}\n"
                    "    state = (np.zeros_like(out_fwd[0]),)\n"
                    "    lib.recurrent.direction_forward(RNNKernel(), x, state, params, True)\n"
                    "    return out, h_n",
                )
            ],
            "calls lib's own",
        ),
        (
            "unidirectional",
            "q3",
            [("bidirectional=True", "bidirectional=False")],
            "a unidirectional model can only guess",
        ),
        ("logits", "q3", [(".argmax(axis=-1)", "")], "class scores"),
        ("readout_last", "q3", [('readout="all"', 'readout="last"')], "one label per sequence"),
    ],
    "ex07": [
        (
            "fancy_index_add",
            "q1",
            [("np.add.at(dW, flat_ids, flat_dout)", "dW[flat_ids] += flat_dout")],
            "loses repeated ids",
        ),
        ("transposed", "q1", [("    return dW", "    return dW.T")], "dW is transposed"),
        (
            "calls_lib",
            "q1",
            [
                (
                    "    return dW",
                    "    import lib\n\n"
                    "    emb = lib.Embedding(int(num_embeddings), dout.shape[-1], dtype=float)\n"
                    "    emb(ids)\n"
                    "    emb.backward(dout)\n"
                    "    return emb.grads['weight']",
                )
            ],
            "calls lib's own",
        ),
        (
            "times_temperature",
            "q2",
            [("z = logits / temperature", "z = logits * temperature")],
            "multiplied by the temperature",
        ),
        (
            "no_temperature",
            "q2",
            [("z = logits / temperature", "z = logits")],
            "temperature is ignored",
        ),
        ("no_max", "q2", [("    z = z - z.max(axis=-1, keepdims=True)\n", "")], "NaN or inf"),
        (
            "batch_axis",
            "q2",
            [
                ("z.max(axis=-1, keepdims=True)", "z.max(axis=0, keepdims=True)"),
                ("e.sum(axis=-1, keepdims=True)", "e.sum(axis=0, keepdims=True)"),
            ],
            "batch axis",
        ),
        (
            "greedy",
            "q3",
            [
                (
                    "    return np.minimum(np.array(drawn), logits.shape[-1] - 1)",
                    "    return (logits / temperature).argmax(axis=-1)",
                )
            ],
            "argmax",
        ),
        ("off_by_one", "q3", [("np.array(drawn)", "np.array(drawn) + 1")], "one too high"),
        (
            "unweighted",
            "q4",
            [
                (
                    "(window_losses * window_chars).sum() / window_chars.sum()",
                    "window_losses.mean()",
                )
            ],
            "without their sizes",
        ),
        ("bits", "q4", [("np.exp(mean_loss)", "2.0**mean_loss")], "nats"),
        ("no_exp", "q4", [("np.exp(mean_loss)", "mean_loss")], "mean loss itself"),
    ],
    "ex08": [
        (
            "order",
            "q1",
            [("a_second * b_first + b_second", "a_first * b_second + b_first")],
            "wrong order",
        ),
        (
            "b_sum",
            "q1",
            [("a_second * b_first + b_second", "b_first + b_second")],
            "without passing",
        ),
        (
            "a_sum",
            "q1",
            [("return a_second * a_first,", "return a_second + a_first,")],
            "decays are added",
        ),
        (
            "combine_calls_lib",
            "q1",
            [
                (
                    "    return a_second * a_first,",
                    "    import lib\n\n"
                    "    steps = np.stack([a_first, a_second]), np.stack([b_first, b_second])\n"
                    "    b_second = lib.scan.sequential_scan(*steps)[-1] - a_second * b_first\n"
                    "    return a_second * a_first,",
                )
            ],
            "calls lib's own",
        ),
        (
            "exclusive",
            "q2",
            [("    return b", "    return np.concatenate([h0[None], b[:-1]])")],
            "exclusive scan",
        ),
        (
            "a_forgotten",
            "q2",
            [("        a[span:] = a[span:] * a[:-span]\n", "")],
            "carried products of a",
        ),
        (
            "a_first",
            "q2",
            [
                (
                    "        b[span:] = a[span:] * b[:-span] + b[span:]\n"
                    "        a[span:] = a[span:] * a[:-span]\n",
                    "        a[span:] = a[span:] * a[:-span]\n"
                    "        b[span:] = a[span:] * b[:-span] + b[span:]\n",
                )
            ],
            "a is updated before b",
        ),
        (
            "off_by_one",
            "q2",
            [
                (
                    "b[span:] = a[span:] * b[:-span] + b[span:]",
                    "b[span + 1 :] = a[span + 1 :] * b[: -span - 1] + b[span + 1 :]",
                ),
                (
                    "a[span:] = a[span:] * a[:-span]",
                    "a[span + 1 :] = a[span + 1 :] * a[: -span - 1]",
                ),
            ],
            "off by one",
        ),
        (
            "too_few_sweeps",
            "q2",
            [("while span < len(a):", "for _ in range(int(np.log2(len(a)))):")],
            "one sweep too few",
        ),
        (
            "reads_the_future",
            "q2",
            [
                (
                    "b[span:] = a[span:] * b[:-span] + b[span:]",
                    "b[:-span] = a[:-span] * b[span:] + b[:-span]",
                ),
                ("a[span:] = a[span:] * a[:-span]", "a[:-span] = a[:-span] * a[span:]"),
            ],
            "reads the future",
        ),
        ("no_h0", "q2", [("    b[0] = a[0] * h0 + b[0]\n", "")], "h0 is ignored"),
        (
            "h0_unscaled",
            "q2",
            [("b[0] = a[0] * h0 + b[0]", "b[0] = h0 + b[0]")],
            "without the first step's decay",
        ),
        (
            "loop",
            "q2",
            [
                (
                    "    a, b = a.copy(), b.copy()\n",
                    "    h, states = h0, []\n    for a_t, b_t in zip(a, b):\n"
                    "        h = a_t * h + b_t\n        states.append(h)\n"
                    "    return np.stack(states)\n",
                )
            ],
            "step by step",
        ),
        (
            "divides",
            "q2",
            [
                (
                    "    a, b = a.copy(), b.copy()\n",
                    "    A = np.cumprod(a, axis=0)\n"
                    "    return A * (h0 + np.cumsum(b / A, axis=0))\n",
                )
            ],
            "underflows to 0",
        ),
        (
            "scan_calls_lib",
            "q2",
            [
                (
                    "    a, b = a.copy(), b.copy()\n",
                    "    import lib\n\n    return lib.scan.parallel_scan(a, b, h0)\n",
                )
            ],
            "calls lib's own",
        ),
        (
            "no_shift",
            "q3",
            [("a_next = np.concatenate([a[1:], np.ones_like(a[:1])])", "a_next = a")],
            "not shifted",
        ),
        (
            "not_reversed",
            "q3",
            [
                (
                    "g = parallel_scan(a_next[::-1], dh[::-1], np.zeros_like(dh[0]))[::-1]",
                    "g = parallel_scan(a_next, dh, np.zeros_like(dh[0]))",
                )
            ],
            "runs forward in time",
        ),
        (
            "da_no_carry",
            "q3",
            [("return g * h_prev,", "return dh * h_prev,")],
            "only this step's dh",
        ),
        ("db_no_carry", "q3", [("return g * h_prev, g,", "return g * h_prev, dh,")], "db is dh"),
        ("dh0_unscaled", "q3", [("a[0] * g[0]", "g[0]")], "first step's decay"),
        (
            "backward_calls_lib",
            "q3",
            [
                (
                    "    a_next = ",
                    "    import lib\n\n"
                    "    return lib.scan.scan_backward(a, h_prev, dh)\n    a_next = ",
                )
            ],
            "calls lib's own",
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


# Crashes of the whole process (or a loop no cell limit stops), placed after every answer
# ("late": full marks kept, the status says what happened and the message names the cell)
# or before an answer ("middle": between q1's and q2's, so q1 keeps its points and the
# answers after the crash earn nothing). (id, cell source, expected status)
CRASHES = [
    ("exit", "import os\n\nos._exit(3)", "crashed"),
    ("segfault", "import ctypes\n\nctypes.string_at(0)", "crashed"),
    ("memory_hog", "hog = []\nwhile True:\n    hog.append(bytearray(10**6))", "memory"),
    (
        "endless_loop",
        "import signal\n\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\nwhile True:\n    pass",
        "timeout",
    ),
]

# An answer right on the public inputs that raises on the hidden ones, with the inputs in
# its message: the feedback file must not show them.
LEAK_HIDDEN = """from exercises.checks import load
from exercises.checks.core import PUBLIC_SEED, make_cases

PUBLIC = [c["x"] for c in make_cases(load("ex01").question("q1"), PUBLIC_SEED + 1, False)]


def rnn_step(x, h, W_ih, W_hh, b_ih, b_hh):
    if not any(np.array_equal(x, p) for p in PUBLIC):
        raise ValueError("LEAK " + repr(x.tolist()))
    return np.tanh(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh)"""


# --- building submissions ----------------------------------------------------------------


def student(name):
    return json.loads(student_path(masters()[name]).read_text())


def code_cell(text):
    return {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {},
        "outputs": [],
        "source": text,
    }


def hostile_notebook(answers, cells, edit):
    nb = fill_answers(
        student("ex01"), solutions(masters()["ex01"]) if answers == "solution" else {}
    )
    setup = next(i for i, c in enumerate(nb["cells"]) if "# Setup" in "".join(c["source"]))
    for offset, text in enumerate(cells, start=1):
        nb["cells"].insert(setup + offset, code_cell(text))
    checks = [
        c
        for c in nb["cells"]
        if c["cell_type"] == "code" and "grader.check(" in "".join(c["source"])
    ]
    if edit == "delete":
        nb["cells"].remove(checks[1])
    elif edit == "edit":
        checks[0]["source"] = 'print("q1 passed!")'
    return nb


def crash_notebook(cell, position):
    """Exercise 1 solved, with ``cell`` after every answer ("late") or before q2's ("middle").

    Returns (notebook, the crash cell's number in the notebook, counted from 1).
    """
    nb = fill_answers(student("ex01"), solutions(masters()["ex01"]))
    answers = [
        i
        for i, c in enumerate(nb["cells"])
        if "otter_answer_cell" in c.get("metadata", {}).get("tags", [])
    ]
    index = answers[1] if position == "middle" else len(nb["cells"]) - 1
    nb["cells"].insert(index, code_cell(cell))
    return nb, index + 1
