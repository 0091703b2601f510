// The viewer page's HTML and Content-Security-Policy. No vscode import: the standalone test
// page is rendered by this same code, so the test checks the CSP the extension ships.
import { randomBytes } from "crypto";

export interface ViewerPage {
  /** webview.cspSource inside VS Code; the page's own origin standalone. */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  title: string;
}

export function makeNonce(): string {
  return randomBytes(18).toString("base64").replace(/[^A-Za-z0-9]/g, "");
}

/**
 * Nothing by default; the bundled script only with the nonce, and WebAssembly compiled by it
 * ('wasm-unsafe-eval': meshoptimizer's decoder for EXT_meshopt_compression GLBs; no eval of
 * strings); styles, images and fetches only
 * from the webview's own resources (blob:/data: for three.js's embedded glTF textures/buffers);
 * no <base> and no form submissions.
 */
export function viewerCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}' 'wasm-unsafe-eval'`,
    `style-src ${cspSource}`,
    `img-src ${cspSource} blob: data:`,
    `connect-src ${cspSource} blob: data:`,
    `font-src ${cspSource}`,
    // Not covered by default-src: a <base> element or a form could still send the page elsewhere.
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Fills media/viewer.html's {{placeholders}}; every value is HTML-escaped. */
export function renderViewerHtml(template: string, page: ViewerPage): string {
  const values: Record<string, string> = {
    csp: viewerCsp(page.cspSource, page.nonce),
    nonce: page.nonce, scriptUri: page.scriptUri, styleUri: page.styleUri, title: page.title,
  };
  return template.replace(/\{\{(\w+)\}\}/g, (m, k: string) => (k in values ? escapeHtml(values[k]) : m));
}
