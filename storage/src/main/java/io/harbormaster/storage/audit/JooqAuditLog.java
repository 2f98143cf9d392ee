package io.harbormaster.storage.audit;

import static io.harbormaster.storage.Sql.odt;
import static io.harbormaster.storage.jooq.Tables.AUDIT_CHECKPOINT;
import static io.harbormaster.storage.jooq.Tables.AUDIT_ENTRY;
import static io.harbormaster.storage.jooq.Tables.AUDIT_KEY;

import io.harbormaster.engine.audit.AuditChain;
import io.harbormaster.engine.audit.AuditCheckpoint;
import io.harbormaster.engine.audit.AuditEntry;
import io.harbormaster.engine.audit.AuditField;
import io.harbormaster.engine.audit.AuditLog;
import io.harbormaster.engine.audit.AuditQuery;
import io.harbormaster.engine.audit.AuditRecord;
import io.harbormaster.engine.audit.AuditSummary;
import io.harbormaster.engine.audit.ChainVerifier;
import io.harbormaster.engine.audit.CheckpointSigner;
import io.harbormaster.engine.audit.VerifyReport;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.Sql;
import java.security.PublicKey;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

/**
 * The audit log on H2 or PostgreSQL. The chain never forks: the primary key on {@code seq} and the unique
 * {@code prev_hash} let only one entry follow any entry, whichever thread or replica writes it; a writer that lost
 * the race re-reads the head and links its entries again.
 */
public final class JooqAuditLog implements AuditLog {
    private static final int FETCH_SIZE = 2_000;
    private static final int MAX_GROUP = 500;
    private static final int MAX_RELINK = 100;
    /** A leader stops waiting for more records once none has arrived for this long. */
    static final long GATHER_QUIET_NANOS = 100_000;
    /** And never waits longer than this. */
    static final long GATHER_MAX_NANOS = 1_000_000;

    private final Database db;
    private final Optional<CheckpointSigner> signer;
    private final int checkpointEvery;
    private final Clock clock;
    private final Optional<PublicKey> pinnedKey;
    private final java.util.concurrent.ConcurrentLinkedQueue<Pending> queue =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.locks.ReentrantLock writer = new java.util.concurrent.locks.ReentrantLock();
    /** Records in {@link #queue} (its own size() walks it). */
    private final java.util.concurrent.atomic.AtomicInteger queued = new java.util.concurrent.atomic.AtomicInteger();
    /** Completed when the current group's leader has written and let go of the writer lock. */
    private volatile java.util.concurrent.CompletableFuture<Void> turn =
            java.util.concurrent.CompletableFuture.completedFuture(null);
    // The last group's size and how long its write took; guarded by the writer lock.
    private int lastGroup;
    private long lastWriteNanos;
    // The chain's head as this process last wrote or read it; guarded by the writer lock.
    private long headSeq;
    private String headHash;
    /** Transactions that appended entries, and the entries they appended: how well appends were grouped. */
    private final java.util.concurrent.atomic.LongAdder appendTransactions =
            new java.util.concurrent.atomic.LongAdder();

    private final java.util.concurrent.atomic.LongAdder appendedEntries = new java.util.concurrent.atomic.LongAdder();

    /**
     * @param signer signs checkpoints; its public key is recorded in {@code audit_key}
     * @param checkpointEvery sign a checkpoint every this many entries
     * @param pinnedKey when present, {@link #verify()} trusts only this key, not the keys stored in the database
     */
    public JooqAuditLog(
            Database db, CheckpointSigner signer, int checkpointEvery, Clock clock, Optional<PublicKey> pinnedKey) {
        this(db, Optional.of(signer), checkpointEvery, clock, pinnedKey);
    }

    private JooqAuditLog(
            Database db,
            Optional<CheckpointSigner> signer,
            int checkpointEvery,
            Clock clock,
            Optional<PublicKey> pinnedKey) {
        if (checkpointEvery < 1) {
            throw new IllegalArgumentException(
                    "audit checkpoints must come every 1 or more entries, got " + checkpointEvery);
        }
        this.db = db;
        this.signer = signer;
        this.checkpointEvery = checkpointEvery;
        this.clock = clock;
        this.pinnedKey = pinnedKey;
        signer.ifPresent(this::registerKey);
    }

