package io.gridvec.index.hnsw;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The primitive heap behaves as {@link PriorityQueue} does under random pushes, pops and top replacements. */
class LongHeapTest {

    @Test
    void matchesPriorityQueueUnderRandomOperations() {
        SplittableRandom random = new SplittableRandom(TestData.SEED);
        LongHeap heap = new LongHeap(1);
        PriorityQueue<Long> oracle = new PriorityQueue<>();
        for (int step = 0; step < 20_000; step++) {
            int op = random.nextInt(3);
            long value = random.nextLong(-1_000, 1_000);
            if (op == 0 || oracle.isEmpty()) {
                heap.push(value);
                oracle.add(value);
            } else if (op == 1) {
                assertThat(heap.pop()).as(TestData.seedInfo()).isEqualTo(oracle.poll());
            } else {
                heap.replaceTop(value);
                oracle.poll();
                oracle.add(value);
            }
            assertThat(heap.size()).isEqualTo(oracle.size());
            if (!oracle.isEmpty()) {
                assertThat(heap.peek()).as(TestData.seedInfo()).isEqualTo(oracle.peek());
            }
        }
    }

    @Test
    void scoredPairsOrderByDistanceThenNodeAndReverse() {
        long near = Scored.of(-2.5f, 7);
        long far = Scored.of(3f, 1);
        long tieLowNode = Scored.of(3f, 0);
        assertThat(near).isLessThan(tieLowNode);
        assertThat(tieLowNode).isLessThan(far);
        assertThat(Scored.reversed(far)).isLessThan(Scored.reversed(near));
        assertThat(Scored.distance(near)).isEqualTo(-2.5f);
        assertThat(Scored.node(far)).isEqualTo(1);
    }
}
