// One training run of the playground: the settings a reader chose, the network, Adam, a
// fresh batch for every update and a fixed held-out set. The worker
// (playground_worker.js) drives it.
import { Adam, LOSSES, Recurrent, SequenceModel, accuracy, setKeepGateBias, trainStep } from "./train.js";
import { SETTINGS } from "./playground_settings.js";
import { TASKS, makeRng } from "./tasks.js";

export const BATCH = 32; // examples per update, fresh from the task's generator
export const HELD_OUT = 256; // examples the accuracy is measured on, never trained on
export const EVAL_EVERY = 20; // updates between two measurements on the held-out set
export const MAX_UPDATES = 1500; // a run stops here
export const LEARNED = 0.95; // held-out accuracy that counts as "learned"

// Independent random streams of one seed: the weights, the training batches, the held-out set.
const STREAMS = { weights: 0, batches: 1, heldOut: 2 };
function streamRng(seed, stream) {
  return makeRng(Math.imul(seed, 3) + STREAMS[stream]);
}

export class TrainingRun {
  // settings: {task, lag (recall), length (adding, review), cell ("rnn", "lstm", "gru"),
  // hidden, lr, clip (max gradient norm, 0 = none), keep_bias (LSTM forget / GRU update
  // gate) and input_bias (LSTM input gate), as lib.set_keep_gate_bias sets them, seed};
  // words: the review's vocabulary blocks (tasks.js).
  constructor(settings, words = null) {
    const missing = SETTINGS.filter((name) => settings[name] === undefined);
    if (missing.length) throw new Error(`TrainingRun: settings lack ${missing.join(", ")}`);
    this.settings = { ...settings };
    const { task, cell, hidden, lr, keep_bias: keepBias, input_bias: inputBias, seed } = this.settings;
    this.task = TASKS[task];
    if (!this.task) throw new Error(`task must be one of ${Object.keys(TASKS)}, got ${task}`);
    this.words = words;
    this.batches = streamRng(seed, "batches");
    this.heldOut = this.generate(streamRng(seed, "heldOut"), HELD_OUT);
    const weights = streamRng(seed, "weights");
    const rnn = new Recurrent(cell, this.heldOut.features, hidden, weights);
    if (cell !== "rnn") setKeepGateBias(rnn, keepBias, cell === "lstm" ? inputBias : null);
    this.model = new SequenceModel(rnn, this.task.outputs, weights);
    this.optimizer = new Adam(this.model.modules, { lr });
    this.updates = 0;
    this.losses = []; // the training loss of every update
    this.learnedAt = null;
    this.last = null; // what the latest update returned
    this.evaluations = [];
    this.evaluate();
  }

  generate(rng, n) {
    return this.task.generate(rng, n, this.settings, this.words);
  }

  get finished() {
    return this.updates >= MAX_UPDATES;
  }

  // One Adam update on a fresh batch; every EVAL_EVERY updates, a held-out measurement.
  update() {
    if (this.finished) return this.last;
    const batch = this.generate(this.batches, BATCH);
    this.last = trainStep(this.model, this.optimizer, this.task.loss, batch, this.settings.clip);
    this.losses.push(this.last.loss);
    this.updates += 1;
    if (this.updates % EVAL_EVERY === 0 || this.finished) this.evaluate();
    return this.last;
  }

  // Loss and accuracy on the held-out set; remembers the first update where it learned.
  evaluate() {
    const { x, y, n, steps } = this.heldOut;
    const pred = this.model.forward(x, n, steps);
    const { loss } = LOSSES[this.task.loss](pred, y, n, this.task.outputs);
    const result = { update: this.updates, loss, accuracy: this.score(pred, this.heldOut) };
    this.evaluations.push(result);
    if (this.learnedAt === null && result.accuracy >= LEARNED) this.learnedAt = this.updates;
    return result;
  }

  // The fraction right: the largest logit at the label, or (adding) within the tolerance.
  score(pred, { y, n }) {
    if (this.task.loss === "cross_entropy") return accuracy(pred, y, n, this.task.outputs);
    let right = 0;
    for (let k = 0; k < n; k++) if (Math.abs(pred[k] - y[k]) < this.task.tolerance) right += 1;
    return right / n;
  }

  // What the page needs to read the numbers: chance, the "learned" mark, the sizes.
  get constants() {
    return { chance: this.task.chance, learned: LEARNED, heldOut: HELD_OUT, maxUpdates: MAX_UPDATES, batch: BATCH };
  }

  // The first held-out example run through the network: its input, target and
  // prediction, the hidden state hs (steps, hidden) and the gate values (steps,
  // gates * hidden: LSTM i, f, g, o; GRU r, z, n; none for the RNN).
  example() {
    const { steps, features } = this.heldOut;
    const x = this.heldOut.x.subarray(0, steps * features);
    const pred = this.model.forward(x, 1, steps);
    const { cache } = this.model.rnn.cache;
    const size = this.model.rnn.hiddenSize;
    return {
      x,
      target: this.heldOut.y[0],
      pred,
      hs: cache.hs.slice(size), // h_1 .. h_T
      gates: cache.gates ? cache.gates.slice() : null,
      steps,
      features,
    };
  }
}
