// Runs inside the deck.gl test page (test/support/deckglPage.ts bundles it with esbuild at test time
// and serves it). What README's snippet does — a Deck with one Tile3DLayer and Tiles3DLoader — with
// the layer's callbacks recorded, so that page.evaluate can drive it with plain data in and out.
// deck.gl alone: no basemap (no mapbox/maplibre, no token); the canvas is cleared to transparent, so
// every pixel with alpha is the tileset.
import { Deck, type MapViewState, type PickingInfo } from "@deck.gl/core";
import { Tile3DLayer } from "@deck.gl/geo-layers";
import { Tiles3DLoader } from "@loaders.gl/3d-tiles";
import type { Tile3D, Tileset3D } from "@loaders.gl/tiles";

const errors: string[] = [];
window.addEventListener("error", (e) => errors.push(String(e.message)));
window.addEventListener("unhandledrejection", (e) => errors.push(String((e as PromiseRejectionEvent).reason)));

let deck: Deck | undefined;
let layer: Tile3DLayer | undefined;
let tileset: Tileset3D | undefined;
const tilesLoaded: string[] = [];
const tileErrors: string[] = [];
/** Frames deck.gl drew (onAfterRender). */
let drawn = 0;
/** Tileset3D's traversal count when the last tile loaded: the layer asks for a traversal after each load (Tile3DLayer._onTileLoad), which may refine further. */
let traversalAtLastLoad = 0;

