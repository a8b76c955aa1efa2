package io.gridvec.router.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The token bucket on a clock the test moves: a burst, then the rate, and the wait it announces. */
class TokenBucketTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void aBurstPassesThenOneRequestPerTokenAndTheWaitIsRoundedUpToWholeSeconds() {
        TokenBucket bucket = new TokenBucket(2, 3, 0);
        for (int i = 0; i < 3; i++) {
            assertThat(bucket.take(0)).as("request %d of the burst", i).isZero();
        }
        assertThat(bucket.take(0)).isEqualTo(1);
        assertThat(bucket.take(SECOND / 4)).as("half a token back: still refused").isEqualTo(1);
        assertThat(bucket.take(SECOND / 2)).as("a whole token after half a second at 2/s").isZero();
        assertThat(bucket.take(SECOND / 2)).isEqualTo(1);
        assertThat(bucket.take(100 * SECOND)).as("refilled to the burst, no more").isZero();
        assertThat(bucket.take(100 * SECOND)).isZero();
        assertThat(bucket.take(100 * SECOND)).isZero();
        assertThat(bucket.take(100 * SECOND)).isEqualTo(1);
    }

    @Test
    void aSlowRateAnnouncesItsWholeWaitAndLookingTakesNothing() {
        TokenBucket bucket = new TokenBucket(10 / 60.0, 10, 0);
        for (int i = 0; i < 10; i++) {
            assertThat(bucket.take(0)).isZero();
        }
        assertThat(bucket.secondsUntilToken(0)).isEqualTo(6);
        assertThat(bucket.secondsUntilToken(3 * SECOND)).isEqualTo(3);
        assertThat(bucket.secondsUntilToken(6 * SECOND)).isZero();
        assertThat(bucket.take(6 * SECOND)).as("looking left the token there").isZero();
    }
}
