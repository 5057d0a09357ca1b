import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { PREFIX, useWalkthrough } from "../support.mjs";
import { ENCODER_MODEL_URL, EncoderPage } from "../pages/encoder.mjs";

describe("pretrained encoder (all-MiniLM-L6-v2)", () => {
  const ctx = useWalkthrough();
  const encoder = () => new EncoderPage(ctx.app.page, ctx.site.url);

  it("downloads the model only when the view opens, with a progress bar, and shows all 72 heads", async () => {
    const enc = encoder();
    const requested = [];
    enc.page.on("request", (req) => requested.push(new URL(req.url())));
    // The default view must not touch the encoder's 23 MB.
    await ctx.app.open();
    await ctx.app.waitUntilReady();
    assert.equal(requested.filter((u) => u.pathname.includes("/models/minilm/")).length, 0);

    let release;
    const held = new Promise((resolve) => (release = resolve));
    await enc.page.route(ENCODER_MODEL_URL, async (route) => {
      await held;
      await route.continue();
    });
    await enc.open();
    await enc.page.locator('[data-testid="model-status"][data-state="loading"]').waitFor();
    assert.equal(await enc.progress.evaluate((el) => el.tagName.toLowerCase()), "progress");
    assert.ok(Number(await enc.progress.getAttribute("max")) > 20e6, "the bar knows the size from the manifest");
    release();
    await enc.waitUntilReady();
    await enc.waitForRunAfter(0);
    assert.equal(await enc.gridCells.count(), 72);
    assert.equal(await enc.statsRows.count(), 72);
    const tokens = await enc.tokens.allTextContents();
    assert.equal(tokens[0].startsWith("[CLS]"), true);
    const outside = requested.filter((u) => u.protocol.startsWith("http") && !u.pathname.startsWith(PREFIX));
    assert.deepEqual(outside.map(String), [], "every request stays under the sub-path");
  });

  it("keeps the model in Cache Storage: a second visit does not download it", async () => {
    const enc = encoder();
    await enc.openAndRun();
    ctx.site.resetBytes();
    const modelRequests = [];
    enc.page.on("request", (req) => {
      if (ENCODER_MODEL_URL.test(req.url())) modelRequests.push(req.url());
    });
    await enc.page.reload();
    await enc.waitUntilReady();
    await enc.waitForRunAfter(0);
    const served = [...ctx.site.bytesByPath().entries()].filter(([path]) => path.includes("minilm/model.onnx"));
    assert.deepEqual(served, [], "the server sent no model bytes on the second visit");
    assert.deepEqual(modelRequests, [], "the page did not even ask the network for the model");
  });

  it("opens a head from the grid in the head view; hovering follows one token; all heads and [CLS]/[SEP] toggle", async () => {
    const enc = encoder();
    await enc.openAndRun({ text: "The keys to the cabinet are on the table." });
    await enc.pickHead(2, 4);
    const n = await enc.queries.count();
    assert.equal(n, await enc.tokens.count());
    let lines = await enc.lineData();
    assert.ok(lines.length > 0);
    assert.ok(lines.every((l) => l.head === 4 && l.weight >= 0.04));

    // Hover the query "keys" (position 2): only its lines, every weight, summing to 1.
    await enc.queries.nth(2).hover();
    await enc.page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid="hv-line"]')].every((l) => l.getAttribute("data-from") === "2"),
    );
    lines = await enc.lineData();
    const sum = lines.reduce((s, l) => s + l.weight, 0);
    assert.ok(Math.abs(sum - 1) < 0.02, `weights of one query sum to ${sum}`);
    await enc.page.mouse.move(0, 0);

    await enc.allHeadsToggle.check();
    await enc.page.locator('[data-testid="head-view"][data-all-heads="true"]').waitFor();
    lines = await enc.lineData();
    assert.ok(new Set(lines.map((l) => l.head)).size > 3, "lines of several heads");

    await enc.specialToggle.uncheck();
    await enc.page.waitForFunction((n) => document.querySelectorAll('[data-testid="hv-query"]').length === n - 2, n);
    const shown = await enc.queries.allTextContents();
    assert.ok(!shown.some((t) => t.includes("[CLS]") || t.includes("[SEP]")));
    assert.match(enc.page.url(), /special=hide/);
  });

  it("sorts the head statistics", async () => {
    const enc = encoder();
    await enc.openAndRun();
    await enc.sortBy("entropy");
    let rows = await enc.statsTable();
    const entropy = rows.map((r) => r.values[0]);
    assert.deepEqual(entropy, [...entropy].sort((a, b) => b - a), "largest entropy first");
    await enc.sortBy("entropy");
    rows = await enc.statsTable();
    assert.ok(rows[0].values[0] <= rows[71].values[0], "a second click reverses");
    await enc.sortBy("cls");
    rows = await enc.statsTable();
    assert.ok(rows[0].values[1] >= rows[1].values[1]);
    assert.ok(rows.every((r) => r.values.every((v) => Number.isFinite(v) && v >= 0)));
    // A row opens its head.
    await enc.statsRows.first().locator("button").click();
    await enc.page.locator(`[data-testid="head-view"][data-layer="${rows[0].layer}"][data-head="${rows[0].head}"]`).waitFor();
  });

  it("walks one layer step by step with the model's real weights, and our maths agrees", async () => {
    const enc = encoder();
    await enc.openAndRun({ text: "Attention is all you need." });
    await enc.showView("steps");
    await enc.goToStep("softmax");
    let badge = await enc.agreement();
    assert.equal(badge.ok, "true", `max |Δ| ${badge.maxDiff}`);
    const weights = enc.page.locator('[data-testid="heatmap"][data-name^="weights head"]').first();
    assert.equal(await weights.getAttribute("data-rows"), "8");
    await enc.goToStep("scores");
    await enc.page.locator('[data-testid="heatmap"][data-name^="scores head"] [data-testid="cell"][data-row="1"][data-col="2"]').click();
    await enc.breakdown.waitFor();
    assert.equal(await enc.breakdown.locator("tbody tr").count(), 32, "dₖ = 32 products");

    await enc.layerSelect.selectOption("6");
    await enc.goToStep("embeddings");
    await enc.page.locator('[data-testid="canvas-map"][data-name^="X = LayerNorm"]').waitFor();
    badge = await enc.agreement();
    assert.equal(badge.ok, "true", `layer 6: max |Δ| ${badge.maxDiff}`);
    assert.match(enc.page.url(), /layer=6/);
  });

  it("keeps what was typed and says why on empty, odd or hostile input", async () => {
    const enc = encoder();
    await enc.openAndRun();
    await enc.setText("   ");
    await enc.inputMessage.waitFor();
    for (const text of ["🤖🚀 <img src=x onerror=alert(1)> مرحبا", "a\u0000b\u200bc"]) {
      await enc.setText(text);
      assert.equal(await enc.textInput.inputValue(), text);
      assert.equal(await enc.error.count(), 0);
      assert.ok((await enc.tokens.count()) >= 3);
    }
    // ctx's afterEach fails the test if a dialog opened (injected script ran) or anything threw.
  });

  it("restores the view from a link", async () => {
    const enc = encoder();
    await enc.openAndRun({ text: "Time flies like an arrow.", view: "head", layer: 4, head: 7 });
    await enc.page.locator('[data-testid="head-view"][data-layer="3"][data-head="6"]').waitFor();
    assert.equal(await enc.textInput.inputValue(), "Time flies like an arrow.");
  });
});
