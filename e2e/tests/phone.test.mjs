import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { PHONE, STEPS, useWalkthrough } from "../support.mjs";

describe("phone (390 px)", () => {
  const ctx = useWalkthrough({ viewport: PHONE });

  it("no step scrolls the page sideways, even with the longest input", async () => {
    const { app } = ctx;
    await app.open();
    await app.waitUntilReady();
    await app.setText("Supercalifragilisticexpialidocious words and many more tokens to fill the heatmap. ".repeat(8));
    const overflowing = [];
    for (const name of STEPS) {
      await app.goToStep(name);
      const overflow = await app.horizontalOverflow();
      if (overflow > 1) overflowing.push(`${name}: ${overflow}px`);
    }
    assert.deepEqual(overflowing, [], "steps wider than the phone");
  });
});

describe("phone in Chinese (360 px)", () => {
  const ctx = useWalkthrough({ viewport: { width: 360, height: 780 }, locale: "zh-CN" });

  it("the header with the language switch fits, and no step scrolls sideways", async () => {
    const { app } = ctx;
    await app.open();
    await app.waitUntilReady();
    assert.equal(await app.language(), "zh-CN");
    const box = (l) => l.evaluate((el) => el.getBoundingClientRect().toJSON());
    const title = await box(app.page.locator("h1"));
    const lang = await box(app.langSwitch);
    assert.ok(lang.right <= 360 && lang.left >= title.right - 1, `switch ${JSON.stringify(lang)} beside title ${JSON.stringify(title)}`);
    assert.ok(lang.top < title.bottom && lang.bottom > title.top, "title and switch share a row");
    const overflowing = [];
    for (const name of STEPS) {
      await app.goToStep(name);
      const overflow = await app.horizontalOverflow();
      if (overflow > 1) overflowing.push(`${name}: ${overflow}px`);
    }
    assert.deepEqual(overflowing, [], "steps wider than the phone");
  });
});
