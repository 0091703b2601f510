// The 3D view: renderer, camera and MapControls, the mesh and live tiles, picking, state.
// Renders on demand (a frame only after something changed), no allocation per frame. Live tiles
// that arrived since the last frame are merged into one mesh at the next frame (LiveFeed, mergeTiles),
// so the view keeps up however fast the build announces them.
import {
  Box3, BufferAttribute, BufferGeometry, DirectionalLight, Group, HemisphereLight, Mesh, PerspectiveCamera,
  Raycaster, Scene, Sphere, Vector2, Vector3, WebGLRenderer, type Material,
} from "three";
import { MapControls } from "three/examples/jsm/controls/MapControls.js";
import type { Host } from "./host";
import type { HostToViewer, MeshSource, ViewerState } from "./protocol";
import { markerBuilding, SurfaceClass, type MeshData } from "./meshData";
import { formatOf, parseMesh } from "./loaders";
import { fetchWithProgress, progressText } from "./fetchProgress";
import { LiveFeed } from "./liveFeed";
import { mergeTiles } from "./tileBatch";
import { heightColors, toGeometry, type HeightColors } from "./geometry";
import { buildingFaces, pickFace } from "./pick";
import { createMaterials, themeBackground } from "./style";
import { Ui } from "./ui";
import { tilesShown } from "./counts";
import { isSoftwareRenderer, rendererName } from "./gpu";
import { TilesetView } from "./tileset";

const MAX_PIXEL_RATIO = 2;
/** Camera direction for "fit": from the south-east, above (x east, y up, z south). */
const FIT_DIR = new Vector3(0.45, 0.8, 0.9).normalize();
const TOP_DIR = new Vector3(0, 1, 1e-4).normalize();

interface Shown { mesh: Mesh; data: MeshData; heights?: HeightColors; meshedBuildings?: number }

export class Viewer {
  private readonly ui: Ui;
  private readonly renderer: WebGLRenderer;
  private readonly scene = new Scene();
  private readonly camera = new PerspectiveCamera(45, 1, 0.1, 1000);
  private readonly controls: MapControls;
  private readonly mats = createMaterials();
  private readonly tiles = new Group();
  private readonly bounds = new Sphere(new Vector3(), -1);
  private readonly box = new Box3();
  private readonly raycaster = new Raycaster();
  private readonly ndc = new Vector2();
  private readonly rayO = new Float64Array(3);
  private readonly rayD = new Float64Array(3);
  private readonly px = new Uint8Array(4);
  private final?: Shown;
  /** Live tile batches on screen (each one mesh, merged from the tiles that arrived in one frame). */
  private live: Shown[] = [];
  private liveTiles = 0;
  private readonly feed: LiveFeed;
  /** Refit as live tiles extend the bounds, until the user moves the camera in this live session. */
  private followLive = true;
  /** Between the controls' "start" and "end": a camera change now is the user's. */
  private userGesture = false;
  /** A final mesh is being fetched or parsed (the live tiles stay until it is ready to draw). */
  private loading = false;
  private highlight?: { mesh: Mesh; index: BufferAttribute };
  private state: ViewerState;
  private source?: MeshSource;
  private loadSeq = 0;
  private framePending = false;
  private firstFrame?: { t0: number; fetchMs: number; parseMs: number };
  private saveTimer = 0;
  private pickSeq = 0;
  /** A streamed 3D Tiles tileset on screen (instead of a mesh). */
  private tileset?: TilesetView;
  /** The tileset's load began then; its first frame is the first one drawn once the view's tiles are all in. */
  private tilesetT0?: { t0: number; rootMs?: number };
  private tilesetCounts = "";

