package io.gridvec.router.security;

/**
 * A token bucket: holds at most {@code burst} tokens and gains {@code perSecond} a second; a request takes one.
 * Thread-safe.
 */
final class TokenBucket {

    private final double perNano;
    private final double burst;
    private double tokens;
    private long updatedNanos;

    TokenBucket(double perSecond, double burst, long nowNanos) {
        this.perNano = perSecond / 1e9;
        this.burst = Math.max(1, burst);
        this.tokens = this.burst;
        this.updatedNanos = nowNanos;
    }

    /** Takes a token; returns 0 when one was there, else the seconds until one will be (at least 1). */
    synchronized long take(long nowNanos) {
        refill(nowNanos);
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        return Math.max(1, (long) Math.ceil((1 - tokens) / perNano / 1e9));
    }

    /** Returns the seconds until a token will be there (0: there is one now), taking nothing. */
    synchronized long secondsUntilToken(long nowNanos) {
        refill(nowNanos);
        return tokens >= 1 ? 0 : Math.max(1, (long) Math.ceil((1 - tokens) / perNano / 1e9));
    }

    private void refill(long nowNanos) {
        tokens = Math.min(burst, tokens + (nowNanos - updatedNanos) * perNano);
        updatedNanos = nowNanos;
    }
}