    /**
     * A log that can be read, exported and verified but not appended to: what {@code audit verify} and
     * {@code audit export} use, so that they need no signing key.
     */
    public static JooqAuditLog reader(Database db, Optional<PublicKey> pinnedKey) {
        return new JooqAuditLog(db, Optional.empty(), 1, Clock.systemUTC(), pinnedKey);
    }

    private CheckpointSigner requireSigner() {
        return signer.orElseThrow(() -> new IllegalStateException("this audit log was opened read-only"));
    }

    /**
     * The key this log signs its checkpoints with, which also signs its filtered exports' manifests; empty for a
     * {@link #reader}.
     */
    public Optional<CheckpointSigner> signer() {
        return signer;
    }

    private void registerKey(CheckpointSigner signer) {
        db.dsl().transaction(cfg -> {
            var tx = DSL.using(cfg);
            if (!tx.fetchExists(AUDIT_KEY, AUDIT_KEY.KEY_ID.eq(signer.keyId()))) {
                tx.insertInto(AUDIT_KEY)
                        .set(AUDIT_KEY.KEY_ID, signer.keyId())
                        .set(AUDIT_KEY.PUBLIC_KEY, signer.publicKeyBase64())
                        .set(AUDIT_KEY.ADDED_AT, odt(clock.instant()))
                        .onDuplicateKeyIgnore()
                        .execute();
            }
        });
    }

    /**
     * Appends one record. Concurrent callers share transactions (group commit): one of them, the leader, writes every
     * record queued so far in one transaction while the others wait for their own record's result, not for the
     * writer lock, so each returns as soon as its record is written and may queue its next one at once. A leader that
     * saw concurrent appends lately first waits a moment for records still arriving (see {@link #gather()}), as
     * PostgreSQL's {@code commit_delay} does for {@code commit_siblings}: one flush then serves them all, where
     * without the wait the callers split into two alternating groups, each waiting out the other's flush. Records
     * are made canonical in the caller's thread, so bad input fails only its own caller.
     */
    @Override
    public AuditEntry append(AuditRecord record) {
        requireSigner();
        var pending = new Pending(record.canonical());
        queue.add(pending);
        queued.incrementAndGet();
        while (!pending.result.isDone()) {
            var current = turn;
            if (writer.tryLock()) {
                var mine = new java.util.concurrent.CompletableFuture<Void>();
                turn = mine;
                try {
                    if (!pending.result.isDone()) {
                        gather();
                        writeQueued();
                    }
                } finally {
                    writer.unlock();
                    mine.complete(null);
                }
            } else if (current.isDone()) {
                // the lock is held by something that is not a group's leader (appendAll, a checkpoint), or a new
                // leader has not yet said so: wait for the lock itself
                writer.lock();
                writer.unlock();
            } else {
                // another leader is writing: this record is in its group or will be in the next
                java.util.concurrent.CompletableFuture.anyOf(pending.result, current)
                        .exceptionally(e -> null)
                        .join();
            }
        }
        try {
            return pending.result.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : e;
        }
    }

    /**
     * Before a leader writes, waits for records still arriving, but only when the last group had more than one record
     * (a lone appender is never delayed): until the queue holds as many as the last group, no record has arrived for
     * {@link #GATHER_QUIET_NANOS}, or a quarter of the last write's time has passed (never more than
     * {@link #GATHER_MAX_NANOS}), so that the wait stays small beside the flush it shares.
     */
    private void gather() {
        int expected = lastGroup;
        if (expected <= 1) {
            return;
        }
        long start = System.nanoTime();
        long limit = Math.min(GATHER_MAX_NANOS, lastWriteNanos / 4);
        long lastArrival = start;
        int seen = queued.get();
        while (seen < Math.min(expected, MAX_GROUP)) {
            Thread.yield();
            long now = System.nanoTime();
            int n = queued.get();
            if (n > seen) {
                seen = n;
                lastArrival = now;
            } else if (now - lastArrival > GATHER_QUIET_NANOS) {
                return;
            }
            if (now - start > limit) {
                return;
            }
        }
    }

