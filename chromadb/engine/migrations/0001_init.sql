-- The catalog: tenants own databases, databases own collections.
CREATE TABLE tenants (
    name TEXT PRIMARY KEY
);

CREATE TABLE databases (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    tenant TEXT NOT NULL REFERENCES tenants(name) ON DELETE CASCADE,
    UNIQUE (tenant, name)
);

CREATE TABLE catalog_collections (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    database_id TEXT NOT NULL REFERENCES databases(id) ON DELETE CASCADE,
    metadata TEXT,                       -- JSON object or NULL
    configuration TEXT NOT NULL DEFAULT '{}',
    dimension INTEGER,
    created_seq INTEGER NOT NULL,
    UNIQUE (database_id, name)
);

-- One row per record. label (the rowid) is the record's label in the vector index; AUTOINCREMENT so that a
-- rowid is never reused (the write log refers to rowids).
CREATE TABLE records (
    label INTEGER PRIMARY KEY AUTOINCREMENT,
    collection_id TEXT NOT NULL,
    id TEXT NOT NULL,
    document TEXT,
    metadata TEXT,                       -- JSON object or NULL
    uri TEXT,
    vseq INTEGER NOT NULL,               -- log sequence of the write that last set the embedding
    UNIQUE (collection_id, id)
);
CREATE INDEX records_by_vseq ON records (collection_id, vseq);

-- Embeddings apart from the rows: a record row stays small (many to a page), so reading
-- documents and metadata for results never walks through vector bytes.
CREATE TABLE vectors (
    label INTEGER PRIMARY KEY REFERENCES records(label) ON DELETE CASCADE,
    embedding BLOB NOT NULL              -- little-endian float32
);

-- The part of the write log that record rows cannot show: removed vectors. Entries up to an
-- index checkpoint's sequence are pruned once that checkpoint is written.
CREATE TABLE deletions (
    seq INTEGER NOT NULL,
    collection_id TEXT NOT NULL,
    label INTEGER NOT NULL
);
CREATE INDEX deletions_by_collection ON deletions (collection_id, seq);

CREATE TABLE sequence (
    id INTEGER PRIMARY KEY CHECK (id = 0),
    seq INTEGER NOT NULL
);
INSERT INTO sequence (id, seq) VALUES (0, 0);

-- Substring search over documents ($contains), case-sensitive like Chroma's.
CREATE VIRTUAL TABLE documents_fts USING fts5 (document, tokenize = 'trigram case_sensitive 1');

-- Stable, documented views for raw_sql.
CREATE VIEW collections AS
    SELECT c.id AS id, c.name AS name, c.metadata AS metadata, c.dimension AS dimension,
           d.tenant AS tenant, d.name AS database
    FROM catalog_collections c JOIN databases d ON d.id = c.database_id;

CREATE VIEW embeddings AS
    SELECT r.collection_id AS collection_id, c.name AS collection_name, r.id AS id,
           r.document AS document, r.metadata AS metadata, r.uri AS uri
    FROM records r JOIN catalog_collections c ON c.id = r.collection_id;

INSERT INTO tenants (name) VALUES ('default_tenant');
INSERT INTO databases (id, name, tenant)
    VALUES ('00000000-0000-0000-0000-000000000000', 'default_database', 'default_tenant');
