// Page object for the translation demo (#/translate): every selector of its DOM contract lives
// here, plus a suite hook like support.mjs's useWalkthrough.

import { useDemo } from "../support.mjs";
import { WalkthroughPage } from "./walkthrough.mjs";

const byTestId = (id) => `[data-testid="${id}"]`;

/** Requests for the translator's files (tests intercept them to simulate failures). */
export const ENCODER_URL = /models\/translate\/encoder\.onnx(\?.*)?$/;
export const DECODER_URL = /models\/translate\/decoder\.onnx(\?.*)?$/;

export class TranslatePage extends WalkthroughPage {
  get demo() { return this.page.locator(byTestId("translate-demo")); }
  get translateButton() { return this.page.locator(byTestId("translate-button")); }
  get sourceTokens() { return this.page.locator(byTestId("src-token")); }
  get targetTokens() { return this.page.locator(byTestId("tgt-token")); }
  get translation() { return this.page.locator(byTestId("translation")); }
  get counter() { return this.page.locator(byTestId("step-counter")); }
  get backButton() { return this.page.locator(byTestId("back")); }
  get forwardButton() { return this.page.locator(byTestId("forward")); }
  get playButton() { return this.page.locator(byTestId("play")); }
  get allButton() { return this.page.locator(byTestId("all")); }
  get stopNote() { return this.page.locator(byTestId("stop-note")); }
  get unknownNote() { return this.page.locator(byTestId("unknown-note")); }
  get candidates() { return this.page.locator(byTestId("candidate")); }
  get layerButtons() { return this.page.locator(byTestId("layer-button")); }
  get headButtons() { return this.page.locator(byTestId("head-button")); }
  // Picked by data-kind, which does not depend on the interface language.
  get crossHeatmap() { return this.page.locator(`${byTestId("heatmap")}[data-kind="cross"]`); }
  get selfHeatmap() { return this.page.locator(`${byTestId("heatmap")}[data-kind="self"]`); }
  /** The figure (heatmap + Table/Save tools) of the cross-attention grid. */
  get crossFigure() { return this.page.locator("figure.matrix", { has: this.crossHeatmap }).first(); }
  get linkProblem() { return this.page.locator(byTestId("link-problem")); }
  get shiftSection() { return this.page.locator(byTestId("step-shift")); }
  get shiftRows() { return this.page.locator(byTestId("shift-row")); }
  get shiftPoints() { return this.page.locator(byTestId("shift-point")); }
  get layerShiftRows() { return this.page.locator(byTestId("layer-shift-row")); }
  get whatIf() { return this.page.locator(byTestId("whatif")); }
  get timings() { return this.page.locator(byTestId("timings")); }

  /** Opens #/translate (with `?text=` when given). */
  async open(text) {
    const hash = text === undefined ? "#/translate" : `#/translate?text=${encodeURIComponent(text)}`;
    await this.page.goto(`${this.baseUrl}${hash}`);
  }

  /** Opens `#/translate?<query>` (a permalink as the address bar holds it). */
  async openLink(query) {
    await this.page.goto(`${this.baseUrl}#/translate${query ? `?${query}` : ""}`);
  }

  /** The address bar's hash. */
  async hash() {
    return this.page.evaluate(() => location.hash);
  }

  /** The pressed layer button (1-based) and head button ("avg" or 0-based index). */
  async pickedView() {
    return {
      layer: Number(await this.page.locator('[data-testid="layer-button"][aria-pressed="true"]').getAttribute("data-layer")),
      head: await this.page.locator('[data-testid="head-button"][aria-pressed="true"]').getAttribute("data-head"),
    };
  }

  /** Per decoding step of the analysis table: { step, entropy, top1, argmax, shift|null }. */
  async shiftTable() {
    return this.shiftRows.evaluateAll((rows) =>
      rows.map((r) => ({
        step: Number(r.dataset.step),
        entropy: Number(r.dataset.entropy),
        top1: Number(r.dataset.top1),
        argmax: Number(r.dataset.argmax),
        shift: r.dataset.shift === undefined ? null : Number(r.dataset.shift),
        current: r.classList.contains("current"),
      })),
    );
  }