    private void writeQueued() {
        var batch = new ArrayList<Pending>();
        for (Pending p; batch.size() < MAX_GROUP && (p = queue.poll()) != null; ) {
            batch.add(p);
        }
        if (batch.isEmpty()) {
            return;
        }
        queued.addAndGet(-batch.size());
        lastGroup = batch.size();
        long start = System.nanoTime();
        try {
            try {
                write(batch);
            } catch (RuntimeException e) {
                if (batch.size() == 1 || !refusedRecord(e)) {
                    // a failure that is not one record's (the database unreachable, say) would only come back for
                    // each of them, a connection timeout each, while every appender waits behind the writer lock
                    batch.forEach(p -> p.result.completeExceptionally(e));
                } else {
                    // one record the database refuses (a value longer than its column, say) must fail only its own
                    // caller: the group is written again one record at a time
                    for (var p : batch) {
                        try {
                            write(List.of(p));
                        } catch (RuntimeException alone) {
                            p.result.completeExceptionally(alone);
                        }
                    }
                }
            }
        } catch (Error e) {
            // also one met while the group is written again: its records were taken from the queue, so nobody else
            // would write them, and their callers would wait for ever. The Error still goes up.
            batch.forEach(p -> p.result.completeExceptionally(e));
            throw e;
        } finally {
            lastWriteNanos = System.nanoTime() - start;
        }
    }

    /**
     * Whether the database refused a group for what one of its records holds (SQLSTATE class 22, a data exception
     * such as a value too long, or 23, a constraint, other than the unique violations of a chain another writer moved,
     * which {@link #appendCanonical} has retried already).
     */
    private static boolean refusedRecord(RuntimeException e) {
        if (!(e instanceof DataAccessException d) || d.sqlState() == null || Sql.isUniqueViolation(d)) {
            return false;
        }
        return d.sqlState().startsWith("22") || d.sqlState().startsWith("23");
    }

    private void write(List<Pending> group) {
        var written = appendCanonical(group.stream().map(p -> p.record).toList());
        for (int i = 0; i < group.size(); i++) {
            group.get(i).result.complete(written.get(i));
        }
    }

    private record Pending(AuditRecord record, java.util.concurrent.CompletableFuture<AuditEntry> result) {
        Pending(AuditRecord record) {
            this(record, new java.util.concurrent.CompletableFuture<>());
        }
    }

    /**
     * Appends several records in one transaction, in order, as consecutive entries. The head of the chain is kept in
     * memory under the writer lock; the insert is optimistic, and if another replica appended meanwhile, the primary
     * key on {@code seq} and the unique {@code prev_hash} refuse it: the head is re-read and the entries re-linked.
     */
    public List<AuditEntry> appendAll(List<AuditRecord> records) {
        if (records.isEmpty()) {
            return List.of();
        }
        requireSigner();
        return appendCanonical(records.stream().map(AuditRecord::canonical).toList());
    }

    /** Appends records whose reasoning is canonical already (the group-commit path made it so in each caller). */
    private List<AuditEntry> appendCanonical(List<AuditRecord> canonical) {
        writer.lock();
        try {
            for (int attempt = 1; ; attempt++) {
                if (headHash == null) {
                    loadHead();
                }
                var entries = new ArrayList<AuditEntry>(canonical.size());
                long seq = headSeq;
                String hash = headHash;
                for (var r : canonical) {
                    var e = AuditChain.link(seq, hash, r);
                    entries.add(e);
                    seq = e.seq();
                    hash = e.hash();
                }
                try {
                    db.dsl().transaction(cfg -> insert(DSL.using(cfg), entries));
                } catch (DataAccessException e) {
                    headHash = null; // someone else appended, or the insert failed: re-read the head either way
                    if (Sql.isUniqueViolation(e) && attempt < MAX_RELINK) {
                        backOff(attempt); // a replica with a steady stream of batches must not starve the other
                        continue;
                    }
                    throw e;
                }
                headSeq = seq;
                headHash = hash;
                appendTransactions.increment();
                appendedEntries.add(entries.size());
                return entries;
            }
        } finally {
            writer.unlock();
        }
    }

