/**
 * What `collection.search` returns: column-major lists with one entry per search (as the
 * server sends them), and `rows()` for the same answer as one list of records per search.
 */
import { fromWireMetadatas } from "../sparse.js";
import type { Metadata } from "../types.js";

/** One result record; a field is present only when it was selected and has a value. */
export interface SearchResultRow {
  id: string;
  document?: string | null;
  embedding?: number[] | null;
  metadata?: Metadata | null;
  score?: number | null;
}

/** The search route's answer. */
export interface SearchResponse {
  ids: string[][];
  documents?: Array<Array<string | null> | null> | null;
  embeddings?: Array<Array<number[] | null> | null> | null;
  metadatas?: Array<Array<Metadata | null> | null> | null;
  scores?: Array<Array<number | null> | null> | null;
  select?: string[][] | null;
}

// One entry per search: the server's column for that search, or null where not selected.
function perSearch<T>(column: Array<T[] | null> | null | undefined, count: number): Array<T[] | null> {
  return Array.from({ length: count }, (_, i) => {
    const values = column?.[i];
    return values ? [...values] : null;
  });
}

/** The answer of `collection.search`: `ids[i]` etc. belong to the i-th search, best first. */
export class SearchResult {
  /** Per search, the ids of the results, best (lowest score) first. */
  readonly ids: string[][];
  /** Per search, the documents, or null when not selected. */
  readonly documents: Array<Array<string | null> | null>;
  /** Per search, the embeddings, or null when not selected. */
  readonly embeddings: Array<Array<number[] | null> | null>;
  /** Per search, the metadata (all of it, or the selected keys), or null when not selected. */
  readonly metadatas: Array<Array<Metadata | null> | null>;
  /** Per search, the scores, or null when not selected. */
  readonly scores: Array<Array<number | null> | null>;
  /** Per search, the keys it selected. */
  readonly select: string[][];

  constructor(response: SearchResponse) {
    this.ids = response.ids.map((ids) => [...ids]);
    const count = this.ids.length;
    this.documents = perSearch(response.documents, count);
    this.embeddings = perSearch(response.embeddings, count);
    this.metadatas = perSearch(response.metadatas, count).map((m) => m && fromWireMetadatas(m));
    this.scores = perSearch(response.scores, count);
    this.select = (response.select ?? []).map((keys) => [...keys]);
  }

  /** Per search, its results as records (`{id, document?, embedding?, metadata?, score?}`). */
  rows(): SearchResultRow[][] {
    return this.ids.map((ids, s) =>
      ids.map((id, r) => {
        const row: SearchResultRow = { id };
        const document = this.documents[s]?.[r];
        const embedding = this.embeddings[s]?.[r];
        const metadata = this.metadatas[s]?.[r];
        const score = this.scores[s]?.[r];
        if (document !== null && document !== undefined) row.document = document;
        if (embedding !== null && embedding !== undefined) row.embedding = embedding;
        if (metadata !== null && metadata !== undefined) row.metadata = metadata;
        if (score !== null && score !== undefined) row.score = score;
        return row;
      }),
    );
  }
}
