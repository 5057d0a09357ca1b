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

  /** Horizontal overflow of the page in CSS pixels (0 means no sideways scrolling). */
  async horizontalOverflow() {
    return this.page.evaluate(() => {
      const root = document.scrollingElement ?? document.documentElement;
      return Math.max(root.scrollWidth, document.body.scrollWidth) - root.clientWidth;
    });
  }
}
