package io.gridvec.index.hnsw;

import java.util.Arrays;

/** A growable binary min-heap of primitive longs; not thread-safe (one per search scratch). */
final class LongHeap {

    private long[] heap;
    private int size;

    LongHeap(int initialCapacity) {
        heap = new long[Math.max(16, initialCapacity)];
    }

    int size() {
        return size;
    }

    void clear() {
        size = 0;
    }

    long peek() {
        return heap[0];
    }

    void push(long value) {
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        int i = size++;
        long[] h = heap;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            long p = h[parent];
            if (p <= value) {
                break;
            }
            h[i] = p;
            i = parent;
        }
        h[i] = value;
    }

    long pop() {
        long top = heap[0];
        long last = heap[--size];
        if (size > 0) {
            siftDown(last);
        }
        return top;
    }

    /** Replaces the minimum with {@code value} (cheaper than pop then push). */
    void replaceTop(long value) {
        siftDown(value);
    }

    /** Places {@code value} at the root's position and moves it down to where the heap order holds. */
    private void siftDown(long value) {
        long[] h = heap;
        int n = size;
        int i = 0;
        int half = n >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            long c = h[child];
            int right = child + 1;
            if (right < n && h[right] < c) {
                child = right;
                c = h[right];
            }
            if (value <= c) {
                break;
            }
            h[i] = c;
            i = child;
        }
        h[i] = value;
    }
}
