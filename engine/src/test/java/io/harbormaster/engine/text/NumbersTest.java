package io.harbormaster.engine.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NumbersTest {
    @Test
    void everyNumberIsShortWithoutTrailingZerosInPlainNotationForEverydaySizes() {
        assertThat(Numbers.compact(0.25)).isEqualTo("0.25");
        assertThat(Numbers.compact(0)).isEqualTo("0");
        assertThat(Numbers.compact(98)).isEqualTo("98");
        assertThat(Numbers.compact(-1.5)).isEqualTo("-1.5");
        assertThat(Numbers.compact(1.0 / 3)).isEqualTo("0.3333");
        assertThat(Numbers.compact(123456)).isEqualTo("123500");
        assertThat(Numbers.compact(0.0001)).isEqualTo("0.0001");
        assertThat(Numbers.compact(99.99, 6)).isEqualTo("99.99");
        assertThat(Numbers.compact(99.999999, 6)).isEqualTo("100");
    }

    @Test
    void hugeAndTinyNumbersArePowersOfTenNotHundredsOfDigits() {
        assertThat(Numbers.compact(1e308)).isEqualTo("1e+308");
        assertThat(Numbers.compact(Double.MAX_VALUE)).isEqualTo("1.798e+308");
        assertThat(Numbers.compact(-2.5e-7)).isEqualTo("-2.5e-07");
        assertThat(Numbers.compact(1e6)).isEqualTo("1e+06");
        assertThat(Numbers.compact(Double.MIN_VALUE)).isEqualTo("4.9e-324");
        assertThat(Numbers.compact(Double.POSITIVE_INFINITY)).isEqualTo("Infinity");
        assertThat(Numbers.compact(Double.NaN)).isEqualTo("NaN");
    }

    @Test
    void aRiskScoreHasOneDecimalAndAContributionTwoSignedOnesWhateverTheirDigits() {
        assertThat(Numbers.score(5.875)).isEqualTo("5.9");
        assertThat(Numbers.score(20.05)).isEqualTo("20.1");
        assertThat(Numbers.score(99.93)).isEqualTo("99.9");
        assertThat(Numbers.score(71.8)).isEqualTo("71.8");
        assertThat(Numbers.score(9)).isEqualTo("9.0");
        assertThat(Numbers.contribution(-0.2033)).isEqualTo("-0.20");
        assertThat(Numbers.contribution(0.3)).isEqualTo("+0.30");
        assertThat(Numbers.contribution(-0.001)).isEqualTo("0.00");
    }

    @Test
    void aRateReadsInPercentToThreeSignificantDigits() {
        assertThat(Numbers.percent(0.0123)).isEqualTo("1.23%");
        assertThat(Numbers.percent(0.14344)).isEqualTo("14.3%");
        assertThat(Numbers.percent(0.008264)).isEqualTo("0.826%");
        assertThat(Numbers.percent(0.05)).isEqualTo("5%");
        assertThat(Numbers.percent(0)).isEqualTo("0%");
        assertThat(Numbers.percent(1)).isEqualTo("100%");
        assertThat(Numbers.percent(Double.NaN)).isEqualTo("NaN");
    }
}
