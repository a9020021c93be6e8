/**
 * The embedding-function interface. The server stores and searches vectors; turning text into
 * vectors happens in the client, through an object with `generate(texts)`.
 */
import { ChromaValueError } from "./errors.js";
import type { Embeddings } from "./types.js";

/**
 * Turns texts into embeddings, one vector per text and all of the same length.
 *
 * ```ts
 * const embedder: IEmbeddingFunction = {
 *   async generate(texts) { return texts.map((t) => [t.length, 0, 1]); },
 * };
 * const collection = await client.createCollection({ name: "docs", embeddingFunction: embedder });
 * await collection.add(["a"], undefined, undefined, ["some text"]);
 * ```
 */
export interface IEmbeddingFunction {
  generate(texts: string[]): Promise<Embeddings> | Embeddings;
}

/** Same as {@link IEmbeddingFunction}, under the name other Chroma clients use. */
export type EmbeddingFunction = IEmbeddingFunction;

/** Embed `texts`, checking that the function kept its side of the contract. */
export async function embed(fn: IEmbeddingFunction | undefined, texts: string[]): Promise<Embeddings> {
  if (!fn) {
    throw new ChromaValueError(
      "Texts were given without embeddings, but this collection has no embedding function: " +
        "pass embeddings, or give the collection an embeddingFunction " +
        "(createCollection({name, embeddingFunction}) / getCollection({name, embeddingFunction}))",
    );
  }
  const vectors = await fn.generate(texts);
  if (!Array.isArray(vectors) || vectors.length !== texts.length) {
    throw new ChromaValueError(
      `The embedding function returned ${Array.isArray(vectors) ? vectors.length : "no"} ` +
        `embeddings for ${texts.length} texts`,
    );
  }
  return vectors.map((vector) => Array.from(vector as ArrayLike<number>));
}
