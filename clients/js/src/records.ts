/**
 * Argument normalisation for the record methods: single records become one-item batches,
 * typed arrays become plain arrays, lengths are checked, and missing embeddings are computed
 * with the collection's embedding function. Everything here runs before any request is sent,
 * so a mistake is a `ChromaValueError` naming the argument, not a server round trip.
 */
import { embed, type IEmbeddingFunction } from "./embeddings.js";
import { ChromaValueError } from "./errors.js";
import { toWireMetadatas } from "./sparse.js";
import type {
  Document,
  Documents,
  Embedding,
  EmbeddingInput,
  Embeddings,
  ID,
  IDs,
  IncludeField,
  Metadata,
  Metadatas,
  URI,
  URIs,
} from "./types.js";

/** Records as callers give them to add, update and upsert. */
export interface RecordsInput {
  ids: ID | IDs;
  embeddings?: EmbeddingInput | EmbeddingInput[];
  metadatas?: Metadata | Metadatas;
  documents?: Document | Documents;
  uris?: URI | URIs;
}

/** Records as they go on the wire: batches, each as long as `ids`. */
export interface RecordsBody {
  ids: IDs;
  embeddings?: Embeddings;
  metadatas?: unknown[];
  documents?: Documents;
  uris?: URIs;
}

/** True for `{...}` argument objects, false for ids, arrays, strings and numbers. */
export function isParamsObject(value: unknown): value is object {
  return (
    typeof value === "object" && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value)
  );
}

function isVector(value: unknown): value is EmbeddingInput {
  if (ArrayBuffer.isView(value)) return true;
  return Array.isArray(value) && value.length > 0 && typeof value[0] === "number";
}

/** `"a"` -> `["a"]`; checks every id is a string. */
export function toIds(ids: ID | IDs | undefined, what = "ids"): IDs | undefined {
  if (ids === undefined || ids === null) return undefined;
  const list = typeof ids === "string" ? [ids] : ids;
  if (!Array.isArray(list) || list.some((id) => typeof id !== "string")) {
    throw new ChromaValueError(`Expected ${what} to be a string or an array of strings`);
  }
  return list;
}

/** One vector or several -> a batch of plain number arrays. */
export function toEmbeddings(
  input: EmbeddingInput | EmbeddingInput[] | undefined,
  what = "embeddings",
): Embeddings | undefined {
  if (input === undefined || input === null) return undefined;
  if (isVector(input)) return [toVector(input, what)];
  if (!Array.isArray(input)) {
    throw new ChromaValueError(`Expected ${what} to be an array of numbers or of number arrays`);
  }
  return input.map((vector) => toVector(vector, what));
}

function toVector(vector: unknown, what: string): Embedding {
  const values = ArrayBuffer.isView(vector) ? Array.from(vector as Float32Array) : vector;
  if (!Array.isArray(values) || values.some((x) => typeof x !== "number")) {
    throw new ChromaValueError(`Expected each of ${what} to be an array of numbers`);
  }
  return values as Embedding;
}

/** One item or several -> a batch; `isOne` tells a single item from a batch. */
function toBatch<T>(value: T | T[] | undefined, isOne: (v: T | T[]) => boolean): T[] | undefined {
  if (value === undefined || value === null) return undefined;
  return isOne(value) ? [value as T] : (value as T[]);
}

function checkLength(name: string, list: unknown[] | undefined, expected: number): void {
  if (list !== undefined && list.length !== expected) {
    throw new ChromaValueError(
      `Got ${expected} ids but ${list.length} ${name}: give one ${name.replace(/s$/, "")} per id`,
    );
  }
}

/** Normalise records; `needVectors` (add, upsert) demands embeddings or documents to embed. */
export async function prepareRecords(
  input: RecordsInput,
  embeddingFunction: IEmbeddingFunction | undefined,
  needVectors: boolean,
): Promise<RecordsBody> {
  const ids = toIds(input.ids);
  if (!ids) throw new ChromaValueError("ids are required");
  const body: RecordsBody = {
    ids,
    embeddings: toEmbeddings(input.embeddings),
    metadatas: toBatch(input.metadatas, (v) => !Array.isArray(v)),
    documents: toBatch(input.documents, (v) => typeof v === "string"),
    uris: toBatch(input.uris, (v) => typeof v === "string"),
  };
  for (const name of ["embeddings", "metadatas", "documents", "uris"] as const) {
    checkLength(name, body[name], ids.length);
  }
  body.metadatas = toWireMetadatas(body.metadatas as Metadatas | undefined);
  if (body.embeddings === undefined && body.documents !== undefined) {
    body.embeddings = await embed(embeddingFunction, body.documents);
  } else if (body.embeddings === undefined && needVectors) {
    throw new ChromaValueError("Give embeddings, or documents and an embedding function");
  }
  return body;
}

/** The query vectors: given directly, or computed from `queryTexts`. */
export async function prepareQueryEmbeddings(
  queryEmbeddings: EmbeddingInput | EmbeddingInput[] | undefined,
  queryTexts: string | string[] | undefined,
  embeddingFunction: IEmbeddingFunction | undefined,
): Promise<Embeddings> {
  const vectors = toEmbeddings(queryEmbeddings, "queryEmbeddings");
  const texts = toBatch(queryTexts, (v) => typeof v === "string");
  if (vectors && texts) {
    throw new ChromaValueError("Give queryEmbeddings or queryTexts, not both");
  }
  if (vectors) return vectors;
  if (texts) return embed(embeddingFunction, texts);
  throw new ChromaValueError("Give queryEmbeddings or queryTexts to query");
}

/** Checks an include list; `undefined` keeps the method's default. */
export function toInclude(
  include: IncludeField[] | undefined,
  fallback: IncludeField[],
): IncludeField[] {
  if (include === undefined || include === null) return fallback;
  if (!Array.isArray(include)) {
    throw new ChromaValueError('Expected include to be an array such as ["documents", "metadatas"]');
  }
  return include;
}