  constructor(private readonly host: Host) {
    this.ui = new Ui({
      // Top is the user choosing a view: live tiles must not refit it back to the oblique one.
      fit: () => this.fit(), top: () => { this.followLive = false; this.top(); },
      colorMode: (m) => { this.state.colorMode = m; this.applyColorMode(); this.save(); },
      wireframe: (on) => { this.state.wireframe = on; this.applyColorMode(); this.save(); },
    });
    const saved = host.getState();
    this.state = saved && saved.v === 1 ? saved : { v: 1, colorMode: "class", wireframe: false };
    this.ui.setToggles(this.state.colorMode, this.state.wireframe);

    // preserveDrawingBuffer: tests and screenshots read the pixels back.
    const gpu = rendererName();
    document.documentElement.dataset.renderer = gpu;
    this.renderer = new WebGLRenderer({ antialias: !isSoftwareRenderer(gpu), preserveDrawingBuffer: true, powerPreference: "high-performance" });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, MAX_PIXEL_RATIO));
    this.ui.view.append(this.renderer.domElement);
    this.applyTheme();
    new MutationObserver(() => this.applyTheme()).observe(document.body, { attributes: true, attributeFilter: ["class", "style"] });

    this.scene.add(new HemisphereLight(0xffffff, 0x5a5a5a, 2.4));
    const sun = new DirectionalLight(0xffffff, 2.2);
    sun.position.set(0.25, 1, 0.7); // south faces lit, east faces in half-shade
    this.scene.add(sun, this.tiles);

    this.controls = new MapControls(this.camera, this.renderer.domElement);
    this.controls.maxPolarAngle = Math.PI / 2 - 0.02; // stay above the ground
    this.controls.zoomToCursor = true;
    // "start"/"end" come only from user input (pointer, wheel, touch), never from update() (our own fits).
    this.controls.addEventListener("start", () => { this.userGesture = true; });
    this.controls.addEventListener("change", () => { if (this.userGesture) this.followLive = false; this.requestRender(); this.saveSoon(); });
    this.controls.addEventListener("end", () => { this.userGesture = false; this.save(); });
    this.feed = new LiveFeed((urls) => host.post({ type: "tilesDone", urls }), () => this.requestRender());

    new ResizeObserver(() => this.resize()).observe(this.ui.view);
    this.resize();
    this.bindPicking();
  }

  handle(m: HostToViewer): void {
    if (m.type === "load") void this.load(m.source);
    else if (m.type === "beginLive") this.beginLive(m.title);
    else if (m.type === "addTile") this.addTile(m.url);
  }

  /** Fetches and shows a mesh; replaces live tiles once it is on screen. */
  async load(source: MeshSource): Promise<void> {
    const seq = ++this.loadSeq;
    const t0 = performance.now();
    const html = document.documentElement.dataset;
    if (isTileset(source)) { this.loadTileset(source, t0); return; }
    this.ui.setStatus(`Loading ${source.name}…`);
    html.status = "loading";
    this.loading = true;
    let shownText = "", shownPercent = -1;
    try {
      // Live tiles keep arriving and drawing meanwhile: the view stays current until the mesh replaces it.
      const buf = await fetchWithProgress(source.url, source.bytes, (loaded, total) => {
        if (seq !== this.loadSeq) return;
        html.loadBytes = String(loaded);
        if (total) html.loadTotal = String(total); else delete html.loadTotal;
        const text = `Loading ${source.name} — ${progressText(loaded, total)}`;
        if (text !== shownText) this.ui.setStatus(shownText = text); // the DOM only when the figure changes
        const percent = total ? Math.floor((100 * loaded) / total) : -1;
        if (percent !== shownPercent || !total) {
          shownPercent = percent;
          this.host.post({ type: "loadProgress", key: source.key, loaded, total: total ?? 0 });
        }
      });
      if (seq !== this.loadSeq) return;
      const t1 = performance.now();
      this.ui.setStatus(`Reading ${source.name}…`);
      const data = await parseMesh(buf, formatOf(source.name || source.url, source.format));
      if (seq !== this.loadSeq) return;
      const t2 = performance.now();
      // Same build, camera moved by the user during the live view: keep their view of the city.
      const keepLiveCamera = this.live.length > 0 && !this.followLive;
      this.stopLive();
      this.clearFinal();
      this.clearTileset();
      this.loading = false;
      this.final = this.addMesh(data);
      this.source = source;
      this.state.source = source;
      this.bounds.copy(this.final.mesh.geometry.boundingSphere!);
      this.box.copy(this.final.mesh.geometry.boundingBox!);
      const cam = this.state.camera;
      if (keepLiveCamera) this.limitZoomOut();
      else if (cam && cam.key === source.key) this.setCamera(cam.position, cam.target);
      else this.fit();
      this.applyColorMode();
      this.updateCounts();
      this.ui.setStatus("");
      this.firstFrame = { t0, fetchMs: t1 - t0, parseMs: t2 - t1 };
      this.requestRender();
      this.save();
    } catch (e) {
      if (seq !== this.loadSeq) return;
      this.loading = false;
      this.fail(`Could not open ${source.name}: ${(e as Error).message}`);
    }
  }

  beginLive(title: string): void {
    this.loadSeq++;
    this.loading = false;
    this.stopLive();
    this.clearFinal();
    this.clearTileset();
    this.source = undefined; // the camera is no longer the previous mesh's
    this.followLive = true;
    this.bounds.makeEmpty();
    this.box.makeEmpty();
    this.ui.setStatus(`${title}: waiting for tiles…`);
    document.documentElement.dataset.status = "live";
    document.documentElement.dataset.liveTiles = "0"; // live tiles drawn since this build began (kept when the final mesh comes)
    document.documentElement.dataset.liveBatches = "0"; // meshes they were drawn as (one per frame that had new tiles)
    this.updateCounts();
    this.requestRender();
  }

  /** Queued; fetched a few at a time and drawn at the next frame after they arrive (drainLive). */
  addTile(url: string): void {
    this.feed.add(url);
  }

  /** Adds the tiles that arrived since the last frame as one mesh; refits while the user has not moved the camera. */
  private drainLive(): void {
    const tiles = this.feed.take();
    if (!tiles.length) return;
    // One build's tiles share the city's N; a batch is merged per N (in practice one).
    const byN = new Map<number, MeshData[]>();
    for (const t of tiles) { const l = byN.get(t.buildings); if (l) l.push(t); else byN.set(t.buildings, [t]); }
    const html = document.documentElement.dataset;
    for (const group of byN.values()) {
      const shown = this.addMesh(mergeTiles(group), this.tiles);
      this.live.push(shown);
      this.liveTiles += group.length;
      const s = shown.mesh.geometry.boundingSphere!;
      if (this.bounds.isEmpty()) this.bounds.copy(s); else this.bounds.union(s);
      this.box.union(shown.mesh.geometry.boundingBox!);
    }
    html.liveTiles = String(Number(html.liveTiles ?? 0) + tiles.length);
    html.liveBatches = String(Number(html.liveBatches ?? 0) + byN.size);
    if (this.followLive) this.frameFrom(FIT_DIR, false);
    else this.limitZoomOut();
    this.applyColorMode();
    this.updateCounts();
    if (!this.loading) this.ui.setStatus("");
    this.host.post({ type: "liveView", tilesDrawn: this.liveTiles, coversTiles: this.showsBox(this.box) });
  }

  /**
   * Whether every corner of `box` (scene coordinates) is in front of the camera and inside its view. Depth is left
   * out on purpose: near and far follow the bounds at the next render, and a perspective projection's x and y do
   * not depend on them.
   */
  private showsBox(box: Box3): boolean {
    if (box.isEmpty()) return false;
    this.camera.updateMatrixWorld();
    const v = new Vector3();
    for (let i = 0; i < 8; i++) {
      v.set(i & 1 ? box.max.x : box.min.x, i & 2 ? box.max.y : box.min.y, i & 4 ? box.max.z : box.min.z);
      if (v.clone().applyMatrix4(this.camera.matrixWorldInverse).z >= 0) return false;
      v.project(this.camera);
      if (!(Math.abs(v.x) <= 1 && Math.abs(v.y) <= 1)) return false;
    }
    return true;
  }

  /**
   * Streams a 3D Tiles tileset: 3d-tiles-renderer fetches the tiles the camera needs (at each frame, see frame()).
   * Replaces whatever was shown at once; the camera fits the root volume once the root tileset is read.
   */
  private loadTileset(source: MeshSource, t0: number): void {
    this.stopLive();
    this.clearFinal();
    this.clearTileset();
    this.loading = false;
    this.source = source;
    this.state.source = source;
    this.bounds.makeEmpty();
    this.box.makeEmpty();
    this.ui.setStatus(`Loading ${source.name}…`);
    document.documentElement.dataset.status = "loading";
    document.documentElement.dataset.kind = "tileset";
    const version = /[?&]v=([^&#]+)/.exec(source.url)?.[1];
    const ts = this.tileset = new TilesetView(source.url, this.camera, this.renderer, this.mats, {
      changed: () => this.requestRender(),
      placed: () => {
        if (this.tileset !== ts) return;
        this.tilesetT0 = { ...this.tilesetT0!, rootMs: performance.now() - t0 };
        this.bounds.copy(ts.sphere);
        this.box.copy(ts.box);
        const cam = this.state.camera;
        if (cam && cam.key === source.key) this.setCamera(cam.position, cam.target); else this.frameFrom(FIT_DIR, false);
        this.updateClipPlanes();
        this.applyColorMode();
        this.ui.setStatus(`Loading ${source.name}: tiles…`);
      },
      error: (message) => { if (this.tileset === ts) this.fail(`Could not open ${source.name}: ${message}`); },
    }, version);
    this.tilesetT0 = { t0 };
    this.scene.add(ts.group);
    this.applyColorMode();
    this.updateCounts();
    this.requestRender();
  }

  private clearTileset(): void {
    if (!this.tileset) return;
    this.tileset.dispose();
    this.tileset = undefined;
    this.tilesetT0 = undefined;
    this.tilesetCounts = "";
    delete document.documentElement.dataset.kind;
    this.ui.hideBuilding();
  }

  /** Drops the live tiles (drawn and still coming); the host hears which files the page no longer needs. */
  private stopLive(): void {
    this.feed.stop();
    this.clearLive();
  }

  fit(): void { this.frameFrom(FIT_DIR); }

  /** Looks straight down, north (-z) up on screen; a hair of z keeps "up" defined. */
  top(): void { this.frameFrom(TOP_DIR); }

  /** Camera on the ray from the bounds' centre along dir, just far enough to see every corner. */
  private frameFrom(dir: Vector3, save = true): void {
    if (this.box.isEmpty()) return;
    const c = this.box.getCenter(new Vector3());
    const dist = this.fitDistance(dir, c);
    this.setCamera([c.x + dir.x * dist, c.y + dir.y * dist, c.z + dir.z * dist], [c.x, c.y, c.z]);
    if (save) this.save();
  }

  /** Smallest distance at which all 8 box corners are inside the frustum (plus a margin). */
  private fitDistance(dir: Vector3, c: Vector3): number {
    const tanV = Math.tan((this.camera.fov * Math.PI) / 360), tanH = tanV * this.camera.aspect;
    const x = new Vector3().crossVectors(this.camera.up, dir).normalize(), y = new Vector3().crossVectors(dir, x);
    const v = new Vector3();
    let d = 0;
    for (let k = 0; k < 8; k++) {
      v.set(k & 1 ? this.box.max.x : this.box.min.x, k & 2 ? this.box.max.y : this.box.min.y, k & 4 ? this.box.max.z : this.box.min.z).sub(c);
      const depth = v.dot(dir);
      d = Math.max(d, depth + Math.abs(v.dot(x)) / tanH, depth + Math.abs(v.dot(y)) / tanV);
    }
    return d * 1.06 + 1;
  }

  /** Zooming out stops at 20 × the bounds' radius, whoever placed the camera. */
  private limitZoomOut(): void {
    this.controls.maxDistance = Math.max(10, this.bounds.radius * 20);
  }

  private setCamera(p: number[], t: number[]): void {
    this.camera.position.set(p[0], p[1], p[2]);
    this.controls.target.set(t[0], t[1], t[2]);
    this.limitZoomOut();
    this.controls.update();
    this.requestRender();
  }

  private addMesh(data: MeshData, parent: Scene | Group = this.scene): Shown {
    const mesh = new Mesh(toGeometry(data), this.mats.get("class", false));
    mesh.matrixAutoUpdate = false;
    parent.add(mesh);
    return { mesh, data };
  }

  private clearFinal(): void {
    if (!this.final) return;
    this.clearHighlight(true);
    this.scene.remove(this.final.mesh);
    this.final.mesh.geometry.dispose();
    this.final = undefined;
  }

  private clearLive(): void {
    for (const s of this.live) { this.tiles.remove(s.mesh); s.mesh.geometry.dispose(); }
    this.live = [];
    this.liveTiles = 0;
  }

  private applyColorMode(): void {
    const height = this.state.colorMode === "height";
    if (this.tileset) {
      this.tileset.setStyle(this.state.colorMode, this.state.wireframe);
      if (height) this.ui.legendHeight(0, this.tileset.heightRange, true);
      else this.ui.legendClasses([SurfaceClass.Ground, SurfaceClass.Wall, SurfaceClass.Roof]);
      this.requestRender();
      return;
    }
    let legendHeights: HeightColors | undefined;
    for (const s of [...(this.final ? [this.final] : []), ...this.live]) {
      if (height && !s.heights) {
        s.heights = heightColors(s.data);
        s.mesh.geometry.setAttribute("color", new BufferAttribute(s.heights.colors, 3, true));
      }
      s.mesh.material = this.mats.get(this.state.colorMode, this.state.wireframe);
      if (s.heights) legendHeights = legendHeights
        ? { ...legendHeights, min: Math.min(legendHeights.min, s.heights.min), max: Math.max(legendHeights.max, s.heights.max) }
        : s.heights;
    }
    if (height && legendHeights) this.ui.legendHeight(legendHeights.min, legendHeights.max, legendHeights.perBuilding);
    else {
      const present = new Set<SurfaceClass>();
      for (const s of [...(this.final ? [this.final] : []), ...this.live]) for (const g of s.data.groups) present.add(g.cls);
      this.ui.legendClasses([...present].sort());
    }
    this.requestRender();
  }

  private updateCounts(): void {
    if (this.tileset) { this.ui.setCounts(this.tileset.counts()); return; }
    let triangles = 0, vertices = 0, buildings = 0;
    const shown = this.final ? [this.final] : this.live;
    for (const s of shown) { triangles += s.data.index.length / 3; vertices += s.data.positions.length / 3; }
    // The final mesh holds all N buildings. A live tile carries the city's N (its markers' convention)
    // but meshes only the buildings it owns, each in exactly one tile: count those.
    if (this.final) buildings = this.final.data.buildings;
    else for (const s of shown) buildings += (s.meshedBuildings ??= meshedBuildings(s.data));
    this.ui.setCounts({ triangles, vertices, tiles: tilesShown(this.final?.data, this.liveTiles), buildings });
  }

  // ---- picking -------------------------------------------------------------------------

  private bindPicking(): void {
    const el = this.renderer.domElement;
    let downX = 0, downY = 0, downT = 0;
    el.addEventListener("pointerdown", (e) => { downX = e.clientX; downY = e.clientY; downT = e.timeStamp; });
    el.addEventListener("pointerup", (e) => {
      if (e.button !== 0 || Math.hypot(e.clientX - downX, e.clientY - downY) > 4 || e.timeStamp - downT > 600) return;
      void this.pickAt(e.clientX, e.clientY);
    });
  }

  /** Building index under a client (CSS pixel) position, or -1. */
  buildingAt(clientX: number, clientY: number): number {
    const f = this.final;
    if (!f || !f.data.markers) return -1;
    const r = this.renderer.domElement.getBoundingClientRect();
    this.ndc.set(((clientX - r.left) / r.width) * 2 - 1, -((clientY - r.top) / r.height) * 2 + 1);
    this.raycaster.setFromCamera(this.ndc, this.camera);
    const { origin, direction } = this.raycaster.ray;
    this.rayO[0] = origin.x; this.rayO[1] = origin.y; this.rayO[2] = origin.z;
    this.rayD[0] = direction.x; this.rayD[1] = direction.y; this.rayD[2] = direction.z;
    const face = pickFace(f.data.positions, f.data.index, this.rayO, this.rayD);
    return face < 0 ? -1 : markerBuilding(f.data.markers[face], f.data.buildings);
  }

  /** The ray under a client (CSS pixel) position, in this.raycaster. */
  private rayAt(clientX: number, clientY: number): void {
    const r = this.renderer.domElement.getBoundingClientRect();
    this.ndc.set(((clientX - r.left) / r.width) * 2 - 1, -((clientY - r.top) / r.height) * 2 + 1);
    this.raycaster.setFromCamera(this.ndc, this.camera);
  }

  /** A tileset's building: its feature id → its property table row, shown at once (no host round trip). */
  private pickTileset(clientX: number, clientY: number): void {
    const ts = this.tileset!;
    this.rayAt(clientX, clientY);
    const hit = ts.pick(this.raycaster);
    ++this.pickSeq;
    ts.showHighlight(hit);
    if (hit) this.ui.showBuilding(hit.building, hit.info); else this.ui.hideBuilding();
    this.requestRender();
  }

  private async pickAt(clientX: number, clientY: number): Promise<void> {
    if (this.tileset) { this.pickTileset(clientX, clientY); return; }
    const b = this.buildingAt(clientX, clientY);
    const seq = ++this.pickSeq;
    if (b < 0 || !this.source) { this.clearHighlight(); this.ui.hideBuilding(); return; }
    this.highlightBuilding(b);
    this.ui.showBuilding(b, null, true);
    const info = await this.host.buildingInfo(this.source, b).catch(() => null);
    if (seq === this.pickSeq) this.ui.showBuilding(b, info);
  }

  private highlightBuilding(b: number): void {
    const f = this.final!;
    const markers = f.data.markers!;
    let h = this.highlight;
    const count = buildingFaces(markers, f.data.buildings, b, f.data.index, h ? (h.index.array as Uint32Array) : new Uint32Array(0));
    if (!h || count > h.index.count) {
      this.clearHighlight(true);
      const index = new BufferAttribute(new Uint32Array(Math.max(count, 1024)), 1);
      const g = new BufferGeometry();
      g.setAttribute("position", f.mesh.geometry.getAttribute("position")); // shared: uploaded once
      g.setIndex(index);
      g.boundingSphere = f.mesh.geometry.boundingSphere;
      const mesh = new Mesh(g, this.mats.highlight as Material);
      mesh.matrixAutoUpdate = false;
      this.scene.add(mesh);
      h = this.highlight = { mesh, index };
      buildingFaces(markers, f.data.buildings, b, f.data.index, index.array as Uint32Array);
    }
    h.index.needsUpdate = true;
    h.mesh.geometry.setDrawRange(0, count);
    h.mesh.visible = true;
    this.requestRender();
  }

  /** Hides the highlight; `drop` forgets it (its index buffer is freed, not the shared positions). */
  private clearHighlight(drop = false): void {
    if (!this.highlight) return;
    this.highlight.mesh.visible = false;
    if (drop) {
      this.scene.remove(this.highlight.mesh);
      this.highlight = undefined; // the index's GL buffer is tiny; positions belong to the mesh
    }
    this.requestRender();
  }

  // ---- frame ---------------------------------------------------------------------------

  requestRender(): void {
    if (this.framePending) return;
    this.framePending = true;
    requestAnimationFrame(this.frame);
  }

  private readonly frame = (): void => {
    this.drainLive(); // before clearing framePending: its own requestRender calls are this frame
    this.framePending = false;
    this.updateClipPlanes();
    if (this.tileset) this.tilesetFrame();
    const t = performance.now();
    this.renderer.render(this.scene, this.camera);
    if (this.firstFrame) {
      // Wait for the GPU (SwiftShader: the CPU) to finish, so the figure is the real first frame.
      const gl = this.renderer.getContext();
      gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, this.px);
      const now = performance.now();
      document.documentElement.dataset.firstFrameMs = (now - this.firstFrame.t0).toFixed(1);
      document.documentElement.dataset.firstFrameAt = now.toFixed(1);
      const f = this.firstFrame;
      document.documentElement.dataset.phases = JSON.stringify({ fetchMs: Math.round(f.fetchMs), parseMs: Math.round(f.parseMs), drawMs: Math.round(now - t) });
      document.documentElement.dataset.status = "ready";
      this.firstFrame = undefined;
      if (this.source && this.final) {
        this.host.post({ type: "shown", key: this.source.key, triangles: this.final.data.index.length / 3, buildings: this.final.data.buildings, firstFrameMs: Math.round(now - f.t0) });
      } else if (this.source && this.tileset) {
        const c = this.tileset.counts();
        this.host.post({ type: "shown", key: this.source.key, triangles: c.triangles, buildings: c.buildings, firstFrameMs: Math.round(now - f.t0) });
      }
    }
  };

  /**
   * Before a tileset frame: let 3d-tiles-renderer pick and queue the tiles this view needs. The first frame after
   * all of them are in is the tileset's first frame (its figures, "ready", "shown"); until then the status says
   * how far loading is.
   */
  private tilesetFrame(): void {
    const ts = this.tileset!;
    ts.update();
    const c = ts.counts(), key = `${c.triangles}/${c.vertices}/${c.tiles}/${c.buildings}`;
    if (key !== this.tilesetCounts) { this.tilesetCounts = key; this.ui.setCounts(c); } // the DOM only when they change
    const t0 = this.tilesetT0;
    if (!t0) return;
    if (ts.settled()) {
      const now = performance.now();
      this.firstFrame = { t0: t0.t0, fetchMs: t0.rootMs ?? 0, parseMs: now - t0.t0 - (t0.rootMs ?? 0) };
      document.documentElement.dataset.tilesetRootMs = (t0.rootMs ?? 0).toFixed(1);
      this.tilesetT0 = undefined;
      this.ui.setStatus("");
      this.save();
    }
  }

  /** Near/far from the camera's distance to the bounds: tight depth range at every zoom. */
  private updateClipPlanes(): void {
    if (this.bounds.isEmpty()) return;
    const r = this.bounds.radius * 1.05 + 1;
    const d = this.camera.position.distanceTo(this.bounds.center);
    const far = d + r;
    const near = Math.max(d - r, far * 1e-4, 0.05);
    if (far !== this.camera.far || near !== this.camera.near) {
      this.camera.far = far; this.camera.near = near;
      this.camera.updateProjectionMatrix();
    }
  }

  private resize(): void {
    const w = Math.max(1, this.ui.view.clientWidth), h = Math.max(1, this.ui.view.clientHeight);
    this.renderer.setSize(w, h);
    this.camera.aspect = w / h;
    this.camera.updateProjectionMatrix();
    this.tileset?.resize();
    this.requestRender();
  }

  private applyTheme(): void {
    this.renderer.setClearColor(themeBackground());
    this.requestRender();
  }

  private fail(message: string): void {
    this.ui.setStatus(message, "error");
    document.documentElement.dataset.status = "error";
    this.host.post({ type: "error", message });
  }

  // ---- state ---------------------------------------------------------------------------

  private saveSoon(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = window.setTimeout(() => this.save(), 400);
  }

  private save(): void {
    if (this.source) {
      const p = this.camera.position, t = this.controls.target;
      this.state.camera = { key: this.source.key, position: [p.x, p.y, p.z], target: [t.x, t.y, t.z] };
    }
    this.host.setState(this.state);
  }

  /** Renders one frame now and waits for it; milliseconds (benchmarks). A tileset's frame includes its tile update. */
  timeFrame(): number {
    const t = performance.now();
    this.tileset?.update();
    this.renderer.render(this.scene, this.camera);
    const gl = this.renderer.getContext();
    gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, this.px);
    return performance.now() - t;
  }

  /**
   * Orbits the camera about its target by `stepDeg` per frame for `frames` frames, each rendered and waited for
   * (a tileset's tile update included: tiles keep streaming in between); milliseconds per frame (benchmarks).
   */
  orbitFrames(frames: number, stepDeg: number): number[] {
    const out: number[] = [];
    const t = this.controls.target, p = this.camera.position;
    const a = (stepDeg * Math.PI) / 180, cos = Math.cos(a), sin = Math.sin(a);
    for (let i = 0; i < frames; i++) {
      const x = p.x - t.x, z = p.z - t.z;
      p.set(t.x + x * cos - z * sin, p.y, t.z + x * sin + z * cos);
      this.camera.lookAt(t);
      this.updateClipPlanes();
      out.push(this.timeFrame());
    }
    this.controls.update();
    return out;
  }

  /** The tileset's tiles are all in for the current view (benchmarks and tests wait for it after a camera move). */
  tilesSettled(): boolean { return !this.tileset || this.tileset.settled(); }

  /** Normalised device coordinates of a point in mesh coordinates (inside the view: all three in [-1, 1]); for tests. */
  toNdc(x: number, y: number, z: number): [number, number, number] {
    const v = new Vector3(x, y, z).project(this.camera);
    return [v.x, v.y, v.z];
  }

  /** Screen position (CSS pixels, client coordinates) of a point in mesh coordinates; for tests. */
  project(x: number, y: number, z: number): [number, number] {
    const v = new Vector3(x, y, z).project(this.camera);
    const r = this.renderer.domElement.getBoundingClientRect();
    return [r.left + ((v.x + 1) / 2) * r.width, r.top + ((1 - v.y) / 2) * r.height];
  }
}

/** A 3D Tiles tileset: its JSON (format "3dtiles", or a .json URL/name). */
function isTileset(s: MeshSource): boolean {
  const f = (s.format ?? "").toLowerCase();
  return f === "3dtiles" || f === "json" || (!f && /\.json(?:[?#].*)?$/i.test(s.name || s.url));
}

/** Distinct buildings with a wall or roof face in `d`. */
function meshedBuildings(d: MeshData): number {
  if (!d.markers) return 0;
  const seen = new Set<number>();
  for (const m of d.markers) if (m >= 0) seen.add(markerBuilding(m, d.buildings));
  return seen.size;
}
