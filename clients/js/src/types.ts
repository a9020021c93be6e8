/**
 * Public types: what callers pass in (flexible unions) and what the server sends back.
 *
 * Input types accept a single record as well as a batch, because the seed documents call
 * `add("id1", [1.5, 2.9, 3.4], {...}, "doc")` next to `add(["a", "b"], [[...], [...]], ...)`.
 * Internally everything is normalised to batches before it goes on the wire.
 */

import type { SparseVector } from "./sparse.js";

/** A record id. */
export type ID = string;
/** Several record ids. */
export type IDs = ID[];

/** One embedding vector. Typed arrays (`Float32Array` ...) are accepted and sent as numbers. */
export type Embedding = number[];
/** Several embedding vectors. */
export type Embeddings = Embedding[];
/** An embedding as callers may give it. */
export type EmbeddingInput = Embedding | Float32Array | Float64Array;

/** A metadata value: what the server stores for one key. */
export type MetadataValue = string | number | boolean | null;
/** The metadata of one record; a sparse vector (`{indices, values}`) may be a value too. */
export type Metadata = Record<string, MetadataValue | SparseVector>;
/** The metadata of several records. */
export type Metadatas = Metadata[];

/** The text of one record. */
export type Document = string;
/** The texts of several records. */
export type Documents = Document[];

/** The URI of one record. */
export type URI = string;
/** The URIs of several records. */
export type URIs = URI[];

/** Metadata of a collection. */
export type CollectionMetadata = Record<string, MetadataValue>;

/** A filter on metadata, e.g. `{style: "style2"}` or `{$and: [{a: {$gt: 1}}, {b: "x"}]}`. */
export type Where = Record<string, unknown>;
/** A filter on documents, e.g. `{$contains: "needle"}`. */
export type WhereDocument = Record<string, unknown>;

/** The fields a get or query may return. */
export type IncludeField = "documents" | "embeddings" | "metadatas" | "distances" | "uris";

/** The include fields by name, as Chroma's JS client spells them (`IncludeEnum.Documents`). */
export const IncludeEnum = {
  Documents: "documents",
  Embeddings: "embeddings",
  Metadatas: "metadatas",
  Distances: "distances",
  Uris: "uris",
} as const;

/** What `collection.get()` and `collection.peek()` return. A field not included is `null`. */
export interface GetResult {
  ids: IDs;
  embeddings: Embeddings | null;
  documents: (Document | null)[] | null;
  metadatas: (Metadata | null)[] | null;
  uris: (URI | null)[] | null;
  include: IncludeField[];
}

/** What `collection.query()` returns: one inner list per query, nearest first. */
export interface QueryResult {
  ids: IDs[];
  embeddings: Embeddings[] | null;
  documents: (Document | null)[][] | null;
  metadatas: (Metadata | null)[][] | null;
  uris: (URI | null)[][] | null;
  distances: number[][] | null;
  include: IncludeField[];
}

/** A collection as the server describes it. */
export interface CollectionModel {
  id: string;
  name: string;
  metadata: CollectionMetadata | null;
  tenant?: string;
  database?: string;
  dimension?: number | null;
  configuration_json?: Record<string, unknown>;
}

/** What `GET /api/v2/pre-flight-checks` answers. */
export interface PreflightChecks {
  max_batch_size: number;
  supports_base64_encoding?: boolean;
  [key: string]: unknown;
}