    /** Transactions that appended entries so far in this process (group commit puts several in one). */
    public long appendTransactions() {
        return appendTransactions.sum();
    }

    /** Entries appended so far in this process. */
    public long appendedEntries() {
        return appendedEntries.sum();
    }

    private static void backOff(int attempt) {
        long maxMicros = Math.min(20_000, 200L << Math.min(attempt, 6));
        java.util.concurrent.locks.LockSupport.parkNanos(
                1_000 * java.util.concurrent.ThreadLocalRandom.current().nextLong(maxMicros));
    }

    private void loadHead() {
        var last = db.dsl()
                .select(AUDIT_ENTRY.SEQ, AUDIT_ENTRY.HASH)
                .from(AUDIT_ENTRY)
                .orderBy(AUDIT_ENTRY.SEQ.desc())
                .limit(1)
                .fetchOptional();
        headSeq = last.map(r -> r.value1()).orElse(0L);
        headHash = last.map(r -> r.value2()).orElse(AuditChain.GENESIS);
    }

    private void insert(DSLContext tx, List<AuditEntry> entries) {
        // the same columns, in the same order, as the cursor reads back
        var insert = tx.insertInto(AUDIT_ENTRY).columns(ROW_FIELDS);
        for (var e : entries) {
            var r = e.record();
            insert = insert.values(
                    e.seq(),
                    odt(r.time()),
                    r.actor(),
                    r.action(),
                    r.deployId(),
                    r.service(),
                    r.version(),
                    r.decision(),
                    r.reasoningJson(),
                    r.engineVersion(),
                    r.policyVersion(),
                    e.prevHash(),
                    e.hash());
        }
        insert.execute();
        for (var e : entries) {
            if (e.seq() % checkpointEvery == 0) {
                insertCheckpoint(tx, e.seq(), e.hash());
            }
        }
    }

    @Override
    public void checkpoint() {
        requireSigner();
        writer.lock();
        try {
            loadHead();
            if (headSeq > 0 && !db.dsl().fetchExists(AUDIT_CHECKPOINT, AUDIT_CHECKPOINT.SEQ.eq(headSeq))) {
                try {
                    insertCheckpoint(db.dsl(), headSeq, headHash);
                } catch (DataAccessException e) {
                    if (!Sql.isUniqueViolation(e)) { // another replica signed the same head: that is fine
                        throw e;
                    }
                }
            }
        } finally {
            writer.unlock();
        }
    }

    private void insertCheckpoint(DSLContext tx, long seq, String hash) {
        var cp = requireSigner().checkpoint(seq, hash, clock.instant());
        tx.insertInto(AUDIT_CHECKPOINT)
                .set(AUDIT_CHECKPOINT.SEQ, cp.seq())
                .set(AUDIT_CHECKPOINT.ENTRY_HASH, cp.entryHash())
                .set(AUDIT_CHECKPOINT.SIGNED_AT, odt(cp.signedAt()))
                .set(AUDIT_CHECKPOINT.KEY_ID, cp.keyId())
                .set(AUDIT_CHECKPOINT.SIGNATURE, cp.signature())
                .execute();
    }

    @Override
    public void scan(AuditQuery query, Consumer<AuditEntry> sink) {
        scanRows(query, row -> sink.accept(row.entry()));
    }