/** Resolves at the first animation frame where everything the current view selects is loaded and drawn. */
function settled(): Promise<{ frames: number; ms: number; stats: Record<string, unknown> }> {
  const t0 = performance.now();
  const traversalAtStart = tileset!.frameNumber;
  let drawnAfterTraversal = Infinity;
  return new Promise((resolve) => {
    const check = (): void => {
      const ts = tileset!;
      const selected = ts.selectedTiles as Tile3D[];
      // Tileset3D traverses again for the new viewport (frameNumber counts its traversals); a frame must be drawn after that.
      if (drawnAfterTraversal === Infinity && ts.frameNumber > traversalAtStart) drawnAfterTraversal = drawn;
      const loaded =
        drawnAfterTraversal !== Infinity &&
        // The last tile's load was followed by a traversal (with the loaded tile, it may select its
        // children): without this, a view settled on a parent whose children were not asked for yet.
        ts.frameNumber > traversalAtLastLoad &&
        ts.isLoaded() && // no tile request pending nor queued by the last traversal
        layer!.isLoaded && // the layer and its sub-layers (one ScenegraphLayer per tile)
        selected.every((t) => t.contentAvailable && t.tileDrawn !== false) && // may be none: the test says whether that is right
        !deck!.needsRedraw({ clearRedrawFlags: false });
      // A traversal that changes nothing asks deck.gl for no new frame: draw the settled state once.
      if (loaded && drawn === drawnAfterTraversal) deck!.redraw("citymesh: settled");
      const ready = loaded && drawn > drawnAfterTraversal;
      if (ready) resolve({ frames: drawn - drawnAfterTraversal, ms: Math.round(performance.now() - t0), stats: statistics() });
      else requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  });
}

function statistics(): Record<string, unknown> {
  const ts = tileset!;
  const selected = ts.selectedTiles as Tile3D[];
  return {
    selected: selected.length,
    loaded: tilesLoaded.length,
    types: [...new Set(selected.map((t) => t.type))],
    depths: [...new Set(selected.map((t) => t.depth))].sort((a, b) => a - b),
  };
}

function viewState(v: Partial<MapViewState>): MapViewState {
  return { longitude: 0, latitude: 0, zoom: 1, pitch: 0, bearing: 0, ...v };
}

/** Per-vertex feature ids and property table of a tile's glTF content, as loaders.gl decoded them (EXT_mesh_features, EXT_structural_metadata). */
function decodedFeatures(tile: Tile3D): { featureIdSets: number; vertices: number; tables: { count: number; columns: string[]; buildingIndex?: number[] }[] } {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const gltf = (tile.content as any)?.gltf;
  let featureIdSets = 0, vertices = 0;
  for (const mesh of gltf?.meshes ?? []) for (const prim of mesh.primitives ?? []) {
    const ids = prim.extensions?.EXT_mesh_features?.featureIds ?? [];
    featureIdSets += ids.length;
    for (const f of ids) vertices += f.data?.length ?? 0;
  }
  const tables = (gltf?.extensions?.EXT_structural_metadata?.propertyTables ?? []) as { count: number; properties: Record<string, { data?: ArrayLike<number> }> }[];
  return {
    featureIdSets, vertices,
    tables: tables.map((t) => ({ count: t.count, columns: Object.keys(t.properties ?? {}), buildingIndex: t.properties?.buildingIndex?.data ? Array.from(t.properties.buildingIndex.data) : undefined })),
  };
}

declare global { interface Window { citymesh: unknown } }

window.citymesh = {
  errors,
  tileErrors,

  /**
   * README's snippet: a Deck with a Tile3DLayer on `url`; resolves at onTilesetLoad with the
   * tileset's cartographic centre and zoom (Tileset3D.cartographicCenter, .zoom). `tileset`: options
   * for loaders.gl's Tileset3D (maximumScreenSpaceError, …), through the layer's loadOptions.tileset.
   */
  open(url: string, tilesetOptions: Record<string, unknown> = {}): Promise<{ centre: number[]; zoom: number; maximumScreenSpaceError: number }> {
    return new Promise((resolve) => {
      layer = new Tile3DLayer({
        id: "city",
        data: url,
        loader: Tiles3DLoader,
        pickable: true,
        loadOptions: { tileset: tilesetOptions },
        onTilesetLoad: (ts: Tileset3D) => {
          tileset = ts;
          const c = ts.cartographicCenter!;
          resolve({ centre: [c[0], c[1], c[2]], zoom: ts.zoom, maximumScreenSpaceError: ts.memoryAdjustedScreenSpaceError });
        },
        onTileLoad: (t: Tile3D) => { tilesLoaded.push(t.id); traversalAtLastLoad = tileset?.frameNumber ?? 0; },
        onTileError: (t: Tile3D, message: string, u: string) => { tileErrors.push(`${u}: ${message}`); },
      });
      deck = new Deck({
        parent: document.getElementById("map") as HTMLDivElement,
        viewState: viewState({}),
        controller: false,
        layers: [layer],
        onAfterRender: () => { drawn++; },
        onError: (e: Error) => { errors.push(`deck: ${e.message}`); },
      });
    });
  },

  /** Moves the camera; resolves once every tile the view selects is loaded and drawn. */
  view(v: Partial<MapViewState>) {
    deck!.setProps({ viewState: viewState(v) });
    return settled();
  },

  /** Canvas (CSS pixel) positions of [lon, lat, height] points under the current view. */
  project(points: number[][]) {
    const vp = deck!.getViewports()[0];
    return points.map((p) => vp.project(p).slice(0, 2));
  },

  /**
   * Pixels the tileset drew (alpha > 0: the canvas is cleared to transparent), read back from the
   * drawn frame: their share of the canvas, the share of the pixels inside `area` (a polygon in CSS
   * pixels) that are drawn, and the share of the canvas drawn outside `box` ([x0, y0, x1, y1], CSS pixels).
   */
  cityShare(area?: number[][], box?: number[]) {
    const c = deck!.getCanvas()!;
    const copy = document.createElement("canvas");
    copy.width = c.width; copy.height = c.height;
    const g = copy.getContext("2d")!;
    g.drawImage(c, 0, 0);
    const px = g.getImageData(0, 0, c.width, c.height).data;
    const k = c.width / c.clientWidth; // device pixels per CSS pixel
    const poly = area?.map(([x, y]) => [x * k, y * k]);
    const inPoly = (x: number, y: number): boolean => {
      let inside = false;
      for (let i = 0, j = poly!.length - 1; i < poly!.length; j = i++) {
        const [xi, yi] = poly![i], [xj, yj] = poly![j];
        if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
      }
      return inside;
    };
    let city = 0, areaPx = 0, areaDrawn = 0, outside = 0;
    const colours = new Set<number>();
    for (let y = 0; y < c.height; y++) for (let x = 0; x < c.width; x++) {
      const i = (y * c.width + x) * 4;
      const drawnHere = px[i + 3] > 0;
      if (drawnHere) { city++; colours.add((px[i] >> 4) << 8 | (px[i + 1] >> 4) << 4 | px[i + 2] >> 4); }
      if (poly && inPoly(x + 0.5, y + 0.5)) { areaPx++; if (drawnHere) areaDrawn++; }
      if (box && drawnHere && (x + 0.5 < box[0] * k || x + 0.5 > box[2] * k || y + 0.5 < box[1] * k || y + 0.5 > box[3] * k)) outside++;
    }
    const n = c.width * c.height;
    return { city: city / n, area: areaPx ? areaDrawn / areaPx : null, areaPixels: areaPx, outside: outside / n, colours: colours.size, width: c.width, height: c.height };
  },

  /**
   * Projects (lon, lat, height) to the canvas with the deck's viewport and picks there
   * (deck.pickObject, unproject3D so the picked point comes back in 3D); answers what deck.gl
   * gives, and what loaders.gl decoded in the picked tile's content.
   */
  probe(lon: number, lat: number, height: number) {
    const vp = deck!.getViewports()[0];
    const [x, y] = vp.project([lon, lat, height]);
    const inside = x >= 0 && y >= 0 && x < vp.width && y < vp.height;
    if (!inside) return { window: null };
    const info = deck!.pickObject({ x, y, radius: 0, unproject3D: true }) as (PickingInfo & { sourceLayer?: { id: string; constructor: { name: string; layerName?: string } }; sourceTile?: Tile3D }) | null;
    if (!info) return { window: { x, y }, picked: null };
    const tile = info.object as Tile3D | undefined;
    return {
      window: { x, y },
      picked: {
        keys: Object.keys(info).sort(),
        layer: info.layer?.id,
        sourceLayer: info.sourceLayer ? { id: info.sourceLayer.id, class: info.sourceLayer.constructor.layerName ?? info.sourceLayer.constructor.name } : null,
        index: info.index,
        color: info.color ? Array.from(info.color) : null,
        objectIsTile: tile === info.sourceTile && !!tile && typeof tile.contentUrl === "string",
        tile: tile ? { id: tile.id, contentUrl: tile.contentUrl, type: tile.type } : null,
        coordinate: info.coordinate ?? null,
        decoded: tile ? decodedFeatures(tile) : null,
      },
    };
  },

  /**
   * The selected tiles whose decoded property table holds building `b`: content URL, the content's
   * cartographicOrigin (where Tile3DLayer's picking cull measures from) and its distance on screen
   * from (lon, lat, height) under the current view, against the cull's threshold (a quarter of the
   * viewport's larger side; @deck.gl/geo-layers tile-3d-layer.js filterSubLayer).
   */
  tilesHolding(b: number, lon: number, lat: number, height: number) {
    const vp = deck!.getViewports()[0];
    const [x, y] = vp.project([lon, lat, height]);
    return (tileset!.selectedTiles as Tile3D[]).filter((t) => decodedFeatures(t).tables.some((tb) => tb.buildingIndex?.includes(b))).map((t) => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const o = Array.from((t.content as any).cartographicOrigin as ArrayLike<number>);
      const [sx, sy] = vp.project(o);
      return { contentUrl: t.contentUrl, origin: o, screenDistance: Math.hypot(sx - x, sy - y), threshold: Math.max(vp.width, vp.height) / 4 };
    });
  },

  statistics: () => statistics(),
  tilesLoaded: () => tilesLoaded.length,
};
