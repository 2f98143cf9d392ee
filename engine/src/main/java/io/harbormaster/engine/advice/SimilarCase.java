package io.harbormaster.engine.advice;

/** A past case and how similar its text is to the one asked about (cosine similarity, -1..1). */
public record SimilarCase(PastCase pastCase, double similarity) {}
