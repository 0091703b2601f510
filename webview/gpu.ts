// Which WebGL implementation the page got. Software rasterisers (SwiftShader in VMs and remote
// hosts without a GPU, llvmpipe) pay ~3x per frame for 4x MSAA (1M triangles in headless
// Chromium: 1.34 s vs 0.43 s a frame), so antialiasing is only asked of real GPUs.

export function rendererName(): string {
  try {
    const gl = document.createElement("canvas").getContext("webgl2");
    if (!gl) return "";
    const ext = gl.getExtension("WEBGL_debug_renderer_info");
    const name = String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? "");
    gl.getExtension("WEBGL_lose_context")?.loseContext();
    return name;
  } catch {
    return "";
  }
}

export function isSoftwareRenderer(name: string): boolean {
  return /swiftshader|llvmpipe|softpipe|software/i.test(name);
}
