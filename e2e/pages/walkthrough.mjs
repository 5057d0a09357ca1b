// Page object for the walkthrough view: every selector of the DOM contract lives here,
// so the tests read as what a user does and sees.

/** The steps of the walkthrough, in order (the values of `[data-testid=step]`'s data-step). */
export const STEPS = ["tokens", "embeddings", "qkv", "scores", "scale", "mask", "softmax", "context", "concat", "output"];

/** Requests for the ONNX model (tests intercept it to simulate broken downloads). */
export const MODEL_URL = /\.onnx(\?.*)?$/;

const byTestId = (id) => `[data-testid="${id}"]`;

export class WalkthroughPage {
  /**
   * @param {import('playwright-core').Page} page
   * @param {string} baseUrl the site root, e.g. http://127.0.0.1:8081/attention-playground/
   */
  constructor(page, baseUrl) {
    this.page = page;
    this.baseUrl = baseUrl;
    this.consoleErrors = [];
    this.pageErrors = [];
    this.failedResponses = [];
    this.dialogs = [];
    // Every failed request counts, /favicon.ico included: the page names its icon, so a browser
    // that still asks the host root for one means the icon link is gone.
    page.on("console", (msg) => {
      if (msg.type() === "error") this.consoleErrors.push(msg.text());
    });
    page.on("pageerror", (err) => this.pageErrors.push(String(err?.stack ?? err)));
    page.on("crash", () => this.pageErrors.push("the page crashed"));
    page.on("response", (res) => {
      if (res.status() >= 400) this.failedResponses.push(`${res.status()} ${res.url()}`);
    });
    // An alert means injected script ran: record it and dismiss it so the page goes on.
    page.on("dialog", (dialog) => {
      this.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      dialog.dismiss().catch(() => {});
    });
  }

  // --- locators --------------------------------------------------------------------------------
  get modelStatus() { return this.page.locator(byTestId("model-status")); }
  get progress() { return this.page.locator(byTestId("progress")); }
  get textInput() { return this.page.locator(byTestId("text-input")); }
  get examples() { return this.page.locator(byTestId("example")); }
  get tokens() { return this.page.locator(byTestId("token")); }
  get truncationNote() { return this.page.locator(byTestId("truncation-note")); }
  get inputMessage() { return this.page.locator(byTestId("input-message")); }
  get runId() { return this.page.locator(byTestId("run-id")); }
  get step() { return this.page.locator(byTestId("step")); }
  get nextButton() { return this.page.locator(byTestId("next-step")); }
  get prevButton() { return this.page.locator(byTestId("prev-step")); }
  get stepTabs() { return this.page.locator(byTestId("step-tab")); }
  get heatmaps() { return this.page.locator(`${byTestId("step")} ${byTestId("heatmap")}`); }
  get scoreHeatmap() { return this.page.locator(`${byTestId("heatmap")}[data-name^="scores"]`).first(); }
  get breakdown() { return this.page.locator(byTestId("qk-breakdown")); }
  get agreementBadge() { return this.page.locator(byTestId("agreement")); }
  get prediction() { return this.page.locator(byTestId("prediction")); }
  get layerSelect() { return this.page.locator(byTestId("layer-select")); }
  get headSelect() { return this.page.locator(byTestId("head-select")); }
  get error() { return this.page.locator(byTestId("error")); }
  get langSwitch() { return this.page.locator(byTestId("lang-switch")); }
  /** The language switch's button for `code` ("en" or "zh-CN"). */
  langButton(code) { return this.langSwitch.locator(`button[data-lang="${code}"]`); }
  get stepTitle() { return this.page.locator(byTestId("step-title")); }
  get whatIf() { return this.page.locator(byTestId("whatif")); }

  // --- actions -----------------------------------------------------------------------------------
  async open() {
    await this.page.goto(this.baseUrl);
  }

  /** Waits until the model has loaded (data-state="ready"). */
  async waitUntilReady({ timeout = 60_000 } = {}) {
    await this.page.locator(`${byTestId("model-status")}[data-state="ready"]`).waitFor({ timeout });
  }

  async modelState() {
    return this.modelStatus.getAttribute("data-state");
  }

  /** The number of completed inferences (data-run of [data-testid=run-id]); -1 before the first. */
  async currentRun() {
    if ((await this.runId.count()) === 0) return -1;
    const run = await this.runId.getAttribute("data-run");
    return run === null ? -1 : Number(run);
  }

  /** Resolves once an inference newer than `run` has completed and reached the DOM. */
  async waitForRunAfter(run, { timeout = 15_000 } = {}) {
    await this.page.waitForFunction(
      ({ selector, run }) => Number(document.querySelector(selector)?.getAttribute("data-run") ?? -1) > run,
      { selector: byTestId("run-id"), run },
      { timeout },
    );
  }

