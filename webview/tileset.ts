// An OGC 3D Tiles tileset in the viewer, streamed by 3d-tiles-renderer (NASA-AMMOS, three.js): only
// the tiles the camera needs are fetched (relative content URIs resolve against the tileset's URL,
// so inside VS Code they are webview resource URIs like the GLB's), parsed with EXT_mesh_features
// and EXT_structural_metadata, and dropped again by its LRU cache.
// The tileset sits in ECEF; the viewer works in local metres, Y up, x east, z south (as for a GLB).
// So the tiles' group gets the inverse of the root's frame: the root transform when it is a rigid
// placement on the globe (citymesh writes an east-north-up frame at the mesh's origin, which makes
// the scene coordinates those of the GLB of the same build), else the east-north-up frame at the
// root volume's centre. Matrices compose in float64 on the CPU, so nothing jitters.
import {
  Box3, BufferAttribute, BufferGeometry, Color, Matrix4, Mesh, Sphere, Vector3,
  type Camera, type Material, type Object3D, type Raycaster, type WebGLRenderer,
} from "three";
import { TilesRenderer } from "3d-tiles-renderer/three";
import { GLTFExtensionsPlugin } from "3d-tiles-renderer/three/plugins";
import { SurfaceClass, classOfName } from "./meshData";
import type { Materials } from "./style";
import { HEIGHT_GROUND, rampColor } from "./style";
import type { BuildingInfo } from "./protocol";
import type { Counts } from "./counts";
import { meshoptDecoder } from "./loaders";
import type { MeshoptDecoderApi } from "./glb";

/** ENU (x east, y north, z up) → the viewer's frame (x east, y up, z south). */
const ENU_TO_VIEW = new Matrix4().makeRotationX(-Math.PI / 2);

/** Screen-space error (pixels) above which a tile's children are drawn; 3d-tiles-renderer's and Cesium's default is 16. */
export const ERROR_TARGET_PX = 8;

/**
 * The meshopt decoder as three's GLTFLoader wants it (`supported`, `ready`, `decodeGltfBuffer`),
 * started only when a content is EXT_meshopt_compression-encoded (glbCompression meshopt). The
 * loader awaits `ready` before each decode (it has no decodeGltfBufferAsync, so the loader takes that path).
 */
let started: MeshoptDecoderApi | undefined;
const lazyMeshopt = {
  supported: true,
  get ready(): Promise<void> { return meshoptDecoder().then((d) => { started = d; }); },
  decodeGltfBuffer(target: Uint8Array, count: number, size: number, source: Uint8Array, mode: string, filter?: string): void {
    started!.decodeGltfBuffer(target, count, size, source, mode, filter);
  },
};

/** What the tileset tells the viewer. */
export interface TilesetEvents {
  /** Something changed on screen (a tile loaded or was dropped): render a frame. */
  changed(): void;
  /** The root tileset is placed (bounds known): fit the camera. */
  placed(): void;
  /** The root tileset or a content failed to load. */
  error(message: string): void;
}

/** A building under the cursor: its feature, its tile's mesh and its property table row. */
export interface TilesetHit {
  building: number;
  info: BuildingInfo;
  /** The content scene the building is drawn in (the highlight goes there). */
  scene: Object3D;
  featureId: number;
}

interface FeatureIdInfo { attribute?: number; propertyTable?: number | null; nullFeatureId?: number | null; featureCount?: number }
interface MeshFeaturesLike { getFeatureInfo(): FeatureIdInfo[] }
interface SchemaProperty { name?: string; noData?: unknown }
interface TableAccessorLike {
  definition: { class: string };
  properties: Record<string, { noData: unknown }>;
  getPropertyValue(name: string, id: number): unknown;
}
interface StructuralMetadataLike {
  schema: { classes?: Record<string, { properties?: Record<string, SchemaProperty> }> };
  tableAccessors: TableAccessorLike[];
}
interface Queue { running: boolean }
/** Per content scene, what the counts and colouring need. */
interface SceneStats { triangles: number; vertices: number; buildings: number }

