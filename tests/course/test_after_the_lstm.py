"""Chapter 8's presentation code: the sweep's model builder and tables, the scan pictures,
the timing helper and the attention figures."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import lib  # noqa: E402
from lib.course import attention_plots, scan_plots  # noqa: E402
from lib.course import sequence_models as sm  # noqa: E402


def test_spans_after_each_sweep_double():
    assert scan_plots.spans_after(8, 0).tolist() == list(range(8))
    assert scan_plots.spans_after(8, 1).tolist() == [0, 0, 1, 2, 3, 4, 5, 6]
    assert scan_plots.spans_after(8, 2).tolist() == [0, 0, 0, 0, 1, 2, 3, 4]
    assert scan_plots.spans_after(8, 3).tolist() == [0] * 8
    assert scan_plots.spans_after(13, 4).tolist() == [0] * 13  # ceil(log2 13) sweeps


@pytest.mark.parametrize("done", [0, 1, 3])
def test_draw_sweeps_labels_each_step_with_its_span(done):
    fig, ax = plt.subplots()
    scan_plots.draw_sweeps(ax, 8, done)
    labels = [t.get_text() for t in ax.texts]
    first = scan_plots.spans_after(8, done)
    assert labels == [f"{f + 1}..{t + 1}" if f < t else str(t + 1) for t, f in enumerate(first)]
    plt.close(fig)


def test_step_times_measures_every_model_at_every_length():
    times = scan_plots.step_times([4, 8], batch=2, hidden=3, repeats=1)
    assert list(times) == list(scan_plots.TIMED)
    assert all(len(v) == 2 and all(s > 0 for s in v) for v in times.values())
    fig, (a, b) = plt.subplots(1, 2)
    scan_plots.plot_step_times(a, [4, 8], times)
    scan_plots.plot_slopes(b, [4, 8], times)
    assert len(a.lines) == len(times) and len(b.lines) == len(times) + 2
    plt.close(fig)


@pytest.mark.parametrize("name", sm.MODELS)
def test_build_makes_each_model_for_recall(name):
    task = sm.RECALL.at(5)
    model = sm.build(name, task, input_size=8, seed=0, hidden_size=4)
    x, y = task.make(3, seed=0)
    assert model(x).shape == (3, 4)


def test_build_for_copying_reads_the_final_steps_and_refuses_lstm_attention():
    task = sm.COPYING.at(6)
    x, _ = task.make(3, seed=0)
    assert sm.build("minGRU", task, x.shape[-1], seed=0, hidden_size=4)(x).shape == (3, 2, 4)
    with pytest.raises(ValueError, match="recall only"):
        sm.build("LSTM + attention", task, x.shape[-1], seed=0)
    with pytest.raises(ValueError, match="must be one of"):
        sm.build("Transformer", task, x.shape[-1], seed=0)


def test_sweep_summary_and_published_names(tmp_path):
    budget = sm.Budget(n_train=64, n_test=32, epochs=1, batch_size=32, hidden_size=4)
    rows = sm.sweep(["minGRU", "LSTM + attention"], [sm.RECALL.at(3), sm.COPYING.at(4)],
                    seeds=[0, 1], budget=budget, log=lambda line: None)  # fmt: skip
    assert len(rows) == 2 * 2 + 2  # LSTM + attention skips copying
    path = tmp_path / "results.json"
    sm.save_results(path, rows, budget)
    loaded, loaded_budget = sm.load_results(path)
    assert loaded == rows and loaded_budget == budget
    table = sm.summary(rows, "recall")
    mean, std, n = table["minGRU"][3]
    accuracies = [r["accuracy"] for r in rows if r["model"] == "minGRU" and r["task"] == "recall"]
    assert (
        n == 2
        and mean == pytest.approx(np.mean(accuracies))
        and std == pytest.approx(np.std(accuracies))
    )
    names = sm.published_accuracies({"recall": table})
    assert set(names) == {"recall3_mingru", "recall3_lstm_attention"}
    assert names["recall3_mingru"] == f"{mean:.2f} ± {std:.2f}"
    html = attention_plots.accuracy_table_html(table, sm.MODELS, "lag")
    mean_text, std_text = names["recall3_mingru"].split(" ± ")  # the std goes under the mean
    assert f"{mean_text}<br><small>± {std_text}</small>" in html and "lag 3" in html
    assert "minGRU" in html and ">GRU<" not in html  # only the models in the table


def test_same_seed_same_accuracy():
    budget = sm.Budget(n_train=64, n_test=32, epochs=1, batch_size=32, hidden_size=4)
    task = sm.RECALL.at(3)
    assert sm.train_and_score("GRU", task, 0, budget) == sm.train_and_score("GRU", task, 0, budget)


def test_attention_figures_draw():
    x, y = lib.tasks.delayed_recall(4, 6, seed=0)
    model = lib.AttentionClassifier(lib.LSTM(8, 4, batch_first=True, seed=0), 4, seed=0)
    model(x)
    fig, (a, b, c) = plt.subplots(3, 1)
    image = attention_plots.plot_recall_weights(a, model.attention_weights, x, examples=3)
    assert image.get_array().shape == (3, 7)
    assert len(a.patches) == 3  # the symbol's step boxed in every row
    attention_plots.plot_review_weights(
        b, model.attention_weights[0], [f"w{i}" for i in range(7)], width=4
    )
    assert [t.get_text() for t in b.texts] == [f"w{i}" for i in range(7)]
    table = {"GRU": {10: (0.9, 0.1, 3), 40: (0.5, 0.2, 3)}}
    attention_plots.plot_accuracy(c, table, "lag", chance=0.25)
    assert len(c.containers) == 1  # one error-bar line
    plt.close(fig)
