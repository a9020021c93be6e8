// Compiled (not run) by `npm test`: the seed's calls and the object forms type-check against
// the published declarations, and misuse does not.
import {
  ChromaClient,
  ChromaNotFoundError,
  GroupBy,
  K,
  Knn,
  MinK,
  ReadLevel,
  Rrf,
  Search,
  type GetResult,
  type IEmbeddingFunction,
  type QueryResult,
  type SearchResult,
  type SearchResultRow,
  type SparseVector,
} from "chromadb";

const embeddingFunction: IEmbeddingFunction = {
  generate: async (texts: string[]) => texts.map(() => [0, 0, 0]),
};

export async function seedForms(client: ChromaClient): Promise<void> {
  await client.listCollections();
  const collection = await client.createCollection("testname");
  await client.getCollection("testname");
  await client.deleteCollection("testname");
  await client.reset();
  await collection.count();
  await collection.add("id1", [1.5, 2.9, 3.4], { source: "my_source" }, "This is a document");
  await collection.add(
    ["uri9", "uri10"],
    [
      [1.5, 2.9, 3.4],
      [9.8, 2.3, 2.9],
    ],
    [{ style: "style1" }, { style: "style2" }],
    ["This is a document", "that is a document"],
  );
  await collection.add(["uri9", "uri10"], undefined, [{ style: "style1" }, { style: "style2" }], ["a", "b"]);
  const got: GetResult = await collection.get();
  await collection.peek();
  let query_embeddings, n_results, where;
  const found: QueryResult = await collection.query(
    (query_embeddings = [
      [1.1, 2.3, 3.2],
      [5.1, 4.3, 2.2],
    ]),
    (n_results = 2),
    (where = { style: "style2" }),
  );
  await collection.delete();
  void [got, found, query_embeddings, n_results, where];
}

export async function objectForms(client: ChromaClient): Promise<void> {
  const collection = await client.getOrCreateCollection({ name: "x", embeddingFunction });
  await client.getCollection({ name: "x", embeddingFunction });
  await collection.add({ ids: ["a"], embeddings: [[1, 2, 3]], metadatas: [{ k: 1 }], documents: ["d"] });
  await collection.update({ ids: "a", metadatas: { k: 2 } });
  await collection.upsert({ ids: ["b"], documents: ["text"] });
  await collection.get({ ids: ["a"], where: { k: 1 }, whereDocument: { $contains: "d" }, limit: 1, offset: 0, include: ["documents"] });
  await collection.query({ queryTexts: ["text"], nResults: 1, include: ["distances"] });
  await collection.modify({ name: "y", metadata: { v: 1 } });
  const n: number = await client.countCollections();
  const beat: number = await client.heartbeat();
  const version: string = await client.version();
  void [n, beat, version, ChromaNotFoundError];
  // @ts-expect-error include names are checked
  await collection.get({ include: ["everything"] });
  // @ts-expect-error ids are strings
  await collection.add({ ids: [1] });
}

export async function searchForms(client: ChromaClient): Promise<void> {
  const collection = await client.getCollection({ name: "x", embeddingFunction });
  const search = new Search()
    .where(K("year").gte(2020).and(K.DOCUMENT.contains("rose")))
    .rank(Rrf({ ranks: [Knn({ query: [1, 2], returnRank: true }), Knn({ query: "text", returnRank: true })] }))
    .groupBy(new GroupBy([K("cat")], new MinK([K.SCORE], 2)))
    .limit(10, 5)
    .select(K.DOCUMENT, K.SCORE, "title");
  const result: SearchResult = await collection.search([search, { rank: Knn({ query: new Float32Array(2) }), limit: 3 }], {
    readLevel: ReadLevel.INDEX_AND_WAL,
  });
  const rows: SearchResultRow[][] = result.rows();
  const ids: string[][] = result.ids;
  const scores: (number | null)[] | null = result.scores[0];
  void [rows, ids, scores];
  const sparse: SparseVector = { indices: [1, 5], values: [0.5, 2] };
  const hybrid = await client.createCollection({ name: "h", schema: { defaults: {}, keys: {} } });
  await hybrid.add({ ids: ["s"], embeddings: [[1, 2]], metadatas: [{ sp: sparse, n: 1 }] });
  await hybrid.search(new Search().rank(Knn({ query: sparse, key: "sp" })));
  // @ts-expect-error Knn needs a query
  Knn({ limit: 3 });
  // @ts-expect-error read levels are named
  await collection.search(search, { readLevel: "fresh" });
}
