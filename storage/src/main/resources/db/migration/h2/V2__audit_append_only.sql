-- H2: the audit tables refuse UPDATE and DELETE through a Java trigger (H2 has no procedural SQL). H2 does not fire
-- triggers on TRUNCATE, but it refuses to TRUNCATE any table that a foreign key references: audit_entry and
-- audit_key are referenced by audit_checkpoint, and this guard table references audit_checkpoint, so all three
-- refuse TRUNCATE. The guard table stays empty; it exists only for its foreign keys.
CREATE TRIGGER audit_entry_append_only BEFORE UPDATE, DELETE ON audit_entry
    FOR EACH ROW CALL 'io.harbormaster.storage.h2.AppendOnlyTrigger';
CREATE TRIGGER audit_checkpoint_append_only BEFORE UPDATE, DELETE ON audit_checkpoint
    FOR EACH ROW CALL 'io.harbormaster.storage.h2.AppendOnlyTrigger';
CREATE TRIGGER audit_key_append_only BEFORE UPDATE, DELETE ON audit_key
    FOR EACH ROW CALL 'io.harbormaster.storage.h2.AppendOnlyTrigger';

CREATE TABLE audit_truncate_guard (
    checkpoint_seq BIGINT NOT NULL,
    CONSTRAINT fk_guard_checkpoint FOREIGN KEY (checkpoint_seq) REFERENCES audit_checkpoint (seq)
);
