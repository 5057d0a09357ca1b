// Page object for the image-patches view (#/digits). Health checks (console errors, failed
// responses, dialogs) and run counting come from the walkthrough's page object.

import { WalkthroughPage } from "./walkthrough.mjs";

const byTestId = (id) => `[data-testid="${id}"]`;

export class DigitsPage extends WalkthroughPage {
  get canvas() { return this.page.locator(byTestId("digit-canvas")); }
  get clearButton() { return this.page.locator(byTestId("clear")); }
  get examples() { return this.page.locator(byTestId("example")); }
  get prediction() { return this.page.locator(byTestId("prediction")); }
  get probs() { return this.page.locator(byTestId("prob")); }
  get modelInput() { return this.page.locator(byTestId("model-input")); }
  get headViews() { return this.page.locator(byTestId("head-view")); }
  get selectedView() { return this.page.locator(byTestId("selected-view")); }
  get rolloutView() { return this.page.locator(byTestId("rollout-view")); }
  get linkProblem() { return this.page.locator(byTestId("link-problem")); }
  get whatIf() { return this.page.locator(byTestId("whatif")); }
  get backdrop() { return this.page.locator(byTestId("canvas-backdrop")); }

  /** Opens #/digits, with `query` (e.g. "test=49&layer=1&head=2") when given. */
  async open(query = "") {
    await this.page.goto(`${this.baseUrl}#/digits${query ? `?${query}` : ""}`);
  }

  /** The address bar's hash. */
  async hash() {
    return this.page.evaluate(() => location.hash);
  }

  /** The 64 pixel values of the image the model reads (the numbers printed on it). */
  async modelPixels() {
    return this.modelInput.locator("text").allTextContents().then((t) => t.map(Number));
  }

  async waitUntilReady({ timeout = 60_000 } = {}) {
    await this.page.locator(`${byTestId("model-status")}[data-state="ready"]`).waitFor({ timeout });
  }

  /** The predicted digit, or null when no prediction is shown. */
  async predicted() {
    if ((await this.prediction.count()) === 0) return null;
    return Number(await this.prediction.getAttribute("data-predicted"));
  }

  /** The ten probabilities, in digit order. */
  async probabilities() {
    return this.probs.evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-prob"))));
  }

  /** The 16 patch weights shown in a view (data-weight of its patches). */
  async patchWeights(view) {
    return view.locator(byTestId("patch")).evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-weight"))));
  }

  /**
   * Draws strokes on the canvas with the mouse. Each stroke is a list of [x, y] in canvas units
   * (0–256, whatever the size on screen). Waits for the prediction of the finished drawing.
   */
  async draw(strokes, { wait = true } = {}) {
    const run = await this.currentRun();
    const box = await this.canvas.boundingBox();
    const at = ([x, y]) => [box.x + (x / 256) * box.width, box.y + (y / 256) * box.height];
    for (const stroke of strokes) {
      const [x0, y0] = at(stroke[0]);
      await this.page.mouse.move(x0, y0);
      await this.page.mouse.down();
      for (const p of stroke.slice(1)) {
        const [x, y] = at(p);
        await this.page.mouse.move(x, y, { steps: 3 });
      }
      await this.page.mouse.up();
    }
    if (wait) await this.waitForSettledRun(run);
  }

  /** Draws with touch events (a finger), through the pointer events the page listens to. */
  async drawWithTouch(stroke) {
    const run = await this.currentRun();
    const box = await this.canvas.boundingBox();
    const pts = stroke.map(([x, y]) => [box.x + (x / 256) * box.width, box.y + (y / 256) * box.height]);
    const cdp = await this.page.context().newCDPSession(this.page);
    const touch = (type, [x, y]) => cdp.send("Input.dispatchTouchEvent", {
      type, touchPoints: type === "touchEnd" ? [] : [{ x, y, id: 1 }],
    });
    await touch("touchStart", pts[0]);
    for (const p of pts.slice(1)) await touch("touchMove", p);
    await touch("touchEnd", pts[pts.length - 1]);
    await this.waitForSettledRun(run);
  }

  /** Picks test image `i` and waits for its answer (at once when it is already the one shown). */
  async pickExample(i) {
    const button = this.examples.nth(i);
    if ((await button.getAttribute("aria-pressed")) === "true" && (await this.predicted()) !== null) return;
    const run = await this.currentRun();
    await button.click();
    await this.waitForSettledRun(run);
  }
}

/** Strokes (canvas units) of a few hand-drawn-like digits. */
export const SHAPES = {
  one: [[[128, 30], [128, 225]]],
  seven: [[[70, 40], [190, 40], [150, 110], [115, 225]]],
  zero: [Array.from({ length: 25 }, (_, i) => {
    const a = (i / 24) * 2 * Math.PI;
    return [128 + 60 * Math.sin(a), 128 - 95 * Math.cos(a)];
  })],
};
