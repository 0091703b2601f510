// ViewerPanel's hand-off of live tile files (releaseLive) in node, with a stand-in for the vscode
// module (fakeVscode.ts) and the test playing the page. No timers: a release is checked after the
// microtasks it would have run in (setImmediate), never after a guessed delay.
import assert from "node:assert/strict";
import fs from "node:fs";
import Module from "node:module";
import path from "node:path";
import { before, describe, it } from "node:test";
import { FakePanel, Uri } from "./fakeVscode";
import { ROOT, tmpDir } from "../support/viewerPage";
import type { ViewerPanel as ViewerPanelType } from "../../src/extension/viewer/panel";

let ViewerPanel: typeof ViewerPanelType;

before(() => {
  // panel.ts imports "vscode", which only exists inside VS Code: resolve it to the stand-in.
  const m = Module as unknown as { _resolveFilename(req: string, ...rest: unknown[]): string };
  const resolve = m._resolveFilename;
  m._resolveFilename = function (req: string, ...rest: unknown[]) {
    return resolve.call(this, req === "vscode" ? path.join(__dirname, "fakeVscode.ts") : req, ...rest);
  };
  ViewerPanel = (require("../../src/extension/viewer/panel") as typeof import("../../src/extension/viewer/panel")).ViewerPanel;
});

/** Whether a promise has settled once pending microtasks ran. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(() => { done = true; });
  await new Promise((r) => setImmediate(r));
  return done;
}

function setup() {
  const dir = tmpDir("citymesh-viewer-panel-");
  const tiles = path.join(dir, "preview");
  fs.mkdirSync(tiles);
  const fake = new FakePanel();
  const panel = new ViewerPanel(fake as never, Uri.file(ROOT) as never);
  panel.beginLive("city", [Uri.file(dir) as never]);
  fake.say({ type: "ready" });
  const tileUrls = () => fake.posted.filter((m) => m.type === "addTile").map((m) => m.url!);
  return { dir, tiles, fake, panel, tileUrls };
}

describe("ViewerPanel.releaseLive", () => {
  it("resolves once the page reported every tile it was given", async () => {
    const { dir, tiles, fake, panel, tileUrls } = setup();
    panel.addTile(path.join(tiles, "a.cmpv"));
    panel.addTile(path.join(tiles, "b.cmpv"));
    const [a, b] = tileUrls();
    const release = panel.releaseLive();
    assert.equal(await settled(release), false, "two tiles outstanding");
    fake.say({ type: "tilesDone", urls: [a] });
    assert.equal(await settled(release), false, "one tile outstanding");
    fake.say({ type: "tilesDone", urls: [b] });
    assert.equal(await settled(release), true);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("after the final mesh, resolves when the page drops the tiles it had not fetched; a reload replays only the mesh", async () => {
    const { dir, tiles, fake, panel, tileUrls } = setup();
    for (const t of ["a", "b", "c"]) panel.addTile(path.join(tiles, `${t}.cmpv`));
    const mesh = path.join(dir, "city.glb");
    fs.writeFileSync(mesh, Buffer.alloc(1234));
    panel.show(Uri.file(mesh) as never);
    const load = fake.posted.find((m) => m.type === "load");
    assert.ok(load, "the output's folder was allowed before the build: no reload, the load is posted");
    assert.equal(load.source!.bytes, 1234, "the load states the file's size (the page's progress total)");
    const release = panel.releaseLive();
    fake.say({ type: "tilesDone", urls: tileUrls().slice(0, 1) }); // fetched
    assert.equal(await settled(release), false);
    fake.say({ type: "tilesDone", urls: tileUrls().slice(1) }); // dropped when the mesh replaced the live view
    assert.equal(await settled(release), true);
    fake.posted.length = 0;
    fake.say({ type: "ready" }); // the page reloads (theme change…)
    assert.deepEqual(fake.posted.map((m) => m.type), ["load"], "no released tile is fetched again");
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("does not wait for a page that is gone: closed, or hidden after the final mesh (its page is destroyed)", async () => {
    for (const end of ["dispose", "hide"] as const) {
      const { dir, tiles, fake, panel } = setup();
      panel.addTile(path.join(tiles, "a.cmpv"));
      if (end === "hide") panel.show(Uri.file(path.join(dir, "city.glb")) as never); // (hidden while live, a would be replayed: see below)
      const release = panel.releaseLive();
      assert.equal(await settled(release), false, "a outstanding");
      if (end === "dispose") fake.dispose(); else fake.setVisible(false);
      assert.equal(await settled(release), true, end);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("waits for tiles held for a page that is loading, and counts them again after a reload", async () => {
    const { dir, tiles, fake, panel, tileUrls } = setup();
    panel.addTile(path.join(tiles, "a.cmpv"));
    fake.setVisible(false); // the page goes; the next tile waits for it
    panel.addTile(path.join(tiles, "b.cmpv"));
    const release = panel.releaseLive();
    assert.equal(await settled(release), false, "b is still to be shown to the page");
    fake.posted.length = 0;
    fake.setVisible(true);
    fake.say({ type: "ready" });
    assert.equal(tileUrls().length, 2, "both tiles replayed to the new page");
    assert.equal(await settled(release), false);
    fake.say({ type: "tilesDone", urls: tileUrls() });
    assert.equal(await settled(release), true);
    fake.posted.length = 0;
    fake.say({ type: "ready" });
    assert.deepEqual(fake.posted.map((m) => m.type), ["beginLive"], "released tiles are not replayed while the build is still live");
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
