// Page object for the pretrained encoder demo (#/encoder): every selector of its DOM contract
// lives here. Health checks (console errors, dialogs, HTTP errors) stay with WalkthroughPage,
// which the suite's hooks create for the same page.

const byTestId = (id) => `[data-testid="${id}"]`;

/** Requests for the encoder's model file (tests hold them back or count them). */
export const ENCODER_MODEL_URL = /models\/minilm\/model\.onnx(\?.*)?$/;

export class EncoderPage {
  /**
   * @param {import('playwright-core').Page} page
   * @param {string} baseUrl the site root, e.g. http://127.0.0.1:8081/attention-playground/
   */
  constructor(page, baseUrl) {
    this.page = page;
    this.baseUrl = baseUrl;
  }

  // --- locators --------------------------------------------------------------------------------
  get demo() { return this.page.locator(byTestId("encoder-demo")); }
  get modelStatus() { return this.page.locator(byTestId("model-status")); }
  get progress() { return this.page.locator(byTestId("progress")); }
  get textInput() { return this.page.locator(byTestId("text-input")); }
  get examples() { return this.page.locator(byTestId("example")); }
  get tokens() { return this.page.locator(byTestId("token")); }
  get runState() { return this.page.locator(byTestId("run-state")); }
  get runId() { return this.page.locator(byTestId("run-id")); }
  get timing() { return this.page.locator(byTestId("timing")); }
  get truncationNote() { return this.page.locator(byTestId("truncation-note")); }
  get inputMessage() { return this.page.locator(byTestId("input-message")); }
  get error() { return this.page.locator(byTestId("error")); }
  get view() { return this.page.locator(byTestId("encoder-view")); }
  get gridCells() { return this.page.locator(byTestId("grid-cell")); }
  get statsRows() { return this.page.locator(byTestId("stats-row")); }
  get headView() { return this.page.locator(byTestId("head-view")); }
  get lines() { return this.page.locator(byTestId("hv-line")); }
  get queries() { return this.page.locator(byTestId("hv-query")); }
  get keys() { return this.page.locator(byTestId("hv-key")); }
  get layerSelect() { return this.page.locator(byTestId("layer-select")); }
  get headSelect() { return this.page.locator(byTestId("head-select")); }
  get allHeadsToggle() { return this.page.locator(byTestId("all-heads-toggle")); }
  get specialToggle() { return this.page.locator(byTestId("special-toggle")); }
  get step() { return this.page.locator(byTestId("step")); }
  get agreementBadge() { return this.page.locator(byTestId("agreement")); }
  get breakdown() { return this.page.locator(byTestId("qk-breakdown")); }
  get linkProblem() { return this.page.locator(byTestId("link-problem")); }
  get whatIf() { return this.page.locator(byTestId("whatif")); }
  get whatIfBanner() { return this.whatIf.locator(byTestId("whatif-banner")); }
  get whatIfTemperature() { return this.whatIf.locator(byTestId("whatif-temperature")); }
  get whatIfScale() { return this.whatIf.locator(byTestId("whatif-scale")); }
  get whatIfSelection() { return this.whatIf.locator(byTestId("whatif-selection")); }
  get whatIfMask() { return this.whatIf.locator(byTestId("whatif-mask")); }
  /** The what-if panel's copy of the model's real weights, and its recomputed ones. */
  get whatIfReal() { return this.whatIf.locator(`${byTestId("heatmap")}[data-name^="real weights"]`); }
  get whatIfMine() { return this.whatIf.locator(`${byTestId("heatmap")}[data-name^="what-if weights"]`); }
  /** The step view's own map of the model's weights (outside the what-if panel). */
  get stepWeights() { return this.step.locator(`${byTestId("heatmap")}[data-name^="weights head"]`).first(); }

  // --- actions -----------------------------------------------------------------------------------
  /** Opens the encoder demo, optionally with link parameters (`{ view: "head", layer: 3 }`). */
  async open(params = {}) {
    const query = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();
    await this.page.goto(`${this.baseUrl}#/encoder${query ? `?${query}` : ""}`);
    await this.demo.waitFor();
  }

