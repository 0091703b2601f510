// ${...} variables in citymesh task definitions. VS Code resolves them before calling a CustomExecution's callback
// (the `resolvedDefinition` argument, since 1.49 — see the CustomExecution constructor's doc in vscode.d.ts), but not
// for a task started from the API with an unresolved definition, nor for values nested in arrays on some versions
// (microsoft/vscode#164791). Whatever is still unresolved is substituted here. No vscode import.
import os from "os";
import path from "path";

export interface VariableContext {
  workspaceFolder?: string;
  /** Other folders of a multi-root workspace, by name, for ${workspaceFolder:name}. */
  workspaceFolders?: Record<string, string>;
  /** The active editor's file. */
  file?: string;
  env?: Record<string, string | undefined>;
}

/** Substitutes the variables it knows in one string; unknown ones are left as written and reported in `unresolved`. */
export function substituteVariables(value: string, ctx: VariableContext, unresolved: string[] = []): string {
  return value.replace(/\$\{([^}]+)\}/g, (whole, name: string) => {
    const r = resolveOne(name, ctx);
    if (r === undefined) unresolved.push(whole);
    return r ?? whole;
  });
}

function resolveOne(name: string, c: VariableContext): string | undefined {
  if (name.startsWith("env:")) return (c.env ?? process.env)[name.slice(4)] ?? "";
  if (name.startsWith("workspaceFolder:")) return c.workspaceFolders?.[name.slice("workspaceFolder:".length)];
  const f = c.file;
  switch (name) {
    case "workspaceFolder": return c.workspaceFolder;
    case "workspaceRoot": return c.workspaceFolder;
    case "workspaceFolderBasename": return c.workspaceFolder && path.basename(c.workspaceFolder);
    case "userHome": return os.homedir();
    case "pathSeparator": return path.sep;
    case "file": return f;
    case "fileDirname": return f && path.dirname(f);
    case "fileBasename": return f && path.basename(f);
    case "fileExtname": return f && path.extname(f);
    case "fileBasenameNoExtension": return f && path.basename(f, path.extname(f));
    case "relativeFile": return f && c.workspaceFolder ? path.relative(c.workspaceFolder, f) : undefined;
    default: return undefined;
  }
}

/** Substitutes variables in every string of a task definition (arrays and nested objects included). */
export function substituteInDefinition<T>(def: T, ctx: VariableContext, unresolved: string[] = []): T {
  const walk = (v: unknown): unknown =>
    typeof v === "string" ? substituteVariables(v, ctx, unresolved)
      : Array.isArray(v) ? v.map(walk)
        : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]))
          : v;
  return walk(def) as T;
}
