/**
 * Sparse vectors in metadata. Callers write `{indices, values}`; on the wire a sparse vector
 * is tagged `{"#type": "sparse_vector", indices, values}` so the server can tell it from other
 * objects, and answers carry it tagged the same way. These helpers convert in both directions.
 */
import type { Metadata } from "./types.js";

/** A sparse vector: parallel arrays of dimension indices (ascending) and their values. */
export interface SparseVector {
  indices: number[];
  values: number[];
}

const TYPE_KEY = "#type";
const SPARSE_TYPE = "sparse_vector";

/** True for `{indices: number[], values: number[]}` (tagged or not). */
export function isSparseVector(value: unknown): value is SparseVector {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const v = value as Partial<SparseVector>;
  return Array.isArray(v.indices) && Array.isArray(v.values);
}

function tag(metadata: Metadata | null): Record<string, unknown> | null {
  if (metadata === null || typeof metadata !== "object") return metadata;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(metadata)) {
    out[key] = isSparseVector(value)
      ? { [TYPE_KEY]: SPARSE_TYPE, indices: [...value.indices], values: [...value.values] }
      : value;
  }
  return out;
}

function untag(metadata: Record<string, unknown> | null): Metadata | null {
  if (metadata === null || typeof metadata !== "object") return metadata;
  const out: Metadata = {};
  for (const [key, value] of Object.entries(metadata)) {
    const tagged = isSparseVector(value) && (value as unknown as Record<string, unknown>)[TYPE_KEY] === SPARSE_TYPE;
    out[key] = tagged ? { indices: value.indices, values: value.values } : (value as Metadata[string]);
  }
  return out;
}

/** Metadatas as they go on the wire (sparse vectors tagged). */
export function toWireMetadatas(metadatas: (Metadata | null)[] | undefined): unknown[] | undefined {
  return metadatas?.map((m) => tag(m));
}

/** One list of wire metadatas as callers read them (sparse vectors as `{indices, values}`). */
export function fromWireMetadatas<T extends Record<string, unknown> | null>(
  metadatas: T[] | null | undefined,
): (Metadata | null)[] | null {
  return metadatas ? metadatas.map((m) => untag(m)) : null;
}