  /**
   * Waits for an inference newer than `run`, then until no further one completes for `quietMs`,
   * so that the DOM shows the last text entered, not an intermediate one.
   */
  async waitForSettledRun(run, { quietMs = 250 } = {}) {
    await this.waitForRunAfter(run);
    for (let last = await this.currentRun(); ; ) {
      await this.page.waitForTimeout(quietMs);
      const now = await this.currentRun();
      if (now === last) return;
      last = now;
    }
  }

  /** Replaces the text (one input event) and waits for the inference it triggers. */
  async setText(text) {
    const run = await this.currentRun();
    await this.textInput.fill(text);
    await this.waitForSettledRun(run);
  }

  /** Types key by key like a person, then waits for the inference of the whole text. */
  async typeText(text, { delay = 20 } = {}) {
    const run = await this.currentRun();
    await this.textInput.click();
    await this.textInput.pressSequentially(text, { delay });
    await this.waitForSettledRun(run);
  }

  async tokenTexts() {
    return this.tokens.allTextContents();
  }

  async currentStep() {
    return this.step.getAttribute("data-step");
  }

  async next() { await this.nextButton.click(); }
  async prev() { await this.prevButton.click(); }

  /** Presses ArrowRight/ArrowLeft on the page (focus moved off the textarea first). */
  async pressArrow(direction) {
    await this.page.evaluate(() => document.activeElement?.blur?.());
    await this.page.keyboard.press(direction === "left" ? "ArrowLeft" : "ArrowRight");
  }

  /** Clicks the step tab for `name`; tabs are in walkthrough order (a data-step on a tab wins). */
  async goToStep(name) {
    const tagged = this.page.locator(`${byTestId("step-tab")}[data-step="${name}"]`);
    const tab = (await tagged.count()) > 0 ? tagged.first() : this.stepTabs.nth(STEPS.indexOf(name));
    await tab.click();
    await this.page.locator(`${byTestId("step")}[data-step="${name}"]`).waitFor();
  }

  /** The first heatmap of the current step: its name, shape and number of cells. */
  async heatmapShape(heatmap = this.heatmaps.first()) {
    await heatmap.waitFor();
    return heatmap.evaluate((svg) => ({
      name: svg.getAttribute("data-name"),
      rows: Number(svg.getAttribute("data-rows")),
      cols: Number(svg.getAttribute("data-cols")),
      cells: svg.querySelectorAll('[data-testid="cell"]').length,
    }));
  }

  /** Switches the interface language with the header's switch and waits for `<html lang>`. */
  async switchLanguage(code) {
    await this.langButton(code).click();
    await this.page.waitForFunction((code) => document.documentElement.lang === code, code);
  }

  /** The interface language the page says it is in (`<html lang>`). */
  async language() {
    return this.page.evaluate(() => document.documentElement.lang);
  }

  /** Clicks the (row, col) cell of the first scores heatmap. */
  async clickScoreCell(row, col) {
    await this.scoreHeatmap.locator(`[data-testid="cell"][data-row="${row}"][data-col="${col}"]`).click();
  }

  /** The agreement badge's verdict, visiting steps until one shows it. */
  async agreement() {
    if ((await this.agreementBadge.count()) === 0) {
      for (const name of STEPS) {
        await this.goToStep(name);
        if ((await this.agreementBadge.count()) > 0) break;
      }
    }
    const badge = this.agreementBadge.first();
    return {
      ok: await badge.getAttribute("data-ok"),
      maxDiff: Number(await badge.getAttribute("data-max-diff")),
    };
  }

  /** Horizontal overflow of the page in CSS pixels (0 means no sideways scrolling). */
  async horizontalOverflow() {
    return this.page.evaluate(() => {
      const root = document.scrollingElement ?? document.documentElement;
      return Math.max(root.scrollWidth, document.body.scrollWidth) - root.clientWidth;
    });
  }

  /**
   * Throws if the page logged a console error, threw, crashed, opened a dialog or got an HTTP error.
   * Tests that provoke failures pass `allowConsole` (regexes for the messages they expect).
   */
  assertHealthy({ allowConsole = [], allowFailedResponses = [] } = {}) {
    const unexpected = (list, allowed) => list.filter((line) => !allowed.some((re) => re.test(line)));
    const problems = [
      ...this.pageErrors.map((e) => `page error: ${e}`),
      ...this.dialogs.map((d) => `dialog opened (injected script ran?): ${d}`),
      ...unexpected(this.consoleErrors, allowConsole).map((e) => `console error: ${e}`),
      ...unexpected(this.failedResponses, allowFailedResponses).map((r) => `HTTP error: ${r}`),
    ];
    if (problems.length > 0) throw new Error(problems.join("\n"));
  }
}
