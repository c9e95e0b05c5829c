// The playground's data: the tasks of lib.tasks, generated in the page from a seed.
//
// Same definitions and distributions as lib.tasks, but not the same numbers: lib draws
// with NumPy's PCG64 generator, the page with the small mulberry32 below.
// tests/browser/test_playground_tasks.py checks that the two agree in distribution (and
// in every rule a task guarantees); the tests that compare the page's maths with lib
// generate their batches with lib and hand them to the page.
//
// A batch is {x, y, n, steps, features}, batch first as in lib.tasks:
//   x: Float64Array (n, steps, features), row-major
//   y: Int32Array (n,) class labels, or Float64Array (n, 1) targets for regression

// mulberry32 (Tommy Ettinger, public domain): a 32-bit generator, enough for toy data.
// random() is uniform on [0, 1); integers(low, high) uniform on low .. high - 1.
export function makeRng(seed) {
  if (!Number.isInteger(seed)) throw new Error(`makeRng: seed must be an integer, got ${seed}`);
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { random, integers: (low, high) => low + Math.floor(random() * (high - low)) };
}

function positiveInteger(name, value) {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} must be a positive integer, got ${value}`);
  }
  return value;
}

// lib.tasks.delayed_recall: a target symbol in 0 .. nSymbols - 1, then `lag` distractors
// (symbols nSymbols ..), one-hot; y is the target. Chance accuracy is 1 / nSymbols.
export function delayedRecall(rng, n, lag, nSymbols = 4, nDistractors = 4) {
  positiveInteger("n", n);
  positiveInteger("lag", lag);
  const steps = lag + 1;
  const features = nSymbols + nDistractors;
  const x = new Float64Array(n * steps * features);
  const y = new Int32Array(n);
  for (let b = 0; b < n; b++) {
    y[b] = rng.integers(0, nSymbols);
    x[b * steps * features + y[b]] = 1;
    for (let t = 1; t < steps; t++) {
      x[(b * steps + t) * features + rng.integers(nSymbols, features)] = 1;
    }
  }
  return { x, y, n, steps, features };
}

// lib.tasks.adding_problem: channel 0 holds values uniform on [0, 1), channel 1 marks two
// steps, one in each half; y is the sum of the two marked values. Predicting 1 always
// gives a mean squared error near 1/6.
export function addingProblem(rng, n, length) {
  positiveInteger("n", n);
  if (!Number.isInteger(length) || length < 2) {
    throw new Error(`length must be an integer of at least 2 (one marker per half), got ${length}`);
  }
  const half = Math.floor(length / 2);
  const x = new Float64Array(n * length * 2);
  const y = new Float64Array(n);
  for (let b = 0; b < n; b++) {
    for (let t = 0; t < length; t++) x[(b * length + t) * 2] = rng.random();
    for (const t of [rng.integers(0, half), rng.integers(half, length)]) {
      x[(b * length + t) * 2 + 1] = 1;
      y[b] += x[(b * length + t) * 2];
    }
  }
  return { x, y, n, steps: length, features: 2 };
}

// lib.tasks.first_words_review: a "review" of `length` words whose label is set by its
// first nKeywords words (positive words for label 1, negative for 0); the rest is neutral
// filler in which nKeywords words of the opposite sentiment sit at random places.
// words: {positive, negative, neutral} word counts, the blocks of lib's VOCABULARY in
// that order (word id = position in the vocabulary).
export function firstWordsReview(rng, n, length, words, nKeywords = 3) {
  positiveInteger("n", n);
  positiveInteger("length", length);
  if (length <= nKeywords) throw new Error(`length (${length}) must exceed nKeywords (${nKeywords})`);
  const starts = { positive: 0, negative: words.positive, neutral: words.positive + words.negative };
  const word = (kind) => starts[kind] + rng.integers(0, words[kind]);
  const features = starts.neutral + words.neutral;
  const x = new Float64Array(n * length * features);
  const y = new Int32Array(n);
  for (let b = 0; b < n; b++) {
    y[b] = rng.integers(0, 2);
    const [own, other] = y[b] === 1 ? ["positive", "negative"] : ["negative", "positive"];
    const complaints = new Set(shuffled(rng, length - nKeywords).slice(0, nKeywords));
    for (let t = 0; t < length; t++) {
      let kind = "neutral";
      if (t < nKeywords) kind = own;
      else if (complaints.has(t - nKeywords)) kind = other;
      x[(b * length + t) * features + word(kind)] = 1;
    }
  }
  return { x, y, n, steps: length, features };
}

// 0 .. count - 1 in a uniformly random order (Fisher-Yates).
function shuffled(rng, count) {
  const order = Array.from({ length: count }, (_, k) => k);
  for (let k = count - 1; k > 0; k--) {
    const j = rng.integers(0, k + 1);
    [order[k], order[j]] = [order[j], order[k]];
  }
  return order;
}

// The playground's three tasks: the loss lib trains them with, the number of outputs,
// and the held-out accuracy of a network that ignores its input. settings: {lag} for
// recall, {length} for the others; words: the review's vocabulary blocks.
export const TASKS = {
  recall: {
    title: "delayed recall",
    loss: "cross_entropy",
    outputs: 4,
    chance: 0.25,
    generate: (rng, n, settings) => delayedRecall(rng, n, settings.lag),
  },
  adding: {
    title: "adding problem",
    loss: "mse_loss",
    outputs: 1,
    // A prediction counts as right within 0.04 of the sum (Hochreiter and Schmidhuber
    // 1997). The best constant answer, 1, is right with probability 2 * 0.04 - 0.04^2
    // (the sum of two uniform numbers has density 1 - |s - 1| around 1).
    tolerance: 0.04,
    chance: 2 * 0.04 - 0.04 ** 2,
    generate: (rng, n, settings) => addingProblem(rng, n, settings.length),
  },
  review: {
    title: "first-words review",
    loss: "cross_entropy",
    outputs: 2,
    chance: 0.5,
    generate: (rng, n, settings, words) => firstWordsReview(rng, n, settings.length, words),
  },
};
