-- What other processes on the same folder need to catch their caches up from the write log.

-- The log sequence of the write that last changed a record's metadata or document (vseq covers
-- its vector): a process whose metadata columns are at sequence s re-reads the rows with mseq > s.
ALTER TABLE records ADD COLUMN mseq INTEGER NOT NULL DEFAULT 0;
CREATE INDEX records_by_mseq ON records (collection_id, mseq);

-- Deletions up to this sequence were pruned (a checkpoint holds them): a process whose index is
-- older cannot replay them and reloads the index instead.
ALTER TABLE catalog_collections ADD COLUMN pruned_seq INTEGER NOT NULL DEFAULT 0;
