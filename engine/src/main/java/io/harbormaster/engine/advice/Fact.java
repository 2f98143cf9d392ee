package io.harbormaster.engine.advice;

/**
 * One fact the advice is built from, with a short id ({@code F1}, {@code F2}, ...) that a model's summary cites back.
 *
 * @param id the fact's id in this advice
 * @param kind what sort of fact: change, risk_factor, rule, dependent, similar_deploy, similar_incident, metric
 * @param text the fact in words, with anything that looks like a secret already removed
 */
public record Fact(String id, String kind, String text) {}
