// Runs the built CLI (dist/cli.mjs) as a child process, as a user would.
import { spawn, spawnSync } from "child_process";
import assert from "node:assert/strict";
import path from "path";
import { EVENT_TIMEOUT } from "./gate";

export const CLI = path.resolve(__dirname, "../../dist/cli.mjs");

export function runCli(args: string[], env: Record<string, string> = {}, cwd?: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", env: { ...process.env, ...env }, cwd, timeout: 300_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Starts the CLI and SIGKILLs it once `killWhen(stderr)` is true — checked on every stderr chunk
 * and every 20 ms, since a held phase (test/support/gate.ts) can make the condition true with no
 * new output. `killed` is false if the build ended first; it is SIGKILLed anyway after the safety
 * limit. Resolves once the process has exited and its stderr is read to the end.
 */
export function runCliAndKill(args: string[], killWhen: (stderr: string) => boolean, env: Record<string, string> = {}): Promise<{ stderr: string; killed: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
    let stderr = "", killed = false, exited = false;
    const check = () => {
      if (!killed && !exited && killWhen(stderr)) { killed = true; child.kill("SIGKILL"); }
    };
    const poll = setInterval(check, 20);
    const limit = setTimeout(() => child.kill("SIGKILL"), EVENT_TIMEOUT);
    child.stderr.on("data", (d) => { stderr += d; check(); });
    child.on("exit", () => { exited = true; });
    // "close", not "exit": after "exit" the last of stderr may still be unread.
    child.on("close", () => { clearInterval(poll); clearTimeout(limit); resolve({ stderr, killed }); });
  });
}

/**
 * `citymesh check` on a written mesh, asserting it clean: no open, over-used or flipped edge, no degenerate
 * triangle, no overlapping ground or roof (the seams are exact). Returns its JSON report.
 */
export function checkClean(mesh: string): Record<string, unknown> {
  const check = runCli(["check", mesh, "--json"]);
  assert.equal(check.code, 0, check.stdout + check.stderr);
  const rep = JSON.parse(check.stdout);
  assert.deepEqual([rep.openEdges, rep.overusedEdges, rep.flippedEdges, rep.degenerate, rep.groundOverlaps, rep.roofOverlaps], [0, 0, 0, 0, 0, 0], mesh);
  return rep;
}
