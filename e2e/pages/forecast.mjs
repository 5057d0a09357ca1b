// Page object for the time-series view (#/forecast). Health checks (console errors, failed
// responses, dialogs) and run counting come from the walkthrough's page object.

import { WalkthroughPage } from "./walkthrough.mjs";

const byTestId = (id) => `[data-testid="${id}"]`;

export class ForecastPage extends WalkthroughPage {
  get seriesSelect() { return this.page.locator(byTestId("series-select")); }
  get originSlider() { return this.page.locator(byTestId("origin-slider")); }
  get originLabel() { return this.page.locator(byTestId("origin-label")); }
  get overview() { return this.page.locator(byTestId("series-overview")); }
  get plot() { return this.page.locator(byTestId("forecast-plot")); }
  get pastPoints() { return this.page.locator(byTestId("past-point")); }
  get forecastPoints() { return this.page.locator(byTestId("forecast-point")); }
  get attentionBars() { return this.page.locator(`${byTestId("attention-bars")} ${byTestId("attention-bar")}`); }
  get attentionSummary() { return this.page.locator(byTestId("attention-summary")); }
  get windowMessage() { return this.page.locator(byTestId("window-message")); }
  get resetEdits() { return this.page.locator(byTestId("reset-edits")); }
  get stepSelect() { return this.page.locator(byTestId("step-select")); }
  get metrics() { return this.page.locator(byTestId("metrics")); }
  get miniBars() { return this.page.locator(byTestId("mini-bars")); }
  get linkProblem() { return this.page.locator(byTestId("link-problem")); }
  get layerSelect() { return this.page.locator(byTestId("layer-select")); }
  get headSelect() { return this.page.locator(byTestId("head-select")); }
  get whatIf() { return this.page.locator(byTestId("whatif")); }

  /** The address bar's hash. */
  async hash() {
    return this.page.evaluate(() => location.hash);
  }

  /** Opens #/forecast, with `query` (e.g. "series=co2&t=100") when given. */
  async open(query = "") {
    await this.page.goto(`${this.baseUrl}#/forecast${query ? `?${query}` : ""}`);
  }

  /** Waits until the chosen series' model is loaded and its first forecast is on screen. */
  async waitUntilForecast({ timeout = 60_000 } = {}) {
    await this.page.locator(`${byTestId("model-status")}[data-state="ready"]`).waitFor({ timeout });
    await this.forecastPoints.first().waitFor({ timeout });
  }

  /** The forecast values (data-value of each forecast point), in order. */
  async forecastValues() {
    return this.forecastPoints.evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-value"))));
  }

  /** Attention weights of the bars under the plot, oldest past step first. */
  async attentionWeights() {
    return this.attentionBars.evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-weight"))));
  }

  /** Sets the point in time through the slider (one input event) and waits for the run. */
  async setOrigin(t) {
    const run = await this.currentRun();
    await this.originSlider.evaluate((el, v) => {
      el.value = String(v);
      el.dispatchEvent(new Event("input", { bubbles: true }));
    }, t);
    return run;
  }

  async chooseSeries(id) {
    await this.seriesSelect.selectOption(id);
  }

  /**
   * Drags past point `i` (0 = oldest shown) by `dy` CSS pixels with the mouse (negative = up),
   * then waits for the forecast of the edited window.
   */
  async dragPastPoint(i, dy) {
    const run = await this.currentRun();
    const box = await this.pastPoints.nth(i).locator("circle").first().boundingBox();
    const x = box.x + box.width / 2;
    const y = box.y + box.height / 2;
    await this.page.mouse.move(x, y);
    await this.page.mouse.down();
    for (let k = 1; k <= 5; k++) await this.page.mouse.move(x, y + (dy * k) / 5);
    await this.page.mouse.up();
    await this.waitForSettledRun(run);
  }
}