    /**
     * Reads matching rows in sequence order (the hot path of verify and export: a million rows) in constant memory. On
     * PostgreSQL through one plain JDBC cursor, inside a transaction with a fetch size so that it streams instead of
     * loading everything. On H2 in pages of {@link #H2_PAGE} rows, each page its own short query after the last
     * sequence number read: H2 builds a whole result before its first row unless the query is lazy, and a lazy scan of
     * a large table can fail part way with "Chunk N not found" (h2database issue 4142, reproduced here by
     * {@code bench audit --db h2} at 300,000 entries). The log is append-only and read in sequence order, so the pages
     * are the rows one cursor would have read, plus any appended while it read.
     */
    private void scanRows(AuditQuery query, Consumer<Row> sink) {
        if (db.vendor() == Database.Vendor.H2) {
            scanPages(query, sink);
            return;
        }
        db.dsl().transaction(cfg -> scanRows(DSL.using(cfg), query, sink));
    }

    /** Rows per page of an H2 scan: a few megabytes in memory at a time, a short query each. */
    static final int H2_PAGE = 5_000;

    /**
     * An H2 scan, page by page. The first page is read by the caller; if more may follow, one reader thread reads the
     * next pages while the caller works through the current one, at most {@link #PAGES_AHEAD} pages ahead, so that
     * reading and, say, hashing overlap. Each page is read into memory and its connection returned before the caller
     * sees its first row, and the reader is stopped and gone when the scan returns or throws.
     */
    private void scanPages(AuditQuery query, Consumer<Row> sink) {
        long limit = query.limit() == AuditQuery.NO_LIMIT ? Long.MAX_VALUE : query.limit();
        var first = readPage(query, Long.MIN_VALUE, (int) Math.min(H2_PAGE, limit));
        long left = limit - first.rows().size();
        if (!first.more() || left == 0) {
            first.rows().forEach(sink);
            return;
        }
        try (var reader = new PageReader(query, first.rows().getLast().seq(), left)) {
            first.rows().forEach(sink);
            for (var page = reader.next(); page != null; page = reader.next()) {
                page.rows().forEach(sink);
            }
        }
    }

    /** Pages an H2 scan's reader may have read that its caller has not yet taken, besides the one it is reading. */
    static final int PAGES_AHEAD = 1;

    /** Rows read from one page, and whether a full page was read (so that more may follow). */
    private record Page(List<Row> rows, boolean more) {}

    private Page readPage(AuditQuery query, long after, int size) {
        var rows = new ArrayList<Row>(size);
        db.dsl().transaction(cfg -> {
            var select = DSL.using(cfg)
                    .select(ROW_FIELDS)
                    .from(AUDIT_ENTRY)
                    .where(conditions(query).and(AUDIT_ENTRY.SEQ.gt(after)))
                    .orderBy(AUDIT_ENTRY.SEQ)
                    .limit(size);
            try (var rs = select.fetchResultSet()) {
                while (rs.next()) {
                    rows.add(Row.from(rs));
                }
            }
        });
        return new Page(rows, rows.size() == size);
    }

    /**
     * Reads the pages of an H2 scan after a given sequence number on a thread of its own, handing them over in order.
     * It is stopped by a flag, never by interruption: H2 closes its file when a thread is interrupted while reading
     * it, and a page takes milliseconds.
     */
    private final class PageReader implements AutoCloseable {
        private final java.util.concurrent.BlockingQueue<Object> ready =
                new java.util.concurrent.ArrayBlockingQueue<>(PAGES_AHEAD);
        private final Thread thread;
        private volatile boolean stopped;
        private boolean done;

        PageReader(AuditQuery query, long after, long left) {
            thread = Thread.ofPlatform().daemon().name("audit-scan-reader").start(() -> read(query, after, left));
        }

        private void read(AuditQuery query, long after, long left) {
            try {
                while (!stopped) {
                    var page = readPage(query, after, (int) Math.min(H2_PAGE, left));
                    left -= page.rows().size();
                    boolean last = !page.more() || left == 0;
                    if (!handOver(last ? new Page(page.rows(), false) : page) || last) {
                        return;
                    }
                    after = page.rows().getLast().seq();
                }
            } catch (RuntimeException | Error e) {
                handOver(e);
            }
        }