export class TilesetView {
  readonly tiles: TilesRenderer;
  /** Local-frame bounds of the root volume (empty until placed). */
  readonly box = new Box3();
  readonly sphere = new Sphere(new Vector3(), -1);
  private placedOnce = false;
  /** tiles.update() ran with the camera fitted (so whatever the view needs was asked for). */
  private updatedPlaced = false;
  private style: { mode: "class" | "height"; wireframe: boolean } = { mode: "class", wireframe: false };
  private highlight?: { scene: Object3D; featureId: number; meshes: Mesh[] };
  private readonly stats = new Map<Object3D, SceneStats>();
  /** Range of the height colour ramp, metres. */
  heightRange = 1;
  private disposed = false;

  constructor(url: string, private readonly camera: Camera, private readonly renderer: WebGLRenderer,
    private readonly mats: Materials, private readonly events: TilesetEvents, version?: string) {
    const tiles = this.tiles = new TilesRenderer(url);
    tiles.registerPlugin(new GLTFExtensionsPlugin({ metadata: true, rtc: true, meshoptDecoder: lazyMeshopt as unknown as typeof import("meshoptimizer/decoder").MeshoptDecoder }));
    // A rebuilt tileset keeps its file names: every fetch carries the version so nothing stale comes from the cache.
    if (version) tiles.registerPlugin({ name: "CITYMESH_VERSION", preprocessURL: (u: string | URL) => withQuery(String(u), "v", version) });
    // Half the default: a citymesh tileset's parents are the whole city in blocks of their grid's cells and their
    // geometric error is two cells, so a block is at most 4 px on screen before the tile's children replace it.
    tiles.errorTarget = ERROR_TARGET_PX;
    tiles.setCamera(camera);
    tiles.setResolutionFromRenderer(camera, renderer);
    tiles.addEventListener("needs-update", () => events.changed());
    tiles.addEventListener("load-model", (e) => { this.adopt(e.scene); events.changed(); });
    tiles.addEventListener("dispose-model", (e) => {
      this.stats.delete(e.scene);
      if (this.highlight?.scene === e.scene) this.highlight = undefined; // its meshes go with the scene
    });
    tiles.addEventListener("tile-visibility-change", () => events.changed());
    tiles.addEventListener("tiles-load-end", () => events.changed());
    tiles.addEventListener("load-error", (e) => events.error(`${e.url}: ${e.error?.message ?? e.error}`));
    tiles.group.matrixAutoUpdate = false;
  }

  get group(): Object3D { return this.tiles.group; }

  /** Once per frame before rendering: places the tileset when its root is known, then picks and loads tiles. */
  update(): void {
    if (this.disposed) return;
    this.camera.updateMatrixWorld();
    if (!this.placedOnce && this.place()) { this.placedOnce = true; this.events.placed(); this.camera.updateMatrixWorld(); }
    this.tiles.update();
    if (this.placedOnce) this.updatedPlaced = true;
  }

  /**
   * Everything the current view needs is loaded: an update ran with the camera fitted and nothing is queued,
   * downloading, parsing or being preprocessed (child tiles are read lazily). A view that needs no content (every
   * tile's error below the target) is settled too. The first frame of a tileset is the one after this.
   */
  settled(): boolean {
    const t = this.tiles as unknown as { isLoading: boolean; downloadQueue: Queue; parseQueue: Queue; processNodeQueue: Queue };
    return this.updatedPlaced && !t.isLoading && !t.downloadQueue.running && !t.parseQueue.running && !t.processNodeQueue.running;
  }

  resize(): void { this.tiles.setResolutionFromRenderer(this.camera, this.renderer); }

