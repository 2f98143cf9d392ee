-- The audit log keeps its chain from forking with the primary key on seq (one entry per place) and the unique
-- prev_hash (one entry after any entry); the unique index on hash added nothing to that, since an entry's hash covers
-- its seq, and two entries with one hash would need one place. It cost the most of any index on every append: a
-- random 64-character key, so a batch of appends rewrote a page of it per entry (on H2 the file grew about a third
-- faster for it while entries were appended). Looking an entry up by its hash, were that ever needed, is a scan.
ALTER TABLE audit_entry DROP CONSTRAINT uq_audit_hash;
