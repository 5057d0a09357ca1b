// Page object for the recommendation demo (#/recommend): every selector of its DOM contract
// lives here, plus a suite hook like support.mjs's useWalkthrough.

import { useDemo } from "../support.mjs";
import { WalkthroughPage } from "./walkthrough.mjs";

const byTestId = (id) => `[data-testid="${id}"]`;

/** Requests for the recommender's files (tests intercept them to simulate failures). */
export const REC_MODEL_URL = /models\/recommend\/model\.onnx(\?.*)?$/;
export const REC_ITEMS_URL = /models\/recommend\/items\.json(\?.*)?$/;

export class RecommendPage extends WalkthroughPage {
  get demo() { return this.page.locator(byTestId("rec-demo")); }
  get searchInput() { return this.page.locator(byTestId("rec-search-input")); }
  get searchResults() { return this.page.locator(byTestId("rec-search-result")); }
  get notice() { return this.page.locator(byTestId("rec-notice")); }
  get exampleUsers() { return this.page.locator(byTestId("rec-example")); }
  get clearButton() { return this.page.locator(byTestId("rec-clear")); }
  get historyItems() { return this.page.locator(byTestId("rec-history-item")); }
  get topList() { return this.page.locator(byTestId("rec-top")); }
  get topItems() { return this.page.locator(byTestId("rec-top-item")); }
  get emptyNote() { return this.page.locator(byTestId("rec-empty")); }
  get windowNote() { return this.page.locator(byTestId("rec-window-note")); }
  get linkNote() { return this.page.locator(byTestId("rec-link-note")); }
  get queryNote() { return this.page.locator(byTestId("rec-query-note")); }
  get layerSelect() { return this.page.locator(byTestId("rec-layer")); }
  get headSelect() { return this.page.locator(byTestId("rec-head")); }
  // The section's own heatmap (not the what-if panel's), whatever the interface language.
  get heatmap() { return this.page.locator(`.rec-attention > figure.matrix ${byTestId("heatmap")}`); }
  get linkProblem() { return this.page.locator(byTestId("link-problem")); }
  get whatIf() { return this.page.locator(byTestId("whatif")); }
  get explanation() { return this.page.locator(byTestId("rec-explain")); }
  get acknowledgement() { return this.page.locator(byTestId("rec-acknowledgement")); }

  /** Opens #/recommend, with `query` (e.g. "h=50-181") when given. */
  async open(query) {
    await this.page.goto(`${this.baseUrl}#/recommend${query ? `?${query}` : ""}`);
  }

  /** The address bar's hash. */
  async hash() {
    return this.page.evaluate(() => location.hash);
  }

  /** The history index (0-based) whose prediction is inspected (the pressed ○/◉ button). */
  async queryIndex() {
    const item = this.page.locator(`${byTestId("rec-history-item")}:has(${byTestId("rec-query")}[aria-pressed="true"])`);
    return Number(await item.getAttribute("data-index"));
  }

  /** The number of results shown so far (data-run of [data-testid=rec-run]). */
  async run() {
    const el = this.page.locator(byTestId("rec-run"));
    if ((await el.count()) === 0) return 0;
    return Number(await el.getAttribute("data-run"));
  }

  /** Waits until a result newer than `run` is on screen and no newer one is pending. */
  async waitForResult(run, { timeout = 20_000 } = {}) {
    await this.page.waitForFunction(
      (run) => {
        const r = document.querySelector('[data-testid="rec-run"]');
        const panel = document.querySelector(".rec-panel[aria-busy]");
        return Number(r?.dataset.run ?? 0) > run && panel?.getAttribute("aria-busy") === "false";
      },
      run,
      { timeout },
    );
  }

  /** Types `text` in the search box and adds the first match with Enter; waits for the update. */
  async addByTitle(text) {
    const run = await this.run();
    await this.searchInput.fill(text);
    await this.searchResults.first().waitFor();
    await this.searchInput.press("Enter");
    await this.waitForResult(run);
  }

  /** Movie ids of the history, oldest first. */
  async historyIds() {
    return this.historyItems.evaluateAll((els) => els.map((e) => Number(e.dataset.id)));
  }

  /** Movie ids of the top-10 list. */
  async topIds() {
    return this.topItems.evaluateAll((els) => els.map((e) => Number(e.dataset.id)));
  }

  /** Per history item: its bar state ("weight", "later", "outside", "pending") and weight. */
  async bars() {
    return this.historyItems.evaluateAll((els) =>
      els.map((e) => {
        const text = e.querySelector('[data-testid="rec-weight"]')?.textContent ?? "";
        return { state: e.dataset.bar, weight: e.dataset.bar === "weight" ? Number(text) : null };
      }),
    );
  }

  /** Rows, columns and the cell values of the attention heatmap. */
  async matrix() {
    await this.heatmap.waitFor();
    return this.heatmap.evaluate((svg) => {
      const rows = Number(svg.getAttribute("data-rows"));
      const cols = Number(svg.getAttribute("data-cols"));
      const cells = [...svg.querySelectorAll('[data-testid="cell"]')].map((c) => ({
        row: Number(c.dataset.row),
        col: Number(c.dataset.col),
        value: Number((c.getAttribute("aria-label") ?? "").split("= ").pop().replace("−", "-")),
      }));
      return { name: svg.getAttribute("data-name"), rows, cols, cells };
    });
  }
}

/** Suite hooks (see support.mjs's useDemo) with a RecommendPage as `ctx.app`. */
export function useRecommend(options = {}) {
  return useDemo(RecommendPage, options);
}
