// The playground's Web Worker: trains in the background so that the page stays
// responsive, and posts what the page draws about ten times a second. The page starts it
// as a classic worker from this source with its imports inlined (module_source).
//
// Messages in:  {type: "reset", runId, settings, words}  a new run (paused)
//               {type: "play"} | {type: "pause"} | {type: "step"}
// Messages out: {type: "progress", ...}  see progress() below
import { TrainingRun } from "./training_run.js";

const CHUNK_MS = 100; // train this long between two progress messages

let run = null;
let runId = 0; // echoed in every message: the page drops those of a replaced run
let playing = false;
let elapsedMs = 0; // wall-clock time spent playing, up to the last pause
let playStartedAt = 0;
let learnedAfterMs = null;
let posted = { updates: 0, evaluations: 0 }; // what the page already has
let recent = []; // [time, updates] of the messages of the last RATE_WINDOW_MS of play
const RATE_WINDOW_MS = 2000;

function elapsed() {
  return elapsedMs + (playing ? performance.now() - playStartedAt : 0);
}

function noteLearned() {
  if (run.learnedAt !== null && learnedAfterMs === null) learnedAfterMs = elapsed();
}

// Everything new since the last message: the losses of the updates since then, new
// held-out measurements, and the latest gradients and example.
function progress() {
  const now = performance.now();
  const last = run.last;
  const message = {
    type: "progress",
    runId,
    constants: run.constants,
    updates: run.updates,
    losses: run.losses.slice(posted.updates),
    evaluations: run.evaluations.slice(posted.evaluations),
    stateGradNorms: last ? Array.from(last.stateGradNorms) : null,
    gradNorm: last ? last.gradNorm : null,
    example: run.example(),
    elapsedMs: elapsed(),
    rate: playing ? updateRate(now) : null,
    learnedAt: run.learnedAt,
    learnedAfterMs,
    finished: run.finished,
    playing,
  };
  posted = { updates: run.updates, evaluations: run.evaluations.length };
  self.postMessage(message);
}

// Updates per second over the last RATE_WINDOW_MS of play.
function updateRate(now) {
  recent.push([now, run.updates]);
  recent = recent.filter(([time]) => now - time <= RATE_WINDOW_MS);
  const [time, updates] = recent[0];
  return now > time ? (1000 * (run.updates - updates)) / (now - time) : null;
}

function pause() {
  if (playing) elapsedMs += performance.now() - playStartedAt;
  playing = false;
}

function loop() {
  if (!playing) return;
  const start = performance.now();
  do {
    run.update();
    noteLearned();
  } while (!run.finished && performance.now() - start < CHUNK_MS);
  if (run.finished) pause();
  progress();
  if (playing) setTimeout(loop, 0); // lets the next message (pause, reset) in
}

self.onmessage = ({ data }) => {
  if (data.type === "reset") {
    pause();
    run = new TrainingRun(data.settings, data.words);
    runId = data.runId;
    elapsedMs = 0;
    learnedAfterMs = null;
    posted = { updates: 0, evaluations: 0 };
    progress();
  } else if (data.type === "play" && run && !run.finished && !playing) {
    playing = true;
    playStartedAt = performance.now();
    recent = [[playStartedAt, run.updates]];
    loop();
  } else if (data.type === "pause") {
    pause();
    progress();
  } else if (data.type === "step" && run) {
    pause();
    run.update();
    noteLearned();
    progress();
  }
};