  /** Per layer of the analysis: { layer, meanEntropy, meanTop1, meanShift|null, current }. */
  async layerShiftTable() {
    return this.layerShiftRows.evaluateAll((rows) =>
      rows.map((r) => ({
        layer: Number(r.dataset.layer),
        meanEntropy: Number(r.dataset.meanEntropy),
        meanTop1: Number(r.dataset.meanTop1),
        meanShift: r.dataset.meanShift === undefined ? null : Number(r.dataset.meanShift),
        current: r.classList.contains("current"),
      })),
    );
  }

  /** The step counter: steps shown and computed, whether decoding finished, whether a step runs. */
  async progress() {
    return this.counter.evaluate((el) => ({
      shown: Number(el.dataset.shown),
      computed: Number(el.dataset.computed),
      finished: el.dataset.finished === "true",
      busy: el.dataset.busy === "true",
    }));
  }

  /** The run number of the translation on screen (0 before the first). */
  async run() {
    if ((await this.timings.count()) === 0) return 0;
    return Number(await this.timings.getAttribute("data-run"));
  }

  /** Types `text`, presses Translate and waits until its encoder has run (decoding is ready). */
  async translate(text) {
    const run = await this.run();
    await this.textInput.fill(text);
    await this.translateButton.click();
    await this.waitForSource(run);
  }

  /** Waits until a translation newer than `run` has its source encoded. */
  async waitForSource(run, { timeout = 20_000 } = {}) {
    await this.page.waitForFunction(
      ({ run }) => {
        const t = document.querySelector('[data-testid="timings"]');
        return Number(t?.dataset.run ?? 0) > run && t?.dataset.encodeMs !== "" && document.querySelector('[data-testid="step-counter"]');
      },
      { run },
      { timeout },
    );
  }

  /** Waits until decoding has finished and every step is shown. */
  async waitForFinished({ timeout = 60_000 } = {}) {
    await this.page.waitForFunction(() => {
      const c = document.querySelector('[data-testid="step-counter"]');
      return c && c.dataset.finished === "true" && c.dataset.shown === c.dataset.computed && c.dataset.busy === "false";
    }, null, { timeout });
  }

  /** Waits until `n` steps are shown and none is running. */
  async waitForShown(n, { timeout = 20_000 } = {}) {
    await this.page.waitForFunction((n) => {
      const c = document.querySelector('[data-testid="step-counter"]');
      return c && Number(c.dataset.shown) === n && c.dataset.busy === "false";
    }, n, { timeout });
  }

  /** Presses Translate all and waits for the end. */
  async translateAll() {
    await this.allButton.click();
    await this.waitForFinished();
  }

  /** Name, rows, columns, cell count and masked-cell count of a heatmap. */
  async grid(locator) {
    await locator.waitFor();
    return locator.evaluate((svg) => ({
      name: svg.getAttribute("data-name"),
      rows: Number(svg.getAttribute("data-rows")),
      cols: Number(svg.getAttribute("data-cols")),
      cells: svg.querySelectorAll('[data-testid="cell"]').length,
      masked: svg.querySelectorAll('[data-testid="cell"].tr-masked').length,
    }));
  }

  /** The top-k candidates: [{ id, prob, text, chosen }]. */
  async candidateList() {
    return this.candidates.evaluateAll((rows) =>
      rows.map((r) => ({
        id: Number(r.dataset.id),
        prob: Number(r.dataset.prob),
        text: r.querySelector(".tr-cand-token")?.textContent ?? "",
        chosen: r.classList.contains("tr-chosen"),
      })),
    );
  }

  /** data-weight of every chip in a strip (null where none). */
  async weights(chips) {
    return chips.evaluateAll((els) => els.map((e) => (e.dataset.weight === undefined ? null : Number(e.dataset.weight))));
  }

  /** Per-step decoder times (ms: request to answer, and the run by the worker's clock) and the
   * encoder time of the current run. */
  async stepTimes() {
    const list = (s) => (s ?? "").split(",").filter(Boolean).map(Number);
    return this.timings.evaluate((el) => ({
      encodeMs: Number(el.dataset.encodeMs),
      stepMs: el.dataset.stepMs,
      stepRunMs: el.dataset.stepRunMs,
    })).then((t) => ({ encodeMs: t.encodeMs, stepMs: list(t.stepMs), stepRunMs: list(t.stepRunMs) }));
  }
}

/** Suite hooks (see support.mjs's useDemo) with a TranslatePage as `ctx.app`. */
export function useTranslate(options = {}) {
  return useDemo(TranslatePage, options);
}
