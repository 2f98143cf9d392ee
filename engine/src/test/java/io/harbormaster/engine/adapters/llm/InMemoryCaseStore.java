package io.harbormaster.engine.adapters.llm;

import io.harbormaster.engine.advice.CaseStore;
import io.harbormaster.engine.advice.PastCase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Cases in a list, for tests of the embedding search (the database store is tested in storage). */
final class InMemoryCaseStore implements CaseStore {
    private record Row(PastCase pastCase, String model, float[] embedding) {}

    private final List<Row> rows = new CopyOnWriteArrayList<>();

    @Override
    public void save(PastCase pastCase, String embeddingModel, float[] embedding) {
        rows.add(new Row(pastCase, embeddingModel, embedding.clone()));
    }

    @Override
    public List<StoredCase> recent(String embeddingModel, int limit) {
        var out = new ArrayList<StoredCase>();
        for (int i = rows.size() - 1; i >= 0 && out.size() < limit; i--) {
            var r = rows.get(i);
            if (r.model().equals(embeddingModel)) {
                out.add(new StoredCase(r.pastCase(), r.embedding()));
            }
        }
        return out;
    }
}
