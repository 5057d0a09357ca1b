// Trunk post-build hook: writes the list of built files and a content-derived version into the
// service worker (dist/sw.js), so each build that changes anything ships a new worker.
//
// Only the app itself and the default demo's model are fetched at install (each with its SHA-256). The other demos'
// models are downloaded when a visitor opens that demo, and the worker keeps them from then on.
import { createHash } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";

const PRECACHED_MODELS = "models/langid/";
const dir = process.env.TRUNK_STAGING_DIR ?? process.argv[2];
if (!dir) {
  console.error("precache: no TRUNK_STAGING_DIR (run as a Trunk hook) and no directory argument");
  process.exit(1);
}

async function walk(root) {
  const out = [];
  for (const entry of await readdir(root, { withFileTypes: true })) {
    const path = join(root, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

const swPath = join(dir, "sw.js");
const template = await readFile(swPath, "utf8");
const hash = createHash("sha256");
const files = [];
for (const path of (await walk(dir)).sort()) {
  const rel = relative(dir, path).split(sep).join("/");
  if (rel === "sw.js") continue;
  const bytes = await readFile(path);
  hash.update(rel).update(bytes);
  if (!rel.startsWith("models/") || rel.startsWith(PRECACHED_MODELS)) {
    // The content hash lets the worker take a file from the browser's HTTP cache (the page has
    // just downloaded it) and know that it is this build's, not an older one under the same name.
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    files.push({ url: rel === "index.html" ? "./" : rel, sha256 });
  }
}
const version = hash.digest("hex").slice(0, 16);
const line = `const PRECACHE = ${JSON.stringify({ version, files })};`;
if (!template.includes('const PRECACHE = { version: "dev", files: [] };')) {
  console.error("precache: sw.js has no PRECACHE placeholder line");
  process.exit(1);
}
await writeFile(swPath, template.replace('const PRECACHE = { version: "dev", files: [] };', line));
console.log(`precache: sw.js version ${version}, ${files.length} files`);
