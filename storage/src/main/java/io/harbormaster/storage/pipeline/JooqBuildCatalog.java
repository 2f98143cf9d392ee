package io.harbormaster.storage.pipeline;

import static io.harbormaster.storage.Sql.isUniqueViolation;
import static io.harbormaster.storage.Sql.odt;
import static io.harbormaster.storage.jooq.Tables.ANNOUNCED_BUILD;

import io.harbormaster.engine.rollout.AnnouncedBuild;
import io.harbormaster.engine.rollout.BuildCatalog;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.jooq.tables.records.AnnouncedBuildRecord;
import java.util.Optional;
import org.jooq.exception.DataAccessException;

/** Announced builds on H2 or PostgreSQL. */
public final class JooqBuildCatalog implements BuildCatalog {
    private final Database db;

    public JooqBuildCatalog(Database db) {
        this.db = db;
    }

    @Override
    public AnnouncedBuild announce(AnnouncedBuild b) {
        try {
            db.dsl()
                    .insertInto(ANNOUNCED_BUILD)
                    .set(ANNOUNCED_BUILD.SERVICE, b.service())
                    .set(ANNOUNCED_BUILD.VERSION, b.version())
                    .set(ANNOUNCED_BUILD.IMAGE, b.image())
                    .set(ANNOUNCED_BUILD.COMMIT_SHA, b.commitSha())
                    .set(ANNOUNCED_BUILD.BUILD_ID, b.buildId())
                    .set(ANNOUNCED_BUILD.CI_STATUS, b.ciStatus())
                    .set(ANNOUNCED_BUILD.CHANGE_JSON, b.changeJson())
                    .set(ANNOUNCED_BUILD.ANNOUNCED_AT, odt(b.announcedAt()))
                    .execute();
            return b;
        } catch (DataAccessException e) {
            if (isUniqueViolation(e)) {
                return find(b.service(), b.version()).orElseThrow(() -> e);
            }
            throw e;
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Taken in the service's {@link IntakeStep}, as {@link JooqDeployStore#intake} stores a deploy: a deploy of the
     * version being stored at the same moment, on any replica, is either committed before this step looks (and is
     * found in flight) or waits for the replacement to commit.
     */
    @Override
    public Replacement replace(AnnouncedBuild b) {
        return IntakeStep.run(db, b.service(), tx -> {
            var inFlight = JooqDeployStore.inFlight(tx, b.service()).stream()
                    .filter(d -> d.version().equals(b.version()))
                    .findFirst();
            if (inFlight.isPresent()) {
                return new Replacement.KeptFor(inFlight.get());
            }
            int replaced = tx.update(ANNOUNCED_BUILD)
                    .set(ANNOUNCED_BUILD.BUILD_ID, b.buildId())
                    .set(ANNOUNCED_BUILD.CI_STATUS, b.ciStatus())
                    .set(ANNOUNCED_BUILD.CHANGE_JSON, b.changeJson())
                    .set(ANNOUNCED_BUILD.ANNOUNCED_AT, odt(b.announcedAt()))
                    .where(ANNOUNCED_BUILD.SERVICE.eq(b.service()))
                    .and(ANNOUNCED_BUILD.VERSION.eq(b.version()))
                    .and(ANNOUNCED_BUILD.IMAGE.eq(b.image()))
                    .and(ANNOUNCED_BUILD.COMMIT_SHA.eq(b.commitSha()))
                    .execute();
            return replaced > 0 ? new Replacement.Replaced() : new Replacement.NoSuchBuild();
        });
    }

    @Override
    public Optional<AnnouncedBuild> find(String service, String version) {
        return db.dsl()
                .selectFrom(ANNOUNCED_BUILD)
                .where(ANNOUNCED_BUILD.SERVICE.eq(service))
                .and(ANNOUNCED_BUILD.VERSION.eq(version))
                .fetchOptional(JooqBuildCatalog::toBuild);
    }

    private static AnnouncedBuild toBuild(AnnouncedBuildRecord r) {
        return new AnnouncedBuild(
                r.getService(),
                r.getVersion(),
                r.getImage(),
                r.getCommitSha(),
                r.getBuildId(),
                r.getCiStatus(),
                r.getChangeJson(),
                r.getAnnouncedAt().toInstant());
    }
}
