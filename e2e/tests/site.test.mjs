import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { useWalkthrough } from "../support.mjs";

describe("what a real site has: icon, web app manifest, description for link previews", () => {
  const ctx = useWalkthrough();

  it("names its icon (no request for /favicon.ico) and serves it under the sub-path", async () => {
    const { app } = ctx;
    const asked = [];
    app.page.on("request", (req) => asked.push(new URL(req.url()).pathname));
    await app.open();
    await app.waitUntilReady();
    const icon = await app.page.locator('link[rel="icon"]').getAttribute("href");
    assert.equal(icon, "icon.svg", "relative, so it works under any sub-path");
    const res = await app.page.request.get(new URL(icon, app.baseUrl).href);
    assert.equal(res.status(), 200);
    assert.match(res.headers()["content-type"], /svg/);
    assert.ok(!asked.includes("/favicon.ico"), `no root favicon request: ${asked.filter((p) => p.endsWith(".ico"))}`);
  });

  it("has a web app manifest whose start URL, scope and icons resolve inside the site", async () => {
    const { app } = ctx;
    await app.open();
    const href = await app.page.locator('link[rel="manifest"]').getAttribute("href");
    const manifestUrl = new URL(href, app.baseUrl);
    const res = await app.page.request.get(manifestUrl.href);
    assert.equal(res.status(), 200);
    const manifest = JSON.parse(await res.text());
    assert.equal(manifest.name, "Attention Playground");
    assert.ok(manifest.short_name && manifest.theme_color && manifest.display === "standalone");
    for (const key of ["start_url", "scope"]) {
      assert.equal(new URL(manifest[key], manifestUrl).href, app.baseUrl, `${key} is the site root under the sub-path`);
    }
    const sizes = manifest.icons.map((i) => i.sizes);
    assert.ok(sizes.includes("192x192") && sizes.includes("512x512"), `PNG icons for installing: ${sizes}`);
    for (const icon of manifest.icons) {
      const got = await app.page.request.get(new URL(icon.src, manifestUrl).href);
      assert.equal(got.status(), 200, icon.src);
      assert.equal(got.headers()["content-type"].split(";")[0], icon.type, icon.src);
      if (icon.type === "image/png") {
        // The PNG's own header says its size: the manifest must not claim another.
        const png = await got.body();
        const [w, h] = [png.readUInt32BE(16), png.readUInt32BE(20)];
        assert.equal(`${w}x${h}`, icon.sizes, icon.src);
      }
    }
    assert.equal(await app.page.locator('meta[name="theme-color"]').getAttribute("content"), manifest.theme_color);
  });

  it("describes itself for search results and shared-link previews", async () => {
    const { app } = ctx;
    await app.open();
    const meta = async (selector) => (await app.page.locator(selector).getAttribute("content"))?.trim() ?? "";
    assert.ok((await meta('meta[name="description"]')).length > 20);
    assert.equal(await meta('meta[property="og:title"]'), "Attention Playground");
    assert.ok((await meta('meta[property="og:description"]')).length > 20);
    assert.equal(await meta('meta[property="og:type"]'), "website");
  });
});
