-- foreign keys off: the records table is rebuilt, and dropping the old one must not cascade
-- to the vectors that reference it (Store.migrate turns them off for this file and runs
-- foreign_key_check before it commits).
--
-- A record names its collection by a small integer key instead of the collection's
-- 36-character id, which every record repeated three times (in its row, in the unique index of
-- ids and in the change index): about 110 of the ~1,880 bytes a 384-dimensional record takes
-- on disk.
ALTER TABLE catalog_collections ADD COLUMN key INTEGER;
UPDATE catalog_collections SET key = rowid;
CREATE UNIQUE INDEX catalog_collections_by_key ON catalog_collections (key);
-- A new collection's key is the log sequence of its creation: past every key given here.
UPDATE sequence SET seq = max(seq, (SELECT coalesce(max(key), 0) FROM catalog_collections));

CREATE TABLE records_keyed (
    label INTEGER PRIMARY KEY AUTOINCREMENT,
    collection INTEGER NOT NULL,         -- catalog_collections.key
    id TEXT NOT NULL,
    document TEXT,
    metadata TEXT,                       -- JSON object or NULL
    uri TEXT,
    vseq INTEGER NOT NULL,               -- log sequence of the write that last set the embedding
    mseq INTEGER NOT NULL DEFAULT 0,     -- ... that last set the metadata or document
    UNIQUE (collection, id)
);
-- Rows of a collection the catalog lost (a damaged file) keep key -1: `chroma repair` removes
-- them, as it did before.
INSERT INTO records_keyed (label, collection, id, document, metadata, uri, vseq, mseq)
    SELECT r.label, coalesce(c.key, -1), r.id, r.document, r.metadata, r.uri, r.vseq, r.mseq
    FROM records r LEFT JOIN catalog_collections c ON c.id = r.collection_id
    ORDER BY r.label;
-- Labels are never reused: the new table's counter continues the old one's.
DELETE FROM sqlite_sequence WHERE name = 'records_keyed';
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'records_keyed', seq FROM sqlite_sequence WHERE name = 'records';
DROP VIEW embeddings;
DROP TABLE records;
ALTER TABLE records_keyed RENAME TO records;
CREATE INDEX records_by_change ON records (collection, max(vseq, mseq));

CREATE VIEW embeddings AS
    SELECT c.id AS collection_id, c.name AS collection_name, r.id AS id,
           r.document AS document, r.metadata AS metadata, r.uri AS uri
    FROM records r JOIN catalog_collections c ON c.key = r.collection;
