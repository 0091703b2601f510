// Lazy loader for h5wasm. h5wasm/node is ESM-only ("exports" has no require entry); a dynamic
// import works both in the ESM bundles (worker, CLI) and when tests run these files as CommonJS
// through tsx. Loading lazily also keeps h5wasm (and its 3.5 MB of WebAssembly, dist/hdf5_util.wasm) out of anything that only reads manifests.
import type H5 from "h5wasm/node";

export type H5Wasm = typeof H5;

let loading: Promise<H5Wasm> | undefined;

/** h5wasm, initialised (`ready` awaited). */
export function loadH5(): Promise<H5Wasm> {
  loading ??= import("h5wasm/node").then(async (m) => {
    const h5 = ((m as { default?: H5Wasm }).default ?? m) as H5Wasm;
    await h5.ready;
    return h5;
  });
  return loading;
}