        /** Waits for room for {@code item}; false once the scan was stopped. */
        private boolean handOver(Object item) {
            try {
                while (!ready.offer(item, 10, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    if (stopped) {
                        return false;
                    }
                }
                return true;
            } catch (InterruptedException e) {
                return false; // nobody interrupts this thread; if someone did, the reader ends
            }
        }

        /** The next page, or null after the last one. */
        Page next() {
            if (done) {
                return null;
            }
            Object item;
            try {
                item = ready.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DataAccessException("interrupted while reading the audit log", e);
            }
            if (item instanceof RuntimeException e) {
                throw e;
            }
            if (item instanceof Error e) {
                throw e;
            }
            var page = (Page) item;
            done = !page.more();
            return page;
        }

        /** Stops the reader and waits for it to end (within the page it may be reading). */
        @Override
        public void close() {
            stopped = true;
            boolean interrupted = false;
            while (true) {
                try {
                    thread.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void scanRows(DSLContext tx, AuditQuery query, Consumer<Row> sink) throws java.sql.SQLException {
        var select =
                tx.select(ROW_FIELDS).from(AUDIT_ENTRY).where(conditions(query)).orderBy(AUDIT_ENTRY.SEQ);
        var limited = query.limit() == AuditQuery.NO_LIMIT ? select : select.limit(query.limit());
        try (var rs = limited.fetchSize(FETCH_SIZE).fetchResultSet()) {
            while (rs.next()) {
                sink.accept(Row.from(rs));
            }
        }
    }

    private static final org.jooq.Field<?>[] ROW_FIELDS = {
        AUDIT_ENTRY.SEQ,
        AUDIT_ENTRY.RECORDED_AT,
        AUDIT_ENTRY.ACTOR,
        AUDIT_ENTRY.ACTION,
        AUDIT_ENTRY.DEPLOY_ID,
        AUDIT_ENTRY.SERVICE,
        AUDIT_ENTRY.VERSION,
        AUDIT_ENTRY.DECISION,
        AUDIT_ENTRY.REASONING,
        AUDIT_ENTRY.ENGINE_VERSION,
        AUDIT_ENTRY.POLICY_VERSION,
        AUDIT_ENTRY.PREV_HASH,
        AUDIT_ENTRY.HASH
    };

    /**
     * One row of {@link #ROW_FIELDS} read off the cursor: its entry, or, when the stored fields do not make an entry
     * (a required field emptied, say), why not. {@link #entry()} throws that reason.
     */
    private record Row(long seq, AuditEntry read, RuntimeException unreadable) {
        static Row from(java.sql.ResultSet rs) throws java.sql.SQLException {
            long seq = rs.getLong(1);
            var time = rs.getObject(2, OffsetDateTime.class);
            var actor = rs.getString(3);
            var action = rs.getString(4);
            var deployId = rs.getString(5);
            var service = rs.getString(6);
            var version = rs.getString(7);
            var decision = rs.getString(8);
            var reasoning = rs.getString(9);
            var engineVersion = rs.getString(10);
            var policyVersion = rs.getString(11);
            var prevHash = rs.getString(12);
            var hash = rs.getString(13);
            try {
                var record = new AuditRecord(
                        time.toInstant(),
                        actor,
                        action,
                        deployId,
                        service,
                        version,
                        decision,
                        reasoning,
                        engineVersion,
                        policyVersion);
                return new Row(seq, new AuditEntry(seq, record, prevHash, hash), null);
            } catch (IllegalArgumentException | NullPointerException e) {
                return new Row(seq, null, e);
            }
        }

        AuditEntry entry() {
            if (unreadable != null) {
                throw unreadable;
            }
            return read;
        }
    }

    @Override
    public AuditSummary summarize(AuditQuery query, int newest) {
        var dsl = db.dsl();
        var where = conditions(query);
        var byDecision = new LinkedHashMap<String, Long>();
        long matched = 0;
        for (var row : dsl.select(AUDIT_ENTRY.DECISION, DSL.count())
                .from(AUDIT_ENTRY)
                .where(where)
                .groupBy(AUDIT_ENTRY.DECISION)
                .orderBy(AUDIT_ENTRY.DECISION)
                .fetch()) {
            byDecision.put(row.value1(), row.value2().longValue());
            matched += row.value2();
        }
        var latest = new ArrayList<AuditEntry>();
        try (var rs = dsl.select(ROW_FIELDS)
                .from(AUDIT_ENTRY)
                .where(where)
                .orderBy(AUDIT_ENTRY.SEQ.desc())
                .limit(Math.max(0, newest))
                .fetchResultSet()) {
            while (rs.next()) {
                latest.add(Row.from(rs).entry());
            }
        } catch (java.sql.SQLException e) {
            throw new DataAccessException("reading the newest audit entries", e);
        }
        return new AuditSummary(matched, byDecision, latest);
    }

    @Override
    public List<String> distinct(AuditField field, int limit) {
        var column =
                switch (field) {
                    case SERVICE -> AUDIT_ENTRY.SERVICE;
                    case DECISION -> AUDIT_ENTRY.DECISION;
                };
        // both columns lead an index (service, time and decision, time)
        return db.dsl()
                .selectDistinct(column)
                .from(AUDIT_ENTRY)
                .where(column.ne(""))
                .orderBy(column)
                .limit(limit)
                .fetch(column);
    }

    /** Every checkpoint, in sequence order. */
    public List<AuditCheckpoint> checkpoints() {
        return db.dsl()
                .selectFrom(AUDIT_CHECKPOINT)
                .orderBy(AUDIT_CHECKPOINT.SEQ)
                .fetch(r -> new AuditCheckpoint(
                        r.getSeq(), r.getEntryHash(), r.getSignedAt().toInstant(), r.getKeyId(), r.getSignature()));
    }

    /** The public keys that signed checkpoints, base64 X.509 by key id. */
    public Map<String, String> publicKeys() {
        var keys = new LinkedHashMap<String, String>();
        db.dsl()
                .selectFrom(AUDIT_KEY)
                .orderBy(AUDIT_KEY.ADDED_AT)
                .forEach(r -> keys.put(r.getKeyId(), r.getPublicKey()));
        return keys;
    }

    @Override
    public VerifyReport verify() {
        var trusted = new HashMap<String, PublicKey>();
        if (pinnedKey.isPresent()) {
            trusted.put(CheckpointSigner.keyIdOf(pinnedKey.get()), pinnedKey.get());
        } else {
            publicKeys().forEach((id, key) -> trusted.put(id, CheckpointSigner.publicKeyFromBase64(key)));
        }
        var verifier = new ChainVerifier(trusted, checkpoints());
        var stop = new RuntimeException("stop") {
            @Override
            public synchronized Throwable fillInStackTrace() {
                return this;
            }
        };
        try {
            scanRows(AuditQuery.all(), row -> {
                if (row.unreadable() != null) {
                    verifier.unreadable(
                            row.seq(), String.valueOf(row.unreadable().getMessage()));
                    throw stop;
                }
                if (!verifier.accept(row.read())) {
                    throw stop; // the first problem is found: the rest of the log need not be read
                }
            });
        } catch (RuntimeException e) {
            if (e != stop && e.getCause() != stop) {
                throw e;
            }
        }
        return verifier.finish();
    }

    private static Condition conditions(AuditQuery q) {
        var c = DSL.noCondition();
        if (q.service().isPresent()) {
            c = c.and(AUDIT_ENTRY.SERVICE.eq(q.service().get()));
        }
        if (q.since().isPresent()) {
            c = c.and(AUDIT_ENTRY.RECORDED_AT.ge(odt(q.since().get())));
        }
        if (q.until().isPresent()) {
            c = c.and(AUDIT_ENTRY.RECORDED_AT.lt(odt(q.until().get())));
        }
        if (q.decision().isPresent()) {
            c = c.and(AUDIT_ENTRY.DECISION.eq(q.decision().get()));
        }
        if (q.deployId().isPresent()) {
            c = c.and(AUDIT_ENTRY.DEPLOY_ID.eq(q.deployId().get()));
        }
        return c;
    }
}
