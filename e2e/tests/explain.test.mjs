import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { useWalkthrough } from "../support.mjs";
import { ExplainPanel } from "../pages/explain.mjs";

describe("does attention explain the prediction? (walkthrough)", () => {
  const ctx = useWalkthrough();

  it("opens from the link, shows bars that match the table, verdicts and the curve; a click removes a token live", async () => {
    const app = ctx.app;
    await app.page.goto(`${app.baseUrl}#/walkthrough?text=${encodeURIComponent("The king spoke to the people in the city.")}&explain=1`);
    await app.waitUntilReady();
    const panel = new ExplainPanel(app.page);
    await panel.waitForRunAfter(0);
    const tokens = await panel.chips.allTextContents();
    assert.ok(tokens.length >= 8 && !tokens.includes("[CLS]"), tokens.join(" "));
    assert.equal(await panel.rows.count(), tokens.length);

    // Every number drawn is the table's: attention (mean), rollout, occlusion per element.
    const { header, rows } = await panel.importanceTable();
    const col = (name) => header.indexOf(name);
    assert.ok(col("attention") > 0 && col("rollout") > 0 && col("occlusion") > 0, header.join("|"));
    for (const [id, name] of [["attention", "attention"], ["rollout", "rollout"], ["occlusion", "occlusion"]]) {
      const drawn = await panel.values(id).allTextContents();
      assert.deepEqual(drawn, rows.map((r) => r[col(name)]), id);
    }
    // Attention over the tokens is a part of a softmax row: each in [0, 1].
    for (const r of rows) assert.ok(Number(r[col("attention")]) >= 0 && Number(r[col("attention")]) <= 1);

    assert.equal(await panel.verdicts.locator("li").count(), 2);
    assert.match(await panel.verdicts.textContent(), /matters most/);
    assert.match(await panel.verdicts.textContent(), /Kendall τ = -?\d\.\d\d, Spearman ρ = -?\d\.\d\d|undefined/);
    for (const m of ["attention", "rollout", "occlusion", "random"]) {
      await panel.curve.getByTestId(`curve-${m}`).waitFor({ state: "attached" });
      const area = Number(await panel.areas.getByTestId(`area-${m}`).getAttribute("data-area"));
      assert.ok(Number.isFinite(area), m);
    }
    assert.match(await app.page.locator(".explain-about").textContent(), /Jain & Wallace \(2019/);

    // Remove the token occlusion ranks first: the prediction changes, as occlusion said.
    const occlusion = rows.map((r) => Number(r[col("occlusion")]));
    const top = occlusion.indexOf(Math.max(...occlusion));
    await panel.chips.nth(top).click();
    assert.equal(await panel.chips.nth(top).getAttribute("aria-pressed"), "true");
    await app.page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute("data-value"), '[data-testid="explain-live"]');
    assert.match(await panel.live.textContent(), /Without the 1 removed element/);
    const base = Number((await panel.live.textContent()).match(/was ([\d.]+)%/)[1]) / 100;
    const now = Number(await panel.live.getAttribute("data-value"));
    assert.notEqual(now, base);
    // ≤ display rounding: the live rerun is the same variant occlusion ran in its batch.
    assert.ok(Math.abs(base - now - occlusion[top]) < 2e-3 + Math.abs(occlusion[top]) * 0.01, `${base} ${now} ${occlusion[top]}`);
    // Pressing again puts it back (keyboard: it is a button).
    await panel.chips.nth(top).focus();
    await app.page.keyboard.press("Enter");
    assert.equal(await panel.chips.nth(top).getAttribute("aria-pressed"), "false");

    // A new sentence of another length while the panel is open: the panel explains it afresh
    // (never drawing the old sentence's numbers over the new tokens).
    const before = await panel.runs();
    await app.setText("Et le roi dit à ses serviteurs: allez.");
    await panel.waitForRunAfter(before);
    assert.equal(await panel.rows.count(), await panel.chips.count());
    assert.notEqual(await panel.chips.count(), tokens.length);

    // The link keeps the panel open; closing it drops the parameter.
    assert.match(app.page.url(), /explain=1/);
    await panel.toggle.click();
    await app.page.waitForFunction(() => !location.hash.includes("explain=1"));
  });

  it("says why for a one-token input instead of a panel", async () => {
    const app = ctx.app;
    await app.page.goto(`${app.baseUrl}#/walkthrough?text=Jerusalem&explain=1`);
    await app.waitUntilReady();
    const panel = new ExplainPanel(app.page);
    await panel.message.waitFor();
    assert.match(await panel.message.textContent(), /at least two/);
    assert.equal(await panel.rows.count(), 0);
  });
});

describe("does attention explain the prediction? in Chinese", () => {
  const ctx = useWalkthrough({ locale: "zh-CN" });

  it("labels the panel, verdicts and curve in Chinese", async () => {
    const app = ctx.app;
    await app.page.goto(`${app.baseUrl}#/walkthrough?text=${encodeURIComponent("Le roi parla au peuple dans la ville.")}&explain=1`);
    await app.waitUntilReady();
    const panel = new ExplainPanel(app.page);
    await panel.waitForRunAfter(0);
    assert.match(await panel.toggle.textContent(), /注意力能解释这个预测吗/);
    assert.match(await panel.verdicts.textContent(), /最重要/);
    assert.match(await panel.root.locator(".explain-curve-wrap h4").textContent(), /删除曲线/);
    assert.match(await panel.areas.textContent(), /遮挡：面积/);
    assert.match(await panel.live.textContent(), /P（法语）/);
  });
});

describe("does attention explain the prediction? (digits)", () => {
  const ctx = useWalkthrough();

  it("a blank canvas gets a message; a test image gets 16 patches, blank-patch occlusion and a live removal", async () => {
    const app = ctx.app;
    await app.page.goto(`${app.baseUrl}#/digits?explain=1`);
    const panel = new ExplainPanel(app.page);
    await panel.message.waitFor({ timeout: 60_000 });
    assert.match(await panel.message.textContent(), /blank/);
    await app.page.getByTestId("example").first().click();
    await panel.waitForRunAfter(0);
    assert.equal(await panel.chips.count(), 16);
    assert.match(await panel.live.textContent(), /P\(digit \d\)/);
    const { header, rows } = await panel.importanceTable();
    assert.deepEqual(await panel.values("occlusion").allTextContents(), rows.map((r) => r[header.indexOf("occlusion")]));
    await panel.chips.nth(5).click();
    await app.page.waitForFunction(() => document.querySelector('[data-testid="explain-live"]')?.dataset.value);
    assert.match(await panel.live.textContent(), /Without the 1 removed element/);
    assert.match(app.page.url(), /explain=1/);
  });
});