  /** The local frame from the root; false while the root tile is not yet processed. */
  private place(): boolean {
    const root = this.tiles.root as unknown as { engineData?: { transform?: Matrix4; boundingVolume?: unknown } } | null;
    if (!root?.engineData?.boundingVolume || !root.engineData.transform) return false;
    const frame = isGlobePlacement(root.engineData.transform) ? root.engineData.transform.clone() : this.enuAtCentre();
    const toLocal = ENU_TO_VIEW.clone().multiply(frame.invert());
    this.tiles.group.matrix.copy(toLocal);
    this.tiles.group.matrixWorldNeedsUpdate = true;
    this.tiles.group.updateMatrixWorld(true);
    // The root's oriented box, corners into the local frame.
    const obb = new Box3(), obbMatrix = new Matrix4();
    if (!this.tiles.getOrientedBoundingBox(obb, obbMatrix)) return false;
    const m = toLocal.clone().multiply(obbMatrix), v = new Vector3();
    this.box.makeEmpty();
    for (let i = 0; i < 8; i++) {
      v.set(i & 1 ? obb.max.x : obb.min.x, i & 2 ? obb.max.y : obb.min.y, i & 4 ? obb.max.z : obb.min.z).applyMatrix4(m);
      this.box.expandByPoint(v);
    }
    this.box.getBoundingSphere(this.sphere);
    this.heightRange = Math.max(1, this.box.max.y - Math.max(this.box.min.y, 0));
    return true;
  }

  private enuAtCentre(): Matrix4 {
    const s = new Sphere();
    this.tiles.getBoundingSphere(s);
    const c = { lat: 0, lon: 0, height: 0 };
    this.tiles.ellipsoid.getPositionToCartographic(s.center, c);
    return this.tiles.ellipsoid.getEastNorthUpFrame(c.lat, c.lon, 0, new Matrix4());
  }

  // ---- contents --------------------------------------------------------------------------

  /** A content just loaded: our materials by class (ground/walls/roofs), its counts. */
  private adopt(scene: Object3D): void {
    const st: SceneStats = { triangles: 0, vertices: 0, buildings: 0 };
    const positions = new Set<unknown>();
    scene.traverse((o) => {
      if (!(o instanceof Mesh)) return;
      const g = o.geometry as BufferGeometry;
      o.userData.cmClass = classOfName((o.material as Material).name || o.name);
      (o.material as Material).dispose();
      const pos = g.getAttribute("position");
      if (!positions.has(pos)) { positions.add(pos); st.vertices += pos.count; }
      st.triangles += (g.index ? g.index.count : pos.count) / 3;
      const f = (o.userData.meshFeatures as MeshFeaturesLike | undefined)?.getFeatureInfo()[0];
      if (f?.featureCount) st.buildings = Math.max(st.buildings, f.featureCount);
      this.styleMesh(o);
    });
    this.stats.set(scene, st);
  }

  setStyle(mode: "class" | "height", wireframe: boolean): void {
    this.style = { mode, wireframe };
    this.tiles.forEachLoadedModel((scene) => scene.traverse((o) => { if (o instanceof Mesh && o.userData.cmClass !== undefined) this.styleMesh(o); }));
  }

  private styleMesh(o: Mesh): void {
    const cls = o.userData.cmClass as SurfaceClass;
    if (this.style.mode === "height" && cls !== SurfaceClass.Ground) heightColours(o, this.heightRange);
    o.material = this.mats.get(this.style.mode, this.style.wireframe)[cls];
  }

  /** Triangles, vertices, tiles and buildings of the tiles on screen. */
  counts(): Counts {
    const c: Counts = { triangles: 0, vertices: 0, tiles: 0, buildings: 0 };
    for (const t of this.tiles.visibleTiles) {
      const scene = (t as unknown as { engineData?: { scene?: Object3D } }).engineData?.scene;
      const st = scene && this.stats.get(scene);
      if (!st) continue;
      c.triangles += st.triangles; c.vertices += st.vertices; c.tiles!++; c.buildings += st.buildings;
    }
    return c;
  }

  // ---- picking ---------------------------------------------------------------------------

