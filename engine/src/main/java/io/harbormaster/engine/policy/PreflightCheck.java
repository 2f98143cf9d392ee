package io.harbormaster.engine.policy;

/** One named preflight check: a pure function from the facts to pass or block-with-reason. */
@FunctionalInterface
public interface PreflightCheck {
    CheckResult check(PreflightFacts facts);
}
