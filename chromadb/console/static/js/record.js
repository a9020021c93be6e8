// @ts-check
// A record's details in a dialog: document, metadata, an embedding preview; "more like this",
// edit and delete (both confirmed first).
import { Api, embedsText } from "./api.js";
import { byId, confirmAction, errorBox, h, json, replace, toast } from "./dom.js";

/**
 * @typedef {import("./api.js").CollectionInfo} CollectionInfo
 * @typedef {{ onChanged: () => void, onLike: (id: string) => void }} RecordHooks
 */

/**
 * Bars of every dimension, so patterns (sparse, one large value) show at a glance.
 * @param {number[]} vector
 */
function sparkline(vector) {
  const canvas = h("canvas", { class: "sparkline", width: 700, height: 60, id: "embedding-chart" });
  const ctx = canvas.getContext("2d");
  const max = Math.max(1e-12, ...vector.map(Math.abs));
  if (ctx) {
    const w = canvas.width / vector.length;
    vector.forEach((v, i) => {
      const bar = (Math.abs(v) / max) * 28;
      ctx.fillStyle = v >= 0 ? "#327eff" : "#ff6446";
      ctx.fillRect(i * w, v >= 0 ? 30 - bar : 30, Math.max(1, w - 0.5), bar);
    });
  }
  return canvas;
}

/** @param {number[]} vector */
function embeddingPreview(vector) {
  const norm = Math.sqrt(vector.reduce((s, v) => s + v * v, 0));
  const head = vector.slice(0, 12).map((v) => v.toFixed(4)).join(", ");
  return h("div", { id: "embedding-preview" },
    h("div", { class: "muted" }, `${vector.length} dimensions · norm ${norm.toFixed(4)}`),
    h("pre", { class: "mono" }, `[${head}${vector.length > 12 ? ", …" : ""}]`),
    sparkline(vector));
}

/**
 * Open the record `id` of collection `c`.
 * @param {Api} api
 * @param {CollectionInfo} c
 * @param {string} id
 * @param {RecordHooks} hooks
 */
export async function openRecord(api, c, id, hooks) {
  const dialog = /** @type {HTMLDialogElement} */ (byId("record-dialog"));
  const result = await api.get(c, { ids: [id], include: ["documents", "metadatas", "embeddings"] });
  if (!result.ids.length) {
    toast(`Record ${id} no longer exists`);
    return;
  }
  const document = result.documents?.[0] ?? null;
  const metadata = result.metadatas?.[0] ?? null;
  const embedding = result.embeddings?.[0] ?? null;
  const close = () => dialog.close();

  function view() {
    replace(dialog,
      h("h2", { id: "record-title" }, `Record ${id}`),
      h("div", { class: "kv" },
        h("div", {}, "Document"), h("pre", { id: "record-document" }, document ?? "—"),
        h("div", {}, "Metadata"), h("pre", { id: "record-metadata" }, metadata ? json(metadata) : "—"),
        h("div", {}, "Embedding"), embedding ? embeddingPreview(embedding) : h("span", {}, "—")),
      h("menu", {},
        h("button", { type: "button", id: "record-like", onclick: () => { close(); hooks.onLike(id); } },
          "More like this"),
        h("button", { type: "button", id: "record-edit", onclick: edit }, "Edit"),
        h("button", { type: "button", id: "record-delete", class: "danger", onclick: remove }, "Delete"),
        h("button", { type: "button", id: "record-close", onclick: close }, "Close")));
  }

  async function remove() {
    if (!(await confirmAction("Delete record", `Delete record "${id}" from ${c.name}? This cannot be undone.`, "Delete"))) return;
    await api.deleteRecords(c, [id]);
    close();
    toast(`Deleted ${id}`);
    hooks.onChanged();
  }

  function edit() {
    const doc = h("textarea", { id: "edit-document" }, document ?? "");
    const meta = h("textarea", { id: "edit-metadata" }, metadata ? json(metadata) : "{}");
    const problem = h("div");
    const note = embedsText(c)
      ? "A changed document is embedded again by the collection's embedding function."
      : "This collection's embeddings come from its client: the stored embedding is kept.";
    replace(dialog,
      h("h2", { id: "record-title" }, `Edit ${id}`),
      h("label", {}, "Document", doc),
      h("label", {}, "Metadata (JSON object)", meta),
      h("p", { class: "muted small" }, note),
      problem,
      h("menu", {},
        h("button", { type: "button", onclick: view }, "Cancel"),
        h("button", { type: "button", class: "primary", id: "edit-save", onclick: () => save(doc.value, meta.value, problem) }, "Save")));
  }

  /** @param {string} newDoc @param {string} metaText @param {HTMLElement} problem */
  async function save(newDoc, metaText, problem) {
    /** @type {Record<string, unknown>} */
    let newMeta;
    try {
      newMeta = JSON.parse(metaText);
      if (typeof newMeta !== "object" || newMeta === null || Array.isArray(newMeta)) throw new Error("not an object");
    } catch (e) {
      replace(problem, errorBox(`Metadata must be a JSON object (${e instanceof Error ? e.message : e})`));
      return;
    }
    if (!(await confirmAction("Save record", `Overwrite record "${id}" in ${c.name}?`, "Save"))) return;
    // update merges metadata: keys the user removed are sent as null, which deletes them.
    for (const key of Object.keys(metadata || {})) if (!(key in newMeta)) newMeta[key] = null;
    /** @type {Record<string, unknown>} */
    const body = { ids: [id], metadatas: [newMeta] };
    if (newDoc !== (document ?? "")) {
      body.documents = [newDoc];
      if (embedsText(c)) body.embeddings = await api.embed(c, [newDoc]);
    }
    try {
      await api.update(c, body);
    } catch (e) {
      replace(problem, errorBox(e));
      return;
    }
    close();
    toast(`Saved ${id}`);
    hooks.onChanged();
  }

  view();
  if (!dialog.open) dialog.showModal();
}
