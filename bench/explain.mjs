// Benchmark of "Does attention explain this?" on the built site in headless Chromium. It prints
// figures beside their targets and writes bench/results/explain.json; it asserts nothing.
//
//   node bench/explain.mjs [--dir dist] [--rounds 10]
//
// Figure: new input → full panel. In the page, from the input event that changes the text until
// the panel's run counter ([data-testid=explain-body] data-runs) has moved on and the next frame
// is painted. That covers the debounce, the model run, the occlusion batch (one run per token),
// the erasure batch (up to 8 points × attention, rollout, occlusion and 3 random orders) and
// rendering the bars, the verdicts and the curve. Two texts of the same length alternate so that
// every round is a new input. Median over rounds.
// The recommender alternates two example users (50 items each: one occlusion batch of 50); the
// translator and the generator step back and forth between two steps (a new prediction each
// time; their graphs have no batch axis, so every variant is a run of its own in one request).

import { mkdir, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { startServer } from "../e2e/serve.mjs";
import { DESKTOP, PREFIX, launchBrowser } from "../e2e/support.mjs";

const TARGETS = { walk16: 300, walk64: 300, digits: 150, recommend: 400 };

const { values: opts } = parseArgs({
  options: {
    dir: { type: "string", default: process.env.DIST ?? "dist" },
    rounds: { type: "string", default: "10" },
  },
});

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (t) => Math.round(t * 10) / 10;
const ms = (t) => (Number.isFinite(t) ? `${t.toFixed(1)} ms` : "n/a");

/** In the page: clicks the `i`-th element `testid` (or presses the key `key` when given),
 * resolves with the ms until the full panel. */
function timeExample([i, testid = "example", key = null]) {
  return new Promise((resolve, reject) => {
    const runs = () => Number(document.querySelector('[data-testid="explain-body"]')?.dataset.runs ?? 0);
    const before = runs();
    const button = key
      ? { click: () => document.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true })) }
      : document.querySelectorAll(`[data-testid="${testid}"]`)[i];
    if (!button) return reject(new Error(`no ${testid} ${i}`));
    const t0 = performance.now();
    const obs = new MutationObserver(() => {
      if (runs() > before) {
        obs.disconnect();
        requestAnimationFrame(() => resolve(performance.now() - t0));
      }
    });
    obs.observe(document, { subtree: true, childList: true, attributes: true });
    button.click();
    setTimeout(() => { obs.disconnect(); reject(new Error("no panel within 30 s")); }, 30_000);
  });
}

/** In the page: types `text` into the walkthrough, resolves with the ms until the full panel. */
function timeInput(text) {
  return new Promise((resolve, reject) => {
    const runs = () => Number(document.querySelector('[data-testid="explain-body"]')?.dataset.runs ?? 0);
    const before = runs();
    const area = document.querySelector('[data-testid="text-input"]');
    const t0 = performance.now();
    const obs = new MutationObserver(() => {
      if (runs() > before) {
        obs.disconnect();
        requestAnimationFrame(() => resolve(performance.now() - t0));
      }
    });
    obs.observe(document, { subtree: true, childList: true, attributes: true });
    area.value = text;
    area.dispatchEvent(new Event("input", { bubbles: true }));
    setTimeout(() => { obs.disconnect(); reject(new Error("no panel within 20 s")); }, 20_000);
  });
}

const WORDS = "and the king said to his servants go into the city and tell the people that the lord has spoken to them in the house of his father".split(" ");

