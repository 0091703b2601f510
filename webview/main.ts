// Entry of the viewer page (bundled to dist/webview.js). Independent of VS Code: the same page
// runs in a webview and standalone in the test page.
import { createHost } from "./host";
import { Viewer } from "./viewer";

const host = createHost();
const viewer = new Viewer(host);
host.onMessage((m) => viewer.handle(m));
if (host.kind === "standalone") (window as unknown as { citymeshViewer: Viewer }).citymeshViewer = viewer;
host.start();