  /** Waits until the model is loaded (download and tract's optimisation of 23 MB take a while). */
  async waitUntilReady({ timeout = 120_000 } = {}) {
    await this.page.locator(`${byTestId("model-status")}[data-state="ready"]`).waitFor({ timeout });
  }

  async currentRun() {
    const run = await this.runId.getAttribute("data-run");
    return run === null ? -1 : Number(run);
  }

  async waitForRunAfter(run, { timeout = 60_000 } = {}) {
    await this.page.waitForFunction(
      ({ selector, run }) => Number(document.querySelector(selector)?.getAttribute("data-run") ?? -1) > run,
      { selector: byTestId("run-id"), run },
      { timeout },
    );
  }

  /** Opens the demo and waits for the first result. */
  async openAndRun(params = {}) {
    await this.open(params);
    await this.waitUntilReady();
    await this.waitForRunAfter(0);
  }

  /** Replaces the text and waits for the run it triggers. */
  async setText(text, { timeout = 60_000 } = {}) {
    const run = await this.currentRun();
    await this.textInput.fill(text);
    await this.waitForRunAfter(run, { timeout });
  }

  async showView(id) {
    await this.page.locator(`${byTestId("view-tab")}[data-view="${id}"]`).click();
    await this.page.locator(`${byTestId("encoder-view")}[data-view="${id}"]`).waitFor();
  }

  /** Clicks the small map of (layer, head), numbered from 0. */
  async pickHead(layer, head) {
    await this.page.locator(`${byTestId("grid-cell")}[data-layer="${layer}"][data-head="${head}"]`).click();
    await this.page.locator(`${byTestId("head-view")}[data-layer="${layer}"][data-head="${head}"]`).waitFor();
  }

  /** The lines of the head view as { from, to, head, weight }. */
  async lineData() {
    return this.lines.evaluateAll((els) =>
      els.map((el) => ({
        from: Number(el.getAttribute("data-from")),
        to: Number(el.getAttribute("data-to")),
        head: Number(el.getAttribute("data-head")),
        weight: Number(el.getAttribute("data-weight")),
      })),
    );
  }

  /** Goes to a step of the step view and waits until its layer's data has arrived. */
  async goToStep(name) {
    await this.page.locator(`${byTestId("step-tab")}[data-step="${name}"]`).click();
    await this.page.locator(`${byTestId("step")}[data-step="${name}"]:not([data-loading])`).waitFor({ timeout: 60_000 });
  }

  async agreement() {
    const badge = this.agreementBadge.first();
    await badge.waitFor({ timeout: 60_000 });
    return { ok: await badge.getAttribute("data-ok"), maxDiff: Number(await badge.getAttribute("data-max-diff")) };
  }

  /** The statistics table's rows in display order, as { layer, head, values[] }. */
  async statsTable() {
    return this.statsRows.evaluateAll((rows) =>
      rows.map((r) => ({
        layer: Number(r.getAttribute("data-layer")),
        head: Number(r.getAttribute("data-head")),
        values: [...r.querySelectorAll("td")].map((td) => Number(td.textContent)),
      })),
    );
  }

  async sortBy(key) {
    await this.page.locator(`${byTestId("stats-sort")}[data-key="${key}"]`).click();
  }

  async timings() {
    const t = this.timing;
    const num = async (a) => Number(await t.getAttribute(a));
    return { inferMs: await num("data-infer-ms"), loadMs: await num("data-load-ms"), firstResultMs: await num("data-first-result-ms"), tokens: await num("data-tokens") };
  }

  /** Every cell of an SVG heatmap, row-major, as the number its label ends with. */
  async cells(heatmap) {
    return heatmap.locator(byTestId("cell")).evaluateAll((rs) =>
      rs.map((r) => Number(r.getAttribute("aria-label").split("= ").pop())));
  }

  /** The link parameters in the address bar, as an object. */
  linkParams() {
    const hash = new URL(this.page.url()).hash;
    return Object.fromEntries(new URLSearchParams(hash.split("?")[1] ?? ""));
  }

  /** Horizontal overflow of the page in CSS pixels (0 means no sideways scrolling). */
  async horizontalOverflow() {
    return this.page.evaluate(() => {
      const root = document.scrollingElement ?? document.documentElement;
      return Math.max(root.scrollWidth, document.body.scrollWidth) - root.clientWidth;
    });
  }
}
