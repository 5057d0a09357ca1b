// The "Does attention explain this?" panel, shared by every predicting view: its DOM contract.

const byTestId = (id) => `[data-testid="${id}"]`;

export class ExplainPanel {
  /** @param {import('playwright-core').Page} page */
  constructor(page) {
    this.page = page;
    this.root = page.locator(byTestId("explain-panel"));
  }

  get toggle() { return this.root.locator(byTestId("explain-toggle")); }
  get body() { return this.root.locator(byTestId("explain-body")); }
  get message() { return this.root.locator(byTestId("explain-message")); }
  get chips() { return this.root.locator(byTestId("explain-chip")); }
  get live() { return this.root.locator(byTestId("explain-live")); }
  get rows() { return this.root.locator(byTestId("explain-row")); }
  get verdicts() { return this.root.locator(byTestId("explain-verdicts")); }
  get curve() { return this.root.locator(byTestId("explain-curve")); }
  get areas() { return this.root.locator(byTestId("explain-areas")); }
  get headSelect() { return this.root.locator(byTestId("explain-head")); }
  values(id) { return this.root.locator(byTestId(`explain-value-${id}`)); }

  async open() {
    if ((await this.toggle.getAttribute("aria-expanded")) !== "true") await this.toggle.click();
  }

  /** Runs counted by the panel (data-runs); waits for one after `run`. */
  async waitForRunAfter(run = 0, { timeout = 20_000 } = {}) {
    await this.page.waitForFunction(
      ([sel, r]) => Number(document.querySelector(sel)?.getAttribute("data-runs") ?? -1) > r,
      [byTestId("explain-body"), run],
      { timeout },
    );
  }

  async runs() {
    return Number((await this.body.getAttribute("data-runs")) ?? 0);
  }

  /** The first data table of the panel (importance per element), as rows of cell texts. */
  async importanceTable() {
    const tools = this.root.locator(".explain-bars-wrap").getByTestId("table-toggle");
    if ((await tools.getAttribute("aria-pressed")) !== "true") await tools.click();
    const table = this.root.locator(".explain-bars-wrap").getByTestId("heatmap-table");
    const header = await table.locator("thead th").allTextContents();
    const rows = await table.locator("tbody tr").evaluateAll((trs) =>
      trs.map((tr) => [...tr.children].map((c) => c.textContent.trim())));
    return { header: header.map((h) => h.trim()), rows };
  }
}
