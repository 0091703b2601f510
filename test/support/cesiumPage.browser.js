// Runs inside the CesiumJS test page (test/support/cesiumPage.ts serves it after Build/Cesium/Cesium.js).
// Plain browser JS, not bundled: page.evaluate calls window.citymesh.* with plain data in and out.
// Offline on purpose: no base imagery (baseLayer false), the ellipsoid as terrain, no sky box or
// atmosphere (their colours would blur the "is the city on screen" pixel count), no Ion at all.
/* global Cesium */
(function () {
  "use strict";
  // Colours the pixel count tells apart from the city: sky (clear colour) and the bare globe.
  const SKY = [0, 0, 0];
  const GLOBE = [32, 64, 96];

  const credits = document.createElement("div"); // Cesium's credit line, kept off the picture
  credits.style.display = "none";
  document.body.appendChild(credits);

  const widget = new Cesium.CesiumWidget("map", {
    baseLayer: false,
    terrainProvider: new Cesium.EllipsoidTerrainProvider(),
    skyBox: false,
    skyAtmosphere: false,
    creditContainer: credits,
    // The pixel count reads the canvas back after the frame was presented.
    contextOptions: { webgl: { preserveDrawingBuffer: true } },
  });
  const scene = widget.scene;
  scene.backgroundColor = Cesium.Color.fromBytes(SKY[0], SKY[1], SKY[2], 255);
  scene.globe.baseColor = Cesium.Color.fromBytes(GLOBE[0], GLOBE[1], GLOBE[2], 255);
  scene.globe.showGroundAtmosphere = false;
  scene.globe.enableLighting = false;
  scene.fog.enabled = false;
  if (scene.sun) scene.sun.show = false; // CesiumWidget makes no sun or moon without a sky box
  if (scene.moon) scene.moon.show = false;
  // depthTestAgainstTerrain stays false (Cesium's default): the tileset's ground lies on the
  // ellipsoid (height 0, as the globe's surface here), and tested against the globe's depth it
  // z-fights with it.

  let tileset;
  const errors = [];
  window.addEventListener("error", (e) => errors.push(String(e.message)));

  /** Resolves at the first rendered frame after which the tileset and the globe have nothing left to load. */
  function settled() {
    return new Promise((resolve) => {
      let frames = 0;
      const remove = scene.postRender.addEventListener(() => {
        frames++;
        // Two frames: the first one after a camera move is the one that issues the new requests.
        if (frames >= 2 && tileset.tilesLoaded && scene.globe.tilesLoaded) {
          remove();
          resolve(frames);
        }
      });
      scene.requestRender();
    });
  }

  const degrees = (c) => ({ lon: Cesium.Math.toDegrees(c.longitude), lat: Cesium.Math.toDegrees(c.latitude), height: c.height });

  window.citymesh = {
    errors,

    /** Loads a tileset with Cesium3DTileset.fromUrl; answers its bounding sphere's centre and radius. */
    async open(url) {
      tileset = await Cesium.Cesium3DTileset.fromUrl(url);
      tileset.tileFailed.addEventListener((e) => errors.push(`tile failed: ${e.url}: ${e.message}`));
      scene.primitives.add(tileset);
      const bs = tileset.boundingSphere;
      return { centre: degrees(Cesium.Cartographic.fromCartesian(bs.center)), radius: bs.radius };
    },

    /** Camera on the whole tileset from the south, 45° down; resolves once everything visible is loaded. */
    async overview(maximumScreenSpaceError = 16) {
      tileset.maximumScreenSpaceError = maximumScreenSpaceError;
      const bs = tileset.boundingSphere;
      widget.camera.viewBoundingSphere(bs, new Cesium.HeadingPitchRange(0, Cesium.Math.toRadians(-45), bs.radius * 1.6));
      widget.camera.lookAtTransform(Cesium.Matrix4.IDENTITY);
      const t0 = performance.now();
      const frames = await settled();
      return { frames, ms: Math.round(performance.now() - t0), stats: statistics() };
    },

    /** Camera straight down on (lon, lat) from `range` m above `height`; resolves once loaded. */
    async lookDown(lon, lat, height, range) {
      tileset.maximumScreenSpaceError = 16;
      widget.camera.setView({
        destination: Cesium.Cartesian3.fromDegrees(lon, lat, height + range),
        orientation: { heading: 0, pitch: -Cesium.Math.PI_OVER_TWO, roll: 0 },
      });
      const t0 = performance.now();
      const frames = await settled();
      return { frames, ms: Math.round(performance.now() - t0), stats: statistics() };
    },

    /**
     * The share of canvas pixels that are neither sky nor bare globe (the tileset: buildings and its
     * ground), read back from the last presented frame.
     */
    cityShare() {
      const c = scene.canvas;
      const copy = document.createElement("canvas");
      copy.width = c.width;
      copy.height = c.height;
      const g = copy.getContext("2d");
      g.drawImage(c, 0, 0);
      const px = g.getImageData(0, 0, c.width, c.height).data;
      const near = (i, rgb) => Math.abs(px[i] - rgb[0]) + Math.abs(px[i + 1] - rgb[1]) + Math.abs(px[i + 2] - rgb[2]) < 24;
      let city = 0, globe = 0;
      // The tileset's most common colour (quantised to 8 levels a channel) is its flat ground;
      // the rest of its pixels are buildings.
      const counts = new Map();
      for (let i = 0; i < px.length; i += 4) {
        if (near(i, GLOBE)) globe++;
        else if (!near(i, SKY)) {
          city++;
          const q = ((px[i] >> 5) << 6) | ((px[i + 1] >> 5) << 3) | (px[i + 2] >> 5);
          counts.set(q, (counts.get(q) ?? 0) + 1);
        }
      }
      let ground = -1, most = 0;
      for (const [q, k] of counts) if (k > most) { most = k; ground = q; }
      const n = px.length / 4;
      return { city: city / n, globe: globe / n, buildings: (city - most) / n, width: c.width, height: c.height };
    },

    /**
     * Projects (lon, lat, height) to the window with SceneTransforms, picks there and reads the
     * picked feature's properties from EXT_structural_metadata, and asks pickPosition for the
     * depth there.
     */
    probe(lon, lat, height) {
      const world = Cesium.Cartesian3.fromDegrees(lon, lat, height);
      const win = Cesium.SceneTransforms.worldToWindowCoordinates(scene, world);
      if (!win) return { window: null };
      const out = { window: { x: win.x, y: win.y }, canvas: { width: scene.canvas.clientWidth, height: scene.canvas.clientHeight } };
      const picked = scene.pick(win);
      out.pickedType = picked === undefined ? "nothing" : picked instanceof Cesium.Cesium3DTileFeature ? "Cesium3DTileFeature" : picked.constructor?.name ?? typeof picked;
      if (picked instanceof Cesium.Cesium3DTileFeature) {
        const props = {};
        for (const id of picked.getPropertyIds()) props[id] = picked.getProperty(id);
        out.featureId = picked.featureId;
        out.properties = props;
        out.content = picked.content?.url ?? null;
      }
      out.pickPositionSupported = scene.pickPositionSupported;
      if (scene.pickPositionSupported) {
        const p = scene.pickPosition(win);
        out.position = p ? degrees(Cesium.Cartographic.fromCartesian(p)) : null;
      }
      return out;
    },
  };

  function statistics() {
    const s = tileset.statistics;
    return { selected: s.selected, visited: s.visited, geometryMB: Math.round(s.geometryByteLength / 1e5) / 10, featuresLoaded: s.numberOfFeaturesLoaded, tilesWithContentReady: s.numberOfTilesWithContentReady };
  }
})();