const site = await startServer({ dir: opts.dir, prefix: PREFIX, port: 0 });
const browser = await launchBrowser();
try {
  const context = await browser.newContext({ viewport: DESKTOP });
  const page = await context.newPage();
  await page.goto(`${site.url}#/walkthrough?text=warm&explain=1`);
  await page.locator('[data-testid="model-status"][data-state="ready"]').waitFor({ timeout: 120_000 });
  const tokenCount = async (text) => {
    await page.evaluate(timeInput, text);
    return page.locator('[data-testid="token"]').count();
  };
  /** Two different texts of exactly `n` tokens ([CLS] and [SEP] included). */
  const textsOf = async (n) => {
    const out = [];
    for (const shift of [0, 3]) {
      let k = 3;
      let text = "";
      for (; k < 200; k++) {
        text = Array.from({ length: k }, (_, i) => WORDS[(i + shift) % WORDS.length]).join(" ");
        if ((await tokenCount(text)) >= n) break;
      }
      out.push(text);
    }
    return out;
  };
  const measure = async (n, label) => {
    const texts = await textsOf(n);
    const tokens = await tokenCount(texts[0]);
    for (let i = 0; i < 3; i++) await page.evaluate(timeInput, texts[(i + 1) % 2]); // warm-up
    const samples = [];
    for (let i = 0; i < Number(opts.rounds); i++) samples.push(await page.evaluate(timeInput, texts[i % 2]));
    const elements = await page.locator('[data-testid="explain-chip"]').count();
    return { label, tokens, elements, medianMs: round(median(samples)), maxMs: round(Math.max(...samples)), samples: samples.length };
  };
  const rows = [
    { ...(await measure(16, "walkthrough, 16 tokens")), target: TARGETS.walk16 },
    { ...(await measure(64, "walkthrough, 64 tokens")), target: TARGETS.walk64 },
  ];
  // Digits: alternate two test images (16 patches each).
  await page.goto(`${site.url}#/digits?explain=1`);
  await page.reload();
  await page.locator('[data-testid="model-status"][data-state="ready"]').waitFor({ timeout: 120_000 });
  /** Alternates two actions (`[index, testid, key]` for timeExample), warm-up first. */
  const alternate = async (label, tokens, actions, target) => {
    for (let i = 0; i < 3; i++) await page.evaluate(timeExample, actions[i % 2]); // warm-up
    const samples = [];
    for (let i = 0; i < Number(opts.rounds); i++) samples.push(await page.evaluate(timeExample, actions[(i + 1) % 2]));
    rows.push({ label, tokens, elements: await page.locator('[data-testid="explain-chip"]').count(),
      medianMs: round(median(samples)), maxMs: round(Math.max(...samples)), samples: samples.length, target });
  };
  // Images 1 and 2: a click on the image already shown (the link may restore one) is no new input.
  await alternate("digits, a test image", 17, [[1], [2]], TARGETS.digits);
  // The recommender: two example users' 50-item histories.
  await page.goto(`${site.url}#/recommend?explain=1`);
  await page.reload();
  await page.locator('[data-testid="explain-body"][data-runs="1"]').waitFor({ timeout: 120_000 });
  await alternate("recommendation, 50 history items", 50, [[1, "rec-example"], [2, "rec-example"]], TARGETS.recommend);
  // The translator: steps 3 and 4 of one sentence (back and forward).
  const verse = "And God said, Let there be light: and there was light, and it was good in his eyes.";
  await page.goto(`${site.url}#/translate?text=${encodeURIComponent(verse)}&step=4&explain=1`);
  await page.reload();
  await page.locator('[data-testid="explain-body"][data-runs="1"]').waitFor({ timeout: 120_000 });
  const sourceTokens = await page.locator('[data-testid="explain-chip"]').count();
  await alternate("translation, a step", sourceTokens + 1, [[0, "back"], [0, "forward"]], null);
  // The generator: steps 1 and 2 after a 48-token prompt (the last 32 tokens tested).
  const prompt = "To be, or not to be, that is the question: whether tis nobler in the mind to suffer the slings and arrows of outrageous fortune, or to take arms against a sea of troubles";
  await page.goto(`${site.url}#/generate?text=${encodeURIComponent(prompt)}&t=0&step=2&explain=1`);
  await page.reload();
  await page.locator('[data-testid="explain-body"][data-runs="1"]').waitFor({ timeout: 120_000 });
  await alternate("generation, a step after 48 prompt tokens", 49, [[0, "", "ArrowLeft"], [0, "", "ArrowRight"]], null);
  const results = {
    date: new Date().toISOString(),
    browser: `Chromium ${browser.version()}`,
    node: process.version,
    cpus: availableParallelism(),
    panels: rows,
  };
  const table = rows.map((r) => [`${r.label} (${r.tokens} tokens, ${r.elements} occluded): input → full panel (median of ${r.samples})`, ms(r.medianMs), r.target ? `≤ ${r.target} ms` : "–", ms(r.maxMs)]);
  const head = ["figure", "median", "target", "max"];
  const widths = head.map((_, c) => Math.max(...[head, ...table].map((r) => r[c].length)));
  const line = (r) => r.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd();
  console.log(`\n${results.browser}, ${results.cpus} CPUs\n`);
  console.log(line(head));
  console.log(line(widths.map((w) => "-".repeat(w))));
  table.forEach((r) => console.log(line(r)));
  await mkdir(new URL("./results/", import.meta.url), { recursive: true });
  await writeFile(new URL("./results/explain.json", import.meta.url), JSON.stringify(results, null, 2) + "\n");
  console.log("\nwrote bench/results/explain.json");
} finally {
  await browser.close();
  await site.close();
}
