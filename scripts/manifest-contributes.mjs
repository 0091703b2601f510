// Writes the extension glue's part of package.json (contributes.* except the viewer's customEditors and its
// command, activationEvents, capabilities, scripts test:host/package) into the file in place, leaving every other
// field and the viewer's entries untouched. Run: node scripts/manifest-contributes.mjs
import fs from "fs";

const file = new URL("../package.json", import.meta.url);
const cat = "City Mesh";
const geo = "resourceExtname == .geojson";
const mine = ["citymesh.build", "citymesh.buildWithOptions", "citymesh.resumeBuild", "citymesh.cancelBuild", "citymesh.cleanScratch", "citymesh.showLog", "citymesh.statusBarMenu", "citymesh.openSample"];

const commands = [
  { command: "citymesh.build", title: "Build City Mesh", category: cat, icon: "$(symbol-structure)" },
  { command: "citymesh.buildWithOptions", title: "Build City Mesh with Options…", category: cat },
  { command: "citymesh.resumeBuild", title: "Resume Build", category: cat },
  { command: "citymesh.cancelBuild", title: "Cancel Build", category: cat, icon: "$(stop-circle)" },
  { command: "citymesh.cleanScratch", title: "Clean Scratch Store", category: cat },
  { command: "citymesh.showLog", title: "Show Build Log", category: cat },
  { command: "citymesh.statusBarMenu", title: "Build Actions", category: cat },
  { command: "citymesh.openSample", title: "Open Sample City", category: cat },
];

const menus = {
  commandPalette: [
    { command: "citymesh.cancelBuild", when: "citymesh.building" },
    { command: "citymesh.resumeBuild", when: "!citymesh.building" },
    { command: "citymesh.cleanScratch", when: "!citymesh.building && workspaceFolderCount > 0" },
    { command: "citymesh.statusBarMenu", when: "citymesh.building" },
  ],
  "explorer/context": [
    { command: "citymesh.build", when: `${geo} && !explorerResourceIsFolder`, group: "navigation@90" },
    { command: "citymesh.buildWithOptions", when: `${geo} && !explorerResourceIsFolder`, group: "navigation@91" },
  ],
  "editor/title": [
    { command: "citymesh.build", when: `${geo} && !citymesh.building`, group: "navigation@90" },
    { command: "citymesh.cancelBuild", when: `${geo} && citymesh.building`, group: "navigation@90" },
  ],
  "editor/title/context": [
    { command: "citymesh.build", when: geo, group: "citymesh@1" },
    { command: "citymesh.buildWithOptions", when: geo, group: "citymesh@2" },
  ],
  "editor/context": [
    { command: "citymesh.build", when: geo, group: "citymesh@1" },
    { command: "citymesh.buildWithOptions", when: geo, group: "citymesh@2" },
  ],
};

const P = (o) => o; // property helper for readability
const configuration = {
  title: "City Mesh",
  properties: {
    "citymesh.tileSize": P({ type: "number", default: 1000, minimum: 50, maximum: 20000, scope: "resource", order: 1, markdownDescription: "Edge length of a tile in metres. Each worker meshes one tile at a time, so smaller tiles use less memory per worker; very small tiles add seams and overhead." }),
    "citymesh.workers": P({ type: "integer", default: 0, minimum: 0, maximum: 64, scope: "machine-overridable", order: 2, markdownDescription: "Worker threads meshing tiles in parallel. `0` = one per CPU core." }),
    "citymesh.format": P({ type: "string", default: "glb", enum: ["glb", "ply", "obj", "stl"], enumDescriptions: ["Binary glTF (the viewer's native format)", "Stanford PLY", "Wavefront OBJ", "Binary STL"], scope: "resource", order: 3, description: "Output format of the city mesh." }),
    "citymesh.outputDir": P({ type: "string", default: "", scope: "machine-overridable", order: 4, markdownDescription: "Folder the mesh is written to; empty = beside the GeoJSON. Relative paths are relative to the workspace folder. A value set in workspace settings must stay inside the workspace folder." }),
    "citymesh.useDiskStore": P({ type: "boolean", default: true, scope: "resource", order: 10, markdownDescription: "Keep finished tiles in an on-disk scratch store (out-of-core; lets a cancelled or failed build resume). Off = tiles stay in memory." }),
    "citymesh.scratchDir": P({ type: "string", default: "", scope: "machine-overridable", order: 11, markdownDescription: "Scratch store folder; empty = `<workspaceFolder>/.citymesh/scratch` (a `.citymesh/.gitignore` keeps it out of git). Relative paths are relative to the workspace folder. A value set in workspace settings must stay inside the workspace folder." }),
    "citymesh.keepIntermediate": P({ type: "boolean", default: false, scope: "resource", order: 12, description: "Keep the scratch tiles after a successful build (they are always kept after a cancelled or failed one, for resuming)." }),
    "citymesh.mergeBatchSize": P({ type: "integer", default: 2, minimum: 2, maximum: 64, scope: "resource", order: 13, description: "Tiles held in memory at once while merging: the merge reads the tiles in one pass, this many at a time, and streams the mesh to disk. Does not change the output." }),
    "citymesh.maxMeshSize": P({ type: "number", default: 10, minimum: 0.5, maximum: 1000, scope: "resource", order: 20, description: "Longest edge of a ground triangle, metres." }),
    "citymesh.minBuildingArea": P({ type: "number", default: 0, minimum: 0, scope: "resource", order: 21, description: "Buildings with a smaller footprint area (m²) are dropped." }),
    "citymesh.defaultHeight": P({ type: "number", default: 10, minimum: 0.1, maximum: 1000, scope: "resource", order: 22, description: "Height (m) of buildings that have no height attribute and no levels." }),
    "citymesh.heightAttributes": P({ type: "array", items: { type: "string" }, default: ["height", "building:height", "HEIGHT", "measuredHeight", "building:levels"], scope: "resource", order: 23, markdownDescription: "Feature properties read as the building height, first match wins. Names ending in `levels` are storey counts × `#citymesh.levelHeight#`. Without any, `#citymesh.defaultHeight#` is used." }),
    "citymesh.levelHeight": P({ type: "number", default: 3, minimum: 0.5, maximum: 20, scope: "resource", order: 24, description: "Metres per storey when the height comes from a levels attribute." }),
    "citymesh.crs": P({ type: "string", default: "", scope: "resource", order: 30, markdownDescription: "Metric CRS of the mesh, e.g. `EPSG:32631`. Empty = the UTM zone of the data's centre (or the input's own projected CRS)." }),
    "citymesh.dem": P({ type: "string", default: "", scope: "machine-overridable", order: 31, markdownDescription: "Digital elevation model (GeoTIFF, in the data's CRS) for the terrain; empty = flat ground. A value set in workspace settings must stay inside the workspace folder." }),
  },
};

