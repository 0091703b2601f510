// Runs the built CLI (dist/cli.mjs) as a child process, as a user would.
import { spawn, spawnSync } from "child_process";
import path from "path";

export const CLI = path.resolve(__dirname, "../../dist/cli.mjs");

export function runCli(args: string[], env: Record<string, string> = {}, cwd?: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", env: { ...process.env, ...env }, cwd, timeout: 300_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Starts the CLI and SIGKILLs it once `killWhen` returns true for its stderr so far. Resolves with that stderr. */
export function runCliAndKill(args: string[], killWhen: (stderr: string) => boolean, env: Record<string, string> = {}): Promise<{ stderr: string; killed: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
    let stderr = "", killed = false;
    child.stderr.on("data", (d) => {
      stderr += d;
      if (!killed && killWhen(stderr)) { killed = true; child.kill("SIGKILL"); }
    });
    child.on("exit", () => resolve({ stderr, killed }));
  });
}
