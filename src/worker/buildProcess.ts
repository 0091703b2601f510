// dist/build-process.mjs: the extension's builds run here, in a child process of their own, so VS Code's shared
// extension host only relays progress (src/core/pipeline/buildProcess.ts says how).
import { buildCityMesh } from "../core/pipeline/build";
import { serveBuildProcess } from "../core/pipeline/buildProcess";
import { tuneHeapForBoundedMemory } from "../core/pipeline/heapTuning";

tuneHeapForBoundedMemory();
serveBuildProcess(buildCityMesh);
