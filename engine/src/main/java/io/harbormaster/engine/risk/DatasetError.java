package io.harbormaster.engine.risk;

/** A training or test data set that cannot be used, with what is wrong and what to do about it. */
public final class DatasetError extends RuntimeException {
    public DatasetError(String message) {
        super(message);
    }
}
