// The recommendation demo's permalink: history, inspected position, layer, head and the what-if
// recipe round trip; a tampered link says what it could not use and falls back to defaults.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { useRecommend } from "../pages/recommend.mjs";

describe("recommendation permalinks", () => {
  const ctx = useRecommend();

  it("restores the position, layer, head and what-if recipe, and keeps them in the address bar", async () => {
    const { app } = ctx;
    await app.open("h=50-181-172-174-100-127&at=3&layer=1&head=2&temp=2&attn=argmax");
    await app.waitUntilReady();
    await app.waitForResult(0);
    assert.deepEqual(await app.historyIds(), [50, 181, 172, 174, 100, 127]);
    assert.equal(await app.queryIndex(), 2, "the link's position (item 3) is inspected");
    await app.queryNote.waitFor();
    assert.equal(await app.layerSelect.inputValue(), "1");
    assert.equal(await app.headSelect.inputValue(), "2");
    await app.whatIf.waitFor();
    assert.equal(await app.whatIf.getAttribute("data-model"), "false");
    assert.equal(await app.whatIf.getByTestId("whatif-temperature").inputValue(), "2");
    assert.equal(await app.whatIf.getByTestId("whatif-selection").inputValue(), "argmax");
    assert.equal(await app.linkProblem.count(), 0);
    const hash = await app.hash();
    for (const part of ["h=50-181-172-174-100-127", "at=3", "layer=1", "head=2", "temp=2", "attn=argmax"]) {
      assert.ok(hash.includes(part), `${part} in ${hash}`);
    }

    // Change the recipe by hand: the link follows and restores it.
    await app.whatIf.getByTestId("whatif-selection").selectOption("soft");
    await app.whatIf.getByTestId("whatif-mask").selectOption("none");
    await app.whatIf.getByTestId("whatif-temperature").fill("0.5");
    await app.page.waitForFunction(() => location.hash.includes("temp=0.5") && location.hash.includes("mask=none") && !location.hash.includes("attn="));
    const changed = await app.hash();
    await app.page.goto("about:blank");
    await app.page.goto(`${app.baseUrl}${changed}`);
    await app.waitUntilReady();
    await app.waitForResult(0);
    assert.equal(await app.queryIndex(), 2);
    await app.whatIf.waitFor();
    assert.equal(await app.whatIf.getByTestId("whatif-temperature").inputValue(), "0.5");
    assert.equal(await app.whatIf.getByTestId("whatif-mask").inputValue(), "none");
    assert.equal(await app.whatIf.getByTestId("whatif-selection").inputValue(), "soft");
    assert.equal(await app.hash(), changed);
  });

  it("a tampered link says what it could not use and falls back to the defaults", async () => {
    const { app } = ctx;
    await app.open("h=50-181-172&layer=7&head=x&at=99&mask=zzz&scale=maybe");
    await app.waitUntilReady();
    await app.waitForResult(0);
    await app.linkProblem.waitFor();
    assert.equal(await app.linkProblem.getAttribute("role"), "status");
    const text = await app.linkProblem.textContent();
    for (const part of ["layer", "head", "inspected position", "what-if mask", "what-if scaling"]) {
      assert.ok(text.includes(part), `names the ${part}: ${text}`);
    }
    assert.deepEqual(await app.historyIds(), [50, 181, 172], "the usable history is kept");
    assert.equal(await app.layerSelect.inputValue(), "2", "default layer");
    assert.equal(await app.headSelect.inputValue(), "avg", "default head");
    assert.equal(await app.queryIndex(), 2, "the latest position");
    const hash = await app.hash();
    assert.ok(!/layer=|head=|at=|mask=|scale=/.test(hash), `the bad values are gone from the link: ${hash}`);

    await app.page.goto("about:blank");
    await app.open("h=50-181&at=0&layer=abc");
    await app.waitUntilReady();
    await app.waitForResult(0);
    await app.linkProblem.waitFor();
    assert.match(await app.linkProblem.textContent(), /inspected position.*layer|layer.*inspected position/);
  });
});