const S = (type, description, extra = {}) => ({ type, description, ...extra });
const taskDefinitions = [{
  type: "citymesh",
  required: ["input"],
  properties: {
    input: S("string", "GeoJSON file to build, e.g. ${workspaceFolder}/data/city.geojson. Relative paths are relative to the workspace folder."),
    output: S("string", "Mesh file to write; default: beside the input with the format's extension."),
    format: S("string", "Output format.", { enum: ["glb", "ply", "obj", "stl"] }),
    tileSize: S("number", "Tile edge length in metres.", { minimum: 50 }),
    workers: S("integer", "Worker threads; 0 = one per core.", { minimum: 0 }),
    useDiskStore: S("boolean", "Keep tiles in an on-disk scratch store (resumable)."),
    scratchDir: S("string", "Scratch store folder (inside the workspace)."),
    keepIntermediate: S("boolean", "Keep the scratch tiles after a successful build."),
    mergeBatchSize: S("integer", "Tiles held in memory at once while merging (one pass, in batches of this size).", { minimum: 2 }),
    maxMeshSize: S("number", "Longest ground triangle edge, metres."),
    dem: S("string", "DEM GeoTIFF for the terrain (inside the workspace)."),
    heightAttributes: S("array", "Feature properties read as the building height.", { items: { type: "string" } }),
    defaultHeight: S("number", "Height of buildings without a height attribute, metres."),
  },
}];

const walkthroughs = [{
  id: "citymesh.gettingStarted",
  title: "Get started with City Mesh",
  description: "Turn GeoJSON building footprints into a 3D city mesh and look at it.",
  steps: [
    { id: "sample", title: "Open the sample city", description: "Copy the bundled sample (a few hundred buildings) into your workspace folder and open it.\n[Open Sample City](command:citymesh.openSample)", media: { markdown: "media/walkthrough/sample.md" }, completionEvents: ["onCommand:citymesh.openSample"] },
    { id: "build", title: "Build the mesh", description: "Mesh ground, walls and roofs tile by tile. Progress shows in the status bar; input problems go to the Problems panel.\n[Build City Mesh](command:citymesh.build)", media: { markdown: "media/walkthrough/build.md" }, completionEvents: ["onCommand:citymesh.build"] },
    { id: "view", title: "Open the viewer", description: "Orbit the city, click a building to see its attributes.\n[Open Mesh Viewer](command:citymesh.openViewer)", media: { markdown: "media/walkthrough/view.md" }, completionEvents: ["onCommand:citymesh.openViewer"] },
    { id: "tasks", title: "Automate with a task", description: "Add a `citymesh` task to tasks.json to rebuild with fixed options.\n[Configure Task](command:workbench.action.tasks.configureTaskRunner)", media: { markdown: "media/walkthrough/tasks.md" }, completionEvents: ["onCommand:workbench.action.tasks.configureTaskRunner"] },
  ],
}];

const capabilities = {
  untrustedWorkspaces: {
    supported: "limited",
    description: "Building a city mesh runs worker threads and writes files (mesh, scratch store), so builds are disabled until the workspace is trusted. The viewer still opens existing meshes.",
    restrictedConfigurations: ["citymesh.scratchDir", "citymesh.outputDir", "citymesh.dem", "citymesh.workers"],
  },
  virtualWorkspaces: { supported: false, description: "Builds read and write local files with Node's fs and worker threads." },
};

const raw = fs.readFileSync(file, "utf8");
const pkg = JSON.parse(raw);
pkg.activationEvents ??= [];
if (!pkg.activationEvents.includes("onTaskType:citymesh")) pkg.activationEvents.push("onTaskType:citymesh");
const c = (pkg.contributes ??= {});
c.commands = [...(c.commands ?? []).filter((x) => !mine.includes(x.command)), ...commands];
c.menus ??= {};
for (const [where, items] of Object.entries(menus)) {
  c.menus[where] = [...(c.menus[where] ?? []).filter((x) => !mine.includes(x.command)), ...items];
}
c.configuration = configuration;
c.taskDefinitions = taskDefinitions;
c.walkthroughs = walkthroughs;
pkg.capabilities = capabilities;
pkg.scripts["test:host"] = "node test/host/run-host-tests.mjs";
pkg.scripts.package = "vsce package --no-dependencies --out citymesh.vsix"; // vscode:prepublish makes the production bundle
const out = JSON.stringify(pkg, null, 2) + "\n";
if (fs.readFileSync(file, "utf8") !== raw) throw new Error("package.json changed while patching; rerun");
fs.writeFileSync(file, out);
console.log("package.json patched");