  /** The building the ray hits first (its feature id's row in its content's property table), or null. */
  pick(raycaster: Raycaster): TilesetHit | null {
    const hits = raycaster.intersectObject(this.tiles.group, true);
    const hit = hits[0];
    if (!hit || hit.faceIndex === undefined || hit.faceIndex === null) return null;
    const mesh = hit.object as Mesh;
    const info = (mesh.userData.meshFeatures as MeshFeaturesLike | undefined)?.getFeatureInfo()[0];
    if (!info || info.attribute === undefined) return null;
    const ids = (mesh.geometry as BufferGeometry).getAttribute(`_feature_id_${info.attribute}`);
    const index = (mesh.geometry as BufferGeometry).index;
    if (!ids) return null;
    // The vertex nearest the hit: its feature id (one building's faces all carry its id).
    const bary = hit.barycoord ?? new Vector3(1, 0, 0);
    const k = bary.x >= bary.y && bary.x >= bary.z ? 0 : bary.y >= bary.z ? 1 : 2;
    const vi = index ? index.getX(3 * hit.faceIndex + k) : 3 * hit.faceIndex + k;
    const featureId = ids.getX(vi);
    if (featureId === info.nullFeatureId) return null; // the ground
    let scene: Object3D = mesh;
    while (scene.parent && scene.parent !== this.tiles.group) scene = scene.parent;
    const meta = mesh.userData.structuralMetadata as StructuralMetadataLike | undefined;
    const table = meta && typeof info.propertyTable === "number" ? meta.tableAccessors[info.propertyTable] : undefined;
    const row = table ? readRow(table, featureId) : undefined;
    const building = typeof row?.buildingIndex === "number" ? row.buildingIndex : featureId;
    const cls = table ? meta!.schema.classes?.[table.definition.class] : undefined;
    return { building, featureId, scene, info: rowInfo(building, row, cls?.properties) };
  }

  /** Draws the building's walls and roofs in the highlight colour (a mesh per surface sharing the tile's positions). */
  showHighlight(hit: TilesetHit | null): void {
    if (this.highlight) for (const m of this.highlight.meshes) { m.removeFromParent(); m.geometry.dispose(); }
    this.highlight = undefined;
    if (!hit) return;
    const meshes: Mesh[] = [];
    hit.scene.traverse((o) => {
      if (!(o instanceof Mesh) || o.userData.cmClass === SurfaceClass.Ground || o.userData.cmHighlight) return;
      const info = (o.userData.meshFeatures as MeshFeaturesLike | undefined)?.getFeatureInfo()[0];
      const g = o.geometry as BufferGeometry;
      const ids = info?.attribute !== undefined ? g.getAttribute(`_feature_id_${info.attribute}`) : undefined;
      if (!ids || !g.index) return;
      const out: number[] = [];
      const idx = g.index;
      for (let f = 0; f < idx.count; f += 3) {
        if (ids.getX(idx.getX(f)) === hit.featureId) out.push(idx.getX(f), idx.getX(f + 1), idx.getX(f + 2));
      }
      if (!out.length) return;
      const hg = new BufferGeometry();
      hg.setAttribute("position", g.getAttribute("position"));
      hg.setIndex(new BufferAttribute(new Uint32Array(out), 1));
      hg.boundingSphere = g.boundingSphere;
      const hm = new Mesh(hg, this.mats.highlight);
      hm.userData.cmHighlight = true;
      hm.raycast = () => undefined; // picking sees the building, not its highlight
      hm.matrixAutoUpdate = false; // the tiles' matrices are set once per tile, not per frame
      o.add(hm);
      hm.matrixWorld.copy(o.matrixWorld);
      meshes.push(hm);
    });
    this.highlight = { scene: hit.scene, featureId: hit.featureId, meshes };
  }

  dispose(): void {
    this.disposed = true;
    this.showHighlight(null);
    this.tiles.group.removeFromParent();
    this.tiles.dispose();
  }
}

/** A rigid transform that puts its origin far from the Earth's centre: a placement on the globe. */
function isGlobePlacement(m: Matrix4): boolean {
  const e = m.elements;
  const t = Math.hypot(e[12], e[13], e[14]);
  return t > 1e5 && Math.abs(m.determinant() - 1) < 1e-3;
}

