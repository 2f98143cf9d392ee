package io.harbormaster.engine.adapters.llm;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import io.harbormaster.engine.advice.CaseStore;
import io.harbormaster.engine.advice.PastCase;
import io.harbormaster.engine.advice.SimilarCase;
import io.harbormaster.engine.advice.SimilarCases;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Similar past cases by the meaning of their text: LangChain4j's in-process all-MiniLM-L6-v2 embedding model (shipped
 * inside its jar, runs offline, 384 dimensions) over the cases kept in the database. The search is a brute-force
 * cosine over the newest {@link #CANDIDATES} cases: a deploy bot's history is thousands of cases, not millions, and a
 * scan of that size takes milliseconds. The model (about 90 MB) is loaded once, on first use.
 */
public final class MiniLmSimilarCases implements SimilarCases {
    /** Stored with every embedding, so that a different model's vectors are never compared with these. */
    public static final String MODEL = "all-minilm-l6-v2";

    static final int CANDIDATES = 5000;
    static final int MAX_TEXT = 2000;

    private final CaseStore store;
    private final Supplier<EmbeddingModel> factory;
    private volatile EmbeddingModel model;

    public MiniLmSimilarCases(CaseStore store) {
        this(store, AllMiniLmL6V2EmbeddingModel::new);
    }

    MiniLmSimilarCases(CaseStore store, Supplier<EmbeddingModel> factory) {
        this.store = store;
        this.factory = factory;
    }

    @Override
    public void remember(PastCase pastCase) {
        store.save(pastCase, MODEL, embed(pastCase.text()));
    }

    @Override
    public List<SimilarCase> similar(String text, Predicate<PastCase> accept, int limit) {
        var query = embed(text);
        var scored = new ArrayList<SimilarCase>();
        for (var stored : store.recent(MODEL, CANDIDATES)) {
            if (accept.test(stored.pastCase()) && stored.embedding().length == query.length) {
                scored.add(new SimilarCase(stored.pastCase(), cosine(query, stored.embedding())));
            }
        }
        scored.sort(Comparator.comparingDouble(SimilarCase::similarity).reversed());
        return List.copyOf(scored.subList(0, Math.min(limit, scored.size())));
    }

    float[] embed(String text) {
        var t = text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) : text;
        return model().embed(t.isBlank() ? "(empty)" : t).content().vector();
    }

    private EmbeddingModel model() {
        var m = model;
        if (m == null) {
            synchronized (this) {
                m = model;
                if (m == null) {
                    nativeCacheInTmp();
                    m = factory.get();
                    model = m;
                }
            }
        }
        return m;
    }

    /**
     * The tokenizer's native library is unpacked to DJL's cache, by default under the home directory, which is
     * read-only in the bot's pod: unless the operator chose a cache ({@code DJL_CACHE_DIR}), use the temp directory.
     */
    static void nativeCacheInTmp() {
        if (System.getProperty("DJL_CACHE_DIR") == null && System.getenv("DJL_CACHE_DIR") == null) {
            System.setProperty(
                    "DJL_CACHE_DIR",
                    java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "harbormaster-djl")
                            .toString());
        }
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
    }
}
