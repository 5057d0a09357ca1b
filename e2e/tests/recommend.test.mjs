import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { PHONE } from "../support.mjs";
import { REC_MODEL_URL, useRecommend } from "../pages/recommend.mjs";

const sum = (xs) => xs.reduce((a, b) => a + b, 0);

describe("recommendation demo", () => {
  const ctx = useRecommend();

  it("opens on a real user's history; an empty history gets a labelled popularity fallback", async () => {
    const { app } = ctx;
    await app.open();
    await app.waitUntilReady();
    await app.waitForResult(0);
    assert.equal((await app.historyIds()).length, 50, "it starts from a MovieLens user's history");
    assert.equal(await app.exampleUsers.first().getAttribute("aria-pressed"), "true");
    await app.clearButton.click();
    await app.emptyNote.waitFor();
    assert.match(await app.emptyNote.textContent(), /popularity fallback, not a personal recommendation/);
    assert.equal(await app.topList.getAttribute("data-source"), "popularity");
    assert.equal(await app.topItems.count(), 10);
    assert.match(await app.acknowledgement.textContent(), /GroupLens Research/);

    await app.searchInput.fill("star wars");
    const first = await app.searchResults.first().textContent();
    assert.match(first, /Star Wars \(1977\)/, "titles are shown with their year");
    assert.match(first, /Action/, "and their genres");
    await app.addByTitle("star wars");
    const history = await app.historyIds();
    assert.equal(history.length, 1);
    assert.equal(await app.topList.getAttribute("data-source"), "model");
    const top = await app.topIds();
    assert.equal(top.length, 10);
    assert.ok(!top.includes(history[0]), "a watched movie is never recommended");
    assert.equal(new Set(top).size, 10);
    const bars = await app.bars();
    assert.deepEqual(bars, [{ state: "weight", weight: 1 }], "one movie gets all the attention");
  });

  it("shows a real user's history with causal attention per layer and head", async () => {
    const { app } = ctx;
    await app.open();
    await app.waitUntilReady();
    const run = await app.run();
    await app.exampleUsers.nth(2).click();
    await app.waitForResult(run);
    const history = await app.historyIds();
    assert.equal(history.length, 50);
    const top = await app.topIds();
    assert.equal(top.length, 10);
    assert.ok(top.every((id) => !history.includes(id)), "nothing already watched is recommended");

    // The bars: the latest position's attention over the whole history sums to 1.
    const bars = await app.bars();
    assert.ok(bars.every((b) => b.state === "weight"));
    assert.ok(Math.abs(sum(bars.map((b) => b.weight)) - 1) < 0.03, "the bars are one softmax row");

    for (const [layer, head, name] of [["2", "avg", /layer 2, average/], ["1", "1", /layer 1, head 1/], ["2", "2", /layer 2, head 2/]]) {
      await app.layerSelect.selectOption(layer);
      await app.headSelect.selectOption(head);
      const m = await app.matrix();
      assert.match(m.name, name);
      assert.deepEqual([m.rows, m.cols, m.cells.length], [50, 50, 2500]);
      const rowSums = new Array(50).fill(0);
      for (const c of m.cells) {
        rowSums[c.row] += c.value;
        if (c.col > c.row) assert.equal(c.value, 0, `causal mask: [${c.row}, ${c.col}] is 0`);
      }
      for (const s of rowSums) assert.ok(Math.abs(s - 1) < 0.03, `each row sums to 1 (${s})`);
    }
    assert.match(await app.explanation.textContent(), /causal mask/);
    assert.match(await app.explanation.textContent(), /not a full explanation/i);
  });

  it("edits update recommendations live; an earlier position ignores later edits (causal mask)", async () => {
    const { app } = ctx;
    await app.open("h=50-181-172-174-100-127");
    await app.waitUntilReady();
    await app.waitForResult(0);
    assert.deepEqual(await app.historyIds(), [50, 181, 172, 174, 100, 127]);
    const latest = await app.topIds();

    // Inspect the position right after the third movie.
    let run = await app.run();
    await app.historyItems.nth(2).locator('[data-testid="rec-query"]').click();
    await app.waitForResult(run);
    await app.queryNote.waitFor();
    const atThird = await app.topIds();
    assert.notDeepEqual(atThird, latest);
    const bars = await app.bars();
    assert.deepEqual(bars.map((b) => b.state), ["weight", "weight", "weight", "later", "later", "later"]);
    assert.ok(Math.abs(sum(bars.slice(0, 3).map((b) => b.weight)) - 1) < 0.01);
    assert.ok(await app.page.locator('[data-testid="rec-hit"]').count() >= 0);

    // Remove the last movie: the third position's prediction must not change.
    run = await app.run();
    await app.historyItems.nth(5).locator('[data-testid="rec-remove"]').click();
    await app.waitForResult(run);
    assert.deepEqual(await app.historyIds(), [50, 181, 172, 174, 100]);
    assert.deepEqual(await app.topIds(), atThird, "later movies do not change an earlier prediction");

    // Move the fourth movie up: it is now inside what the third position sees.
    run = await app.run();
    await app.historyItems.nth(3).locator('[data-testid="rec-up"]').click();
    await app.waitForResult(run);
    assert.deepEqual(await app.historyIds(), [50, 181, 174, 172, 100]);
    assert.notDeepEqual(await app.topIds(), atThird);

    // Back to the latest position, and the link restores exactly this view.
    run = await app.run();
    await app.historyItems.nth(4).locator('[data-testid="rec-query"]').click();
    await app.waitForResult(run);
    const top = await app.topIds();
    await app.layerSelect.selectOption("1");
    await app.headSelect.selectOption("2");
    const hash = await app.page.evaluate(() => location.hash);
    assert.match(hash, /h=50-181-174-172-100/);
    await app.page.goto("about:blank");
    await app.page.goto(`${app.baseUrl}${hash}`);
    await app.waitUntilReady();
    await app.waitForResult(0);
    assert.deepEqual(await app.historyIds(), [50, 181, 174, 172, 100]);
    assert.deepEqual(await app.topIds(), top);
    assert.equal(await app.layerSelect.inputValue(), "1");
    assert.equal(await app.headSelect.inputValue(), "2");
  });

  it("refuses unknown titles and bad links in words, and cuts long histories to the window", async () => {
    const { app } = ctx;
    await app.open("h=50-181-99999-abc-50-<script>");
    await app.waitUntilReady();
    await app.waitForResult(0);
    assert.deepEqual(await app.historyIds(), [50, 181]);
    assert.match(await app.linkNote.textContent(), /4 of the 6 entries in this link were not usable/);

    await app.searchInput.fill("zzqx not a movie");
    await app.searchInput.press("Enter");
    await app.notice.waitFor();
    assert.match(await app.notice.textContent(), /No movie matches “zzqx not a movie”\. Nothing was added/);
    assert.deepEqual(await app.historyIds(), [50, 181]);
    assert.equal(await app.searchInput.inputValue(), "zzqx not a movie", "what the user typed is kept");

    const ids = Array.from({ length: 60 }, (_, i) => i + 1);
    await app.page.goto("about:blank");
    await app.open(`h=${ids.join("-")}`);
    await app.waitUntilReady();
    await app.waitForResult(0);
    assert.equal((await app.historyIds()).length, 60);
    assert.match(await app.windowNote.textContent(), /reads only the 50 most recent/);
    const bars = await app.bars();
    assert.deepEqual(bars.slice(0, 10).map((b) => b.state), new Array(10).fill("outside"));
    assert.ok(bars.slice(10).every((b) => b.state === "weight"));
    const top = await app.topIds();
    assert.ok(top.every((id) => id > 60), "even movies outside the window are not recommended again");
  });

  it("says so when the model cannot be downloaded", async () => {
    const { app } = ctx;
    ctx.allow = { allowFailedResponses: [/model\.onnx/], allowConsole: [/404|Failed to load/] };
    await app.page.route(REC_MODEL_URL, (route) => route.fulfill({ status: 404, body: "gone" }));
    await app.open();
    await app.page.locator('[data-testid="model-status"][data-state="failed"]').waitFor();
    assert.match(await app.page.locator('[data-testid="error"]').textContent(), /404|could not|download/i);
  });
});

describe("recommendation demo on a phone", () => {
  const ctx = useRecommend({ viewport: PHONE });

  it("fits a 390 px screen without sideways scrolling", async () => {
    const { app } = ctx;
    await app.open("h=50-181-172-174-100-127");
    await app.waitUntilReady();
    await app.waitForResult(0);
    const overflow = await app.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `no horizontal overflow (${overflow}px)`);
  });
});
