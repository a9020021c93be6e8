/**
 * Turning `collection.search` arguments into the route's body: each search becomes its
 * payload, and `Knn` queries given as text are embedded with the collection's embedding
 * function (the server stores and searches vectors; text becomes vectors in the client).
 */
import { embed, type IEmbeddingFunction } from "../embeddings.js";
import { ChromaValueError } from "../errors.js";
import { toSearch, type SearchLike, type SearchPayload } from "./plan.js";
import { EMBEDDING_KEY, isPlainObject } from "./where.js";

/** How fresh a search's view is. Our server always reads every acknowledged write. */
export const ReadLevel = {
  INDEX_AND_WAL: "index_and_wal",
  INDEX_ONLY: "index_only",
  INDEX_AND_BOUNDED_WAL: "index_and_bounded_wal",
} as const;
/** One of the {@link ReadLevel} values. */
export type ReadLevel = (typeof ReadLevel)[keyof typeof ReadLevel];

/** Every `$knn` body in a rank's JSON whose query is a string, in place order. */
function textKnns(node: unknown, found: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(node)) {
    node.forEach((item) => textKnns(item, found));
  } else if (isPlainObject(node)) {
    for (const [op, body] of Object.entries(node)) {
      if (op === "$knn" && isPlainObject(body) && typeof body.query === "string") found.push(body);
      else textKnns(body, found);
    }
  }
  return found;
}

/** The route's `searches`: one payload per search, text queries embedded (in one call). */
export async function prepareSearches(
  searches: SearchLike | SearchLike[],
  embeddingFunction: IEmbeddingFunction | undefined,
): Promise<SearchPayload[]> {
  const list = Array.isArray(searches) ? searches : [searches];
  if (list.length === 0) throw new ChromaValueError("search needs at least one Search");
  const payloads = list.map((search) => toSearch(search).toPayload());
  const knns = payloads.flatMap((payload) => textKnns(payload.rank));
  for (const knn of knns) {
    if ((knn.key ?? EMBEDDING_KEY) !== EMBEDDING_KEY) {
      throw new ChromaValueError(
        `Knn over '${String(knn.key)}' got a text query: this client embeds text only for ` +
          `'${EMBEDDING_KEY}'; pass the vector for other keys`,
      );
    }
  }
  if (knns.length > 0) {
    const vectors = await embed(
      embeddingFunction,
      knns.map((knn) => knn.query as string),
    );
    knns.forEach((knn, i) => {
      knn.query = vectors[i];
    });
  }
  return payloads;
}
