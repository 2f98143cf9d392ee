package io.harbormaster.engine.advice;

import java.util.List;
import java.util.function.Predicate;

/** The engine's port to the advisor's memory: past deploys and incidents, searched by the meaning of their text. */
public interface SimilarCases {
    /** Remembers a case so that later searches can find it. */
    void remember(PastCase pastCase);

    /** The {@code limit} cases most similar to {@code text} among those {@code accept} lets through, best first. */
    List<SimilarCase> similar(String text, Predicate<PastCase> accept, int limit);

    /** A memory that remembers nothing (tests, and commands that give no advice). */
    SimilarCases NONE = new SimilarCases() {
        @Override
        public void remember(PastCase pastCase) {}

        @Override
        public List<SimilarCase> similar(String text, Predicate<PastCase> accept, int limit) {
            return List.of();
        }
    };
}
