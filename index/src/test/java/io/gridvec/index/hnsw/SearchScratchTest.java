package io.gridvec.index.hnsw;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Scratch reuse: a virtual thread lives for one request, so its scratch must outlive it in the shared pool. */
class SearchScratchTest {

    @Test
    void aVirtualThreadReusesTheScratchAnEarlierOneReleased() throws Exception {
        SearchScratch first = onVirtualThread(true);
        SearchScratch second = onVirtualThread(false);
        assertThat(second).isSameAs(first);
    }

    @Test
    void aPlatformThreadKeepsItsOwnScratch() {
        SearchScratch first = SearchScratch.acquire();
        first.release();
        SearchScratch second = SearchScratch.acquire();
        second.release();
        assertThat(second).isSameAs(first);
    }

    /** Acquires a scratch on a new virtual thread, sizes its visited set, and releases it; returns it. */
    private static SearchScratch onVirtualThread(boolean drainPool) throws InterruptedException {
        AtomicReference<SearchScratch> acquired = new AtomicReference<>();
        Thread.ofVirtual().start(() -> {
            if (drainPool) {
                // Earlier tests in this JVM may have left scratches in the pool: take them all, keep one.
                SearchScratch scratch = SearchScratch.acquire();
                while (scratch != null && scratch.visited.length > 0) {
                    scratch = SearchScratch.acquire();
                }
                acquired.set(scratch);
            } else {
                acquired.set(SearchScratch.acquire());
            }
            acquired.get().startVisit(1_000);
            acquired.get().release();
        }).join();
        return acquired.get();
    }
}