/** Height colours per position attribute (walls and roofs of a content share theirs). */
const sharedColours = new WeakMap<object, BufferAttribute>();

/**
 * Vertex colours by building height: per feature id, the top of its vertices minus their bottom (walls reach
 * the ground), on the height ramp over `range` metres. Walls and roofs of a content share their position and
 * feature-id attributes, so the colour attribute is computed once and shared.
 */
function heightColours(o: Mesh, range: number): void {
  const g = o.geometry as BufferGeometry;
  if (g.getAttribute("color")) return;
  const info = (o.userData.meshFeatures as MeshFeaturesLike | undefined)?.getFeatureInfo()[0];
  const pos = g.getAttribute("position");
  const ids = info?.attribute !== undefined ? g.getAttribute(`_feature_id_${info.attribute}`) : undefined;
  const shared = sharedColours.get(pos);
  if (shared) { g.setAttribute("color", shared); return; }
  const n = pos.count, colors = new Uint8Array(3 * n), c = new Color();
  if (ids) {
    const lo = new Map<number, number>(), hi = new Map<number, number>();
    for (let v = 0; v < n; v++) {
      const id = ids.getX(v), y = pos.getY(v);
      if (!(lo.get(id)! <= y)) lo.set(id, y);
      if (!(hi.get(id)! >= y)) hi.set(id, y);
    }
    for (let v = 0; v < n; v++) {
      const id = ids.getX(v);
      if (id === info!.nullFeatureId) c.setHex(HEIGHT_GROUND); else rampColor((hi.get(id)! - lo.get(id)!) / range, c);
      colors[3 * v] = c.r * 255; colors[3 * v + 1] = c.g * 255; colors[3 * v + 2] = c.b * 255;
    }
  } else {
    let lo = Infinity;
    for (let v = 0; v < n; v++) lo = Math.min(lo, pos.getY(v));
    for (let v = 0; v < n; v++) { rampColor((pos.getY(v) - lo) / range, c); colors[3 * v] = c.r * 255; colors[3 * v + 1] = c.g * 255; colors[3 * v + 2] = c.b * 255; }
  }
  const attr = new BufferAttribute(colors, 3, true);
  sharedColours.set(pos, attr);
  g.setAttribute("color", attr);
}

/**
 * A property table row as the properties panel shows it: building index, source feature id, then every other
 * property under its schema name (the GeoJSON key; citymesh renames clashing ids, e.g. height_2 named "height"),
 * values equal to the property's noData left out (the feature had none).
 */
function rowInfo(building: number, row: Record<string, unknown> | undefined, schema: Record<string, SchemaProperty> | undefined): BuildingInfo {
  const info: BuildingInfo = { b: building };
  if (!row) return info;
  const props: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (key === "buildingIndex") continue;
    if (key === "featureId") { if (value !== "") info.id = value; continue; }
    props[key === "height" ? "height (mesh)" : schema?.[key]?.name ?? key] = typeof value === "bigint" ? Number(value) : value;
  }
  info.properties = props;
  return info;
}

/**
 * One row of a property table, values equal to their property's noData left out (the feature had none).
 * 3d-tiles-renderer replaces noData by the class default (0, ""), which would show a made-up value, so the raw
 * value is read with the property's noData set aside for the read.
 */
function readRow(table: TableAccessorLike, id: number): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [name, p] of Object.entries(table.properties)) {
    const noData = p.noData;
    p.noData = null;
    let value: unknown;
    try { value = table.getPropertyValue(name, id); } finally { p.noData = noData; }
    if (value === null || value === undefined || (noData !== null && noData !== undefined && value === noData)) continue;
    row[name] = value;
  }
  return row;
}

function withQuery(url: string, key: string, value: string): string {
  if (url.startsWith("blob:") || url.startsWith("data:")) return url;
  const u = new URL(url, location.href);
  u.searchParams.set(key, value);
  return u.toString();
}
