// laz-perf (the LASzip codec compiled to WebAssembly, Apache-2.0), loaded only when a LAZ file is read: the
// planner and the tile workers load the bundles this lands in, most builds never read a point cloud.
//
// Its .wasm is a file of its own (214 KB), not inlined: scripts/build.mjs copies it to dist/laz-perf.wasm beside
// the bundles (package.json "files" ships it in the VSIX and the npm tarball); from source (tsx, tests) it is
// the package's own in node_modules. We compile it once per process and instantiate one module per reader,
// so a reader whose module aborted on a damaged chunk cannot break another.
import fs from "fs";
import path from "path";

/** The parts of the Emscripten module the reader uses. */
export interface LazPerfModule {
  HEAPU8: Uint8Array;
  _malloc(size: number): number;
  _free(ptr: number): void;
  LASZip: new () => { open(ptr: number, length: number): void; getPoint(ptr: number): void; getCount(): number; getPointLength(): number; getPointFormat(): number; delete(): void };
  ChunkDecoder: new () => { open(format: number, recordLength: number, ptr: number): void; getPoint(ptr: number): void; delete(): void };
}

type Factory = (opts: Record<string, unknown>) => Promise<LazPerfModule>;

let compiled: Promise<{ factory: Factory; wasm: WebAssembly.Module }> | undefined;

/** dist/laz-perf.wasm beside the running bundle, or the package's in a node_modules above this file (from source). */
export function findLazPerfWasm(): string {
  const candidates: string[] = [];
  if (process.env.CITYMESH_LAZPERF_WASM) candidates.push(process.env.CITYMESH_LAZPERF_WASM);
  if (typeof __dirname !== "undefined") {
    candidates.push(path.join(__dirname, "laz-perf.wasm"));
    for (let d = __dirname; ; d = path.dirname(d)) {
      candidates.push(path.join(d, "node_modules", "laz-perf", "lib", "node", "laz-perf.wasm"));
      if (path.dirname(d) === d) break;
    }
  }
  for (const c of candidates) if (fs.existsSync(c)) return c;
  throw new Error("laz-perf.wasm not found beside the bundle (dist/) nor in node_modules/laz-perf; run `npm run build`");
}

/** A fresh laz-perf module (the wasm compiled once per process). */
export async function createLazPerf(): Promise<LazPerfModule> {
  compiled ??= (async () => {
    const [mod, bytes] = await Promise.all([import("laz-perf"), fs.promises.readFile(findLazPerfWasm())]);
    const m = mod as unknown as { createLazPerf?: Factory; default?: { createLazPerf?: Factory } };
    const factory = m.createLazPerf ?? m.default?.createLazPerf;
    if (!factory) throw new Error("laz-perf has no createLazPerf export");
    return { factory, wasm: await WebAssembly.compile(bytes) };
  })();
  const { factory, wasm } = await compiled;
  // Emscripten's Node build adds process-wide 'uncaughtException'/'unhandledRejection' listeners that rethrow,
  // one pair per module: in VS Code's extension host that would turn any stray error into a crash. They are
  // added synchronously when the factory is called, so the ones that were not there before are taken off again.
  const events = ["uncaughtException", "unhandledRejection"];
  const proc = process as NodeJS.EventEmitter;
  const before = events.map((e) => new Set(proc.listeners(e)));
  let fail!: (e: unknown) => void;
  const failed = new Promise<never>((_, reject) => { fail = reject; });
  const created = factory({
    // Instantiates the module compiled once (else Emscripten would read and compile the .wasm per module).
    instantiateWasm(imports: WebAssembly.Imports, receive: (i: WebAssembly.Instance, m: WebAssembly.Module) => void) {
      WebAssembly.instantiate(wasm, imports).then((inst) => receive(inst, wasm), fail);
      return {};
    },
    print: () => {},
    printErr: () => {},
  });
  events.forEach((e, i) => {
    for (const l of proc.listeners(e)) if (!before[i]!.has(l)) proc.removeListener(e, l as (...a: unknown[]) => void);
  });
  return Promise.race([created, failed]);
}
