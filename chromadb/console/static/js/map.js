// @ts-check
// The 2-D map of a collection's embeddings, projected on the server (PCA, or UMAP when
// installed) and drawn on one canvas: each point is a few pixels written into an ImageData,
// so 100k points redraw in a few milliseconds while panning and zooming. A uniform grid over
// the points answers "which point is under the mouse" without scanning them all.
import { Api } from "./api.js";
import { errorBox, h, replace } from "./dom.js";

/** Category colours (colour-blind-safe first), then "other" and "no value". */
export const PALETTE = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4",
  "#f032e6", "#bfef45", "#9a6324", "#000075", "#808000", "#469990"];
const OTHER = "#a9a9a9";
const MISSING = "#d8d8d8";
const PLAIN = "#4363d8";
const GRID = 128;
const HIT_RADIUS_PX = 6;

/** @typedef {import("./api.js").CollectionInfo} CollectionInfo */

/** @param {string} b64 */
function bytes(b64) {
  const raw = atob(b64);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

/** @param {string} hex @returns {[number, number, number]} */
function rgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/**
 * @param {HTMLElement} root
 * @param {Api} api
 * @param {CollectionInfo} c
 * @param {string[]} highlighted ids of the last query's results
 * @param {(id: string) => void} onOpen
 */
export async function renderMap(root, api, c, highlighted, onOpen) {
  const method = h("select", { id: "map-method", "aria-label": "Projection" });
  const colorBy = h("select", { id: "map-color", "aria-label": "Colour by" });
  const status = h("span", { class: "muted", id: "map-status" }, "Computing the map…");
  const legend = h("div", { class: "legend", id: "map-legend" });
  const canvas = h("canvas", { id: "map-canvas", "aria-label": "Map of the embeddings" });
  const problem = h("div");
  replace(root,
    h("div", { class: "row" }, h("label", {}, "Projection "), method, h("label", {}, "Colour by "), colorBy,
      h("button", { type: "button", id: "map-reset" , onclick: () => view.reset() }, "Reset view"), status),
    problem, legend, h("div", { class: "map-wrap" }, canvas),
    h("p", { class: "muted small" }, "Drag to pan, wheel to zoom, hover for the document, click to open the record."));
  const view = new MapView(canvas, api, c, onOpen);
  window.chromaConsole = { map: view };

  function showLegend() {
    const cats = view.categories;
    replace(legend, cats ? [
      ...cats.map((label, i) =>
        h("span", { "data-category": label }, h("i", { style: `background:${PALETTE[i]}` }), label)),
      h("span", {}, h("i", { style: `background:${OTHER}` }), "other"),
      h("span", {}, h("i", { style: `background:${MISSING}` }), "no value"),
    ] : [], highlighted.length ? h("span", { id: "legend-results" },
      h("i", { style: "background:#fff;border:2px solid #111" }), `${highlighted.length} query results`) : null);
  }

  async function colour() {
    replace(problem);
    try {
      view.setColours(colorBy.value ? await api.mapColours(c, colorBy.value) : null);
    } catch (e) {
      replace(problem, errorBox(e));
    }
    showLegend();
    canvas.dataset.colouredBy = colorBy.value;
  }

  /** @param {boolean} first */
  async function load(first) {
    const started = performance.now();
    status.textContent = "Computing the map…";
    replace(problem);
    let data;
    try {
      data = await api.map(c, method.value || "pca");
    } catch (e) {
      replace(problem, errorBox(e));
      status.textContent = "";
      return;
    }
    if (first) {
      replace(method, data.methods.map((m) => h("option", { value: m }, m.toUpperCase())));
      method.value = data.method;
      replace(colorBy, h("option", { value: "" }, "(nothing)"), data.keys.map((k) => h("option", { value: k }, k)));
    }
    view.setData(data, highlighted);
    if (colorBy.value) await colour();
    else showLegend();
    const shown = data.ids.length;
    status.textContent = `${shown} of ${data.total} records · ${data.method.toUpperCase()} · ` +
      `${Math.round(performance.now() - started)} ms`;
    canvas.dataset.ready = String(shown);
    canvas.dataset.method = data.method;
  }
  method.addEventListener("change", () => load(false));
  colorBy.addEventListener("change", () => colour());
  await load(true);
}

export class MapView {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {Api} api
   * @param {CollectionInfo} c
   * @param {(id: string) => void} onOpen
   */
  constructor(canvas, api, c, onOpen) {
    this.canvas = canvas;
    this.api = api;
    this.collection = c;
    this.onOpen = onOpen;
    /** @type {string[]} */
    this.ids = [];
    this.xy = new Float32Array(0);
    /** @type {Uint8Array | null} */
    this.codes = null;
    /** @type {string[] | null} */
    this.categories = null;
    /** @type {Map<string, number>} */
    this.index = new Map();
    /** @type {number[]} */
    this.highlighted = [];
    /** @type {Int32Array[]} */
    this.grid = [];
    this.bounds = { x0: 0, y0: 0, span: 1 };
    this.zoom = 1;
    this.pan = { x: 0, y: 0 };
    /** @type {Map<string, string>} */
    this.docs = new Map();
    this.frame = 0;
    this.hover = -1;
    /** @type {ImageData | null} */
    this.image = null;
    /** @type {Uint32Array | null} */
    this.packed = null;
    /** @type {Uint8Array | null} */
    this.packedFor = null;
    this.listen();
  }

  /**
   * @param {{ ids: string[], points: string }} data the map route's answer
   * @param {string[]} highlighted
   */
  setData(data, highlighted) {
    const raw = bytes(data.points);
    this.xy = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
    this.ids = data.ids;
    this.codes = null;
    this.categories = null;
    const index = new Map(this.ids.map((id, i) => [id, i]));
    this.index = index;
    this.highlighted = highlighted.map((id) => index.get(id)).filter((i) => i !== undefined).map(Number);
    this.fit();
    this.buildGrid();
    this.draw();
  }

  /**
   * Colour the points by the colours route's answer (matched by id), or plainly with null.
   * @param {{ ids: string[], categories: string[], codes: string } | null} data
   */
  setColours(data) {
    if (!data) {
      this.codes = null;
      this.categories = null;
    } else {
      const codes = bytes(data.codes);
      const same = data.ids.length === this.ids.length && data.ids.every((id, i) => id === this.ids[i]);
      if (same) {
        this.codes = codes;
      } else {
        // Records written between the two requests: match by id, the rest get "no value".
        this.codes = new Uint8Array(this.ids.length).fill(data.categories.length + 1);
        data.ids.forEach((id, i) => {
          const at = this.index.get(id);
          if (at !== undefined && this.codes) this.codes[at] = codes[i];
        });
      }
      this.categories = data.categories;
    }
    this.draw();
  }

  fit() {
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (let i = 0; i < this.xy.length; i += 2) {
      const x = this.xy[i], y = this.xy[i + 1];
      if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
    }
    if (!Number.isFinite(x0)) { x0 = y0 = 0; x1 = y1 = 1; }
    const span = Math.max(x1 - x0, y1 - y0) || 1;
    this.bounds = { x0: (x0 + x1) / 2 - span / 2, y0: (y0 + y1) / 2 - span / 2, span };
  }

  reset() {
    this.zoom = 1;
    this.pan = { x: 0, y: 0 };
    this.draw();
  }

  /** Unit square coordinates (0..1) of point i. @param {number} i */
  unit(i) {
    const b = this.bounds;
    return [(this.xy[2 * i] - b.x0) / b.span, (this.xy[2 * i + 1] - b.y0) / b.span];
  }

  buildGrid() {
    /** @type {number[][]} */
    const cells = Array.from({ length: GRID * GRID }, () => []);
    for (let i = 0; i < this.ids.length; i++) {
      const [u, v] = this.unit(i);
      const gx = Math.min(GRID - 1, Math.max(0, Math.floor(u * GRID)));
      const gy = Math.min(GRID - 1, Math.max(0, Math.floor(v * GRID)));
      cells[gy * GRID + gx].push(i);
    }
    this.grid = cells.map((cell) => Int32Array.from(cell));
  }

  /** The drawing area in canvas pixels: a square, centred, with a margin. */
  frameBox() {
    const w = this.canvas.width, hgt = this.canvas.height;
    const size = Math.min(w, hgt) * 0.92 * this.zoom;
    return { size, left: (w - size) / 2 + this.pan.x, top: (hgt - size) / 2 + this.pan.y };
  }

  /** Canvas pixel position of point i (y grows upwards on the map). @param {number} i */
  pixelOf(i) {
    const [u, v] = this.unit(i);
    const f = this.frameBox();
    return [f.left + u * f.size, f.top + (1 - v) * f.size];
  }

  /** Where record `id` is on the screen (client coordinates), or null. @param {string} id */
  screenOf(id) {
    const i = this.ids.indexOf(id);
    if (i < 0) return null;
    const [px, py] = this.pixelOf(i);
    const rect = this.canvas.getBoundingClientRect();
    const scale = rect.width / this.canvas.width;
    return { x: rect.left + px * scale, y: rect.top + py * scale };
  }

  draw() {
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => this.paint());
  }

  /** One 32-bit pixel per point (little-endian RGBA), rebuilt when the colours change. */
  pixelColours() {
    const key = this.codes;
    if (this.packed && this.packedFor === key && this.packed.length === this.ids.length) return this.packed;
    /** @param {string} hex */
    const pack = (hex) => { const [r, g, b] = rgb(hex); return (255 << 24) | (b << 16) | (g << 8) | r; };
    const table = [...PALETTE.map(pack), pack(OTHER), pack(MISSING)];
    const cats = this.categories ? this.categories.length : 0;
    const packed = new Uint32Array(this.ids.length);
    if (!this.codes) packed.fill(pack(PLAIN));
    else for (let i = 0; i < packed.length; i++) {
      const code = this.codes[i];
      packed[i] = code < cats ? table[code] : code === cats ? table[PALETTE.length] : table[PALETTE.length + 1];
    }
    this.packed = packed;
    this.packedFor = key;
    return packed;
  }

  paint() {
    const canvas = this.canvas;
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
    const height = Math.max(1, Math.round(canvas.clientHeight * ratio));
    if (canvas.width !== width || canvas.height !== height) { canvas.width = width; canvas.height = height; }
    const ctx = canvas.getContext("2d");
    if (!ctx) return;
    if (!this.image || this.image.width !== width || this.image.height !== height) {
      this.image = ctx.createImageData(width, height);
    }
    const image = this.image;
    // Points are written as whole 32-bit pixels: a few milliseconds for 100k of them.
    const px = new Uint32Array(image.data.buffer);
    px.fill(0xffffffff);
    const colours = this.pixelColours();
    const dot = Math.max(3, Math.round(3 * ratio * Math.sqrt(this.zoom)));
    const f = this.frameBox();
    const b = this.bounds;
    const sx = f.size / b.span, ox = f.left - b.x0 * sx;
    const oy = f.top + f.size + b.y0 * sx;
    const xy = this.xy;
    const n = this.ids.length, maxX = width - dot, maxY = height - dot;
    for (let i = 0; i < n; i++) {
      const x = Math.round(ox + xy[2 * i] * sx);
      const y = Math.round(oy - xy[2 * i + 1] * sx);
      if (x < 0 || y < 0 || x >= maxX || y >= maxY) continue;
      const c = colours[i];
      for (let dy = 0, o = y * width + x; dy < dot; dy++, o += width) {
        for (let dx = 0; dx < dot; dx++) px[o + dx] = c;
      }
    }
    ctx.putImageData(image, 0, 0);
    ctx.lineWidth = 2 * ratio;
    for (const i of this.highlighted) this.ring(ctx, i, 7 * ratio, "#111");
    if (this.hover >= 0) this.ring(ctx, this.hover, 9 * ratio, "#ff6446");
  }

  /** @param {CanvasRenderingContext2D} ctx @param {number} i @param {number} r @param {string} colour */
  ring(ctx, i, r, colour) {
    const [x, y] = this.pixelOf(i);
    ctx.beginPath();
    ctx.arc(x, y, r, 0, 2 * Math.PI);
    ctx.strokeStyle = colour;
    ctx.stroke();
  }

  /** The point nearest to a canvas pixel, within the hit radius, or -1. @param {number} cx @param {number} cy */
  pointAt(cx, cy) {
    const f = this.frameBox();
    const ratio = window.devicePixelRatio || 1;
    const radius = HIT_RADIUS_PX * ratio;
    const u = (cx - f.left) / f.size, v = 1 - (cy - f.top) / f.size;
    const reach = Math.ceil((radius / f.size) * GRID) + 1;
    const gx = Math.floor(u * GRID), gy = Math.floor(v * GRID);
    let best = -1, bestD = radius * radius;
    for (let y = Math.max(0, gy - reach); y <= Math.min(GRID - 1, gy + reach); y++) {
      for (let x = Math.max(0, gx - reach); x <= Math.min(GRID - 1, gx + reach); x++) {
        for (const i of this.grid[y * GRID + x] || []) {
          const [px, py] = this.pixelOf(i);
          const d = (px - cx) ** 2 + (py - cy) ** 2;
          if (d <= bestD) { bestD = d; best = i; }
        }
      }
    }
    return best;
  }

  /** @param {MouseEvent} e canvas pixel coordinates of a mouse event */
  canvasXY(e) {
    const rect = this.canvas.getBoundingClientRect();
    const scale = this.canvas.width / rect.width;
    return [(e.clientX - rect.left) * scale, (e.clientY - rect.top) * scale];
  }

  listen() {
    const canvas = this.canvas;
    const tooltip = /** @type {HTMLElement} */ (document.getElementById("tooltip"));
    let drag = /** @type {{ x: number, y: number, moved: boolean } | null} */ (null);
    canvas.addEventListener("mousedown", (e) => { drag = { x: e.clientX, y: e.clientY, moved: false }; });
    window.addEventListener("mouseup", () => { setTimeout(() => (drag = null), 0); });
    canvas.addEventListener("mousemove", (e) => {
      if (drag && (e.buttons & 1)) {
        const ratio = this.canvas.width / this.canvas.getBoundingClientRect().width;
        const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
        if (Math.abs(dx) + Math.abs(dy) > 2) drag.moved = true;
        this.pan.x += dx * ratio; this.pan.y += dy * ratio;
        drag.x = e.clientX; drag.y = e.clientY;
        tooltip.hidden = true;
        this.draw();
        return;
      }
      const [cx, cy] = this.canvasXY(e);
      const i = this.pointAt(cx, cy);
      if (i !== this.hover) { this.hover = i; this.draw(); }
      if (i < 0) { tooltip.hidden = true; return; }
      this.showTooltip(tooltip, i, e.clientX, e.clientY);
    });
    canvas.addEventListener("mouseleave", () => { tooltip.hidden = true; this.hover = -1; this.draw(); });
    canvas.addEventListener("click", (e) => {
      if (drag && drag.moved) return;
      const [cx, cy] = this.canvasXY(e);
      const i = this.pointAt(cx, cy);
      if (i >= 0) { tooltip.hidden = true; this.onOpen(this.ids[i]); }
    });
    canvas.addEventListener("wheel", (e) => {
      e.preventDefault();
      const [cx, cy] = this.canvasXY(e);
      const factor = Math.exp(-e.deltaY * 0.0015);
      const zoom = Math.min(200, Math.max(0.5, this.zoom * factor));
      const applied = zoom / this.zoom;
      // Keep the point under the mouse where it is.
      const f = this.frameBox();
      const centre = { x: this.canvas.width / 2 + this.pan.x, y: this.canvas.height / 2 + this.pan.y };
      this.pan.x += (cx - centre.x) * (1 - applied);
      this.pan.y += (cy - centre.y) * (1 - applied);
      void f;
      this.zoom = zoom;
      this.draw();
    }, { passive: false });
    new ResizeObserver(() => this.draw()).observe(canvas);
  }

  /** @param {HTMLElement} tooltip @param {number} i @param {number} x @param {number} y */
  async showTooltip(tooltip, i, x, y) {
    const id = this.ids[i];
    tooltip.style.left = `${x + 14}px`;
    tooltip.style.top = `${y + 14}px`;
    tooltip.hidden = false;
    let doc = this.docs.get(id);
    if (doc === undefined) {
      replace(tooltip, h("b", {}, id), "…");
      const got = await this.api.get(this.collection, { ids: [id], include: ["documents"] });
      doc = got.documents?.[0] ?? "(no document)";
      this.docs.set(id, doc);
      if (this.hover !== i) return;
    }
    replace(tooltip, h("b", {}, id), doc.length > 400 ? doc.slice(0, 400) + "…" : doc);
  }
}
