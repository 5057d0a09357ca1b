import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { STEPS, useWalkthrough } from "../support.mjs";

describe("steps", () => {
  const ctx = useWalkthrough();

  async function ready() {
    const { app } = ctx;
    await app.open();
    await app.waitUntilReady();
    await app.setText("Attention is all you need.");
    assert.equal(await app.currentStep(), STEPS[0], "starts at the first step");
    return app;
  }

  async function expectStep(app, name) {
    await app.page.locator(`[data-testid="step"][data-step="${name}"]`).waitFor();
    assert.equal(await app.currentStep(), name);
  }

  it("next and previous buttons visit all ten steps in order", async () => {
    const app = await ready();
    const visited = [await app.currentStep()];
    for (const name of STEPS.slice(1)) {
      await app.next();
      await expectStep(app, name);
      visited.push(name);
    }
    assert.deepEqual(visited, STEPS);
    for (const name of STEPS.slice(0, -1).reverse()) {
      await app.prev();
      await expectStep(app, name);
    }
  });

  it("ArrowRight and ArrowLeft visit all ten steps in order", async () => {
    const app = await ready();
    for (const name of STEPS.slice(1)) {
      await app.pressArrow("right");
      await expectStep(app, name);
    }
    for (const name of STEPS.slice(0, -1).reverse()) {
      await app.pressArrow("left");
      await expectStep(app, name);
    }
  });

  it("arrow keys move the caret, not the step, while typing", async () => {
    const app = await ready();
    await app.textInput.click();
    await app.page.keyboard.press("ArrowLeft");
    await app.page.keyboard.press("ArrowRight");
    await app.page.keyboard.press("ArrowRight");
    assert.equal(await app.currentStep(), STEPS[0]);
  });

  it("step tabs jump straight to a step", async () => {
    const app = await ready();
    assert.equal(await app.stepTabs.count(), STEPS.length, "one tab per step");
    for (const name of [...STEPS].reverse()) {
      await app.goToStep(name);
      assert.equal(await app.currentStep(), name);
    }
  });
});
