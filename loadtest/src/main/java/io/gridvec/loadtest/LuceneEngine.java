package io.gridvec.loadtest;

import io.gridvec.index.vector.Metric;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.MMapDirectory;
import org.apache.lucene.util.IOUtils;

/**
 * Lucene's HNSW ({@link Lucene99HnswVectorsFormat} in the default {@link Lucene104Codec} of Lucene 10.6) as an
 * {@link Engine}: one segment on an {@link MMapDirectory}, searched with {@link LeafReader#searchNearestVectors} with
 * {@code k = ef}, of which the first k hits are the answer. Searches are single-threaded, as {@link Engine} says;
 * closing releases the reader and the directory, not the files.
 */
final class LuceneEngine implements Engine {

    private static final String VECTOR_FIELD = "vector";
    private static final String ID_FIELD = "id";
    /** Large, so that up to about 1 GB of vectors each indexing thread flushes one segment (one graph), at the end. */
    private static final double RAM_BUFFER_MB = 1024;

    private final Directory directory;
    private final DirectoryReader reader;
    private final LeafReader leaf;
    private final AcceptDocs allDocs;
    private final int[] docToId;
    private final BuildTime buildTime;

    /** Seconds from the first document added: until all were added, and until the merged commit. */
    record BuildTime(double indexSeconds, double totalSeconds) {}

    private LuceneEngine(Directory directory, DirectoryReader reader, LeafReader leaf, BuildTime buildTime)
            throws IOException {
        this.directory = directory;
        this.reader = reader;
        this.leaf = leaf;
        // Lucene 10.6 dereferences acceptDocs, so "no filter" is live docs without deletions (null Bits): every doc.
        this.allDocs = AcceptDocs.fromLiveDocs(leaf.getLiveDocs(), leaf.maxDoc());
        this.docToId = docToId(leaf);
        this.buildTime = buildTime;
    }

    /**
     * Indexes every base vector with its position as id in a new index in {@code path}, then opens it for search.
     *
     * @throws IllegalArgumentException when a parameter is out of Lucene's range
     * @throws IOException when the index cannot be written or read
     * @throws InterruptedException when interrupted while waiting for the indexing threads
     */
    static LuceneEngine build(Path path, float[][] base, Metric metric, int m, int efConstruction, int threads)
            throws IOException, InterruptedException {
        MMapDirectory directory = new MMapDirectory(path);
        DirectoryReader reader = null;
        try {
            BuildTime buildTime = write(directory, base, similarity(metric), m, efConstruction, threads);
            reader = DirectoryReader.open(directory);
            List<LeafReaderContext> leaves = reader.leaves();
            if (leaves.size() != 1) {
                throw new IllegalStateException("expected one segment after forceMerge(1), found " + leaves.size());
            }
            return new LuceneEngine(directory, reader, leaves.get(0).reader(), buildTime);
        } catch (IOException | InterruptedException | RuntimeException e) {
            IOUtils.closeWhileSuppressingExceptions(e, reader, directory);
            throw e;
        }
    }

    /**
     * Adds the documents from {@code threads} threads (one segment each), then force-merges to one segment with
     * {@code threads} HNSW merge workers and commits; timed from the first document added to the merged commit.
     */
    private static BuildTime write(Directory directory, float[][] base, VectorSimilarityFunction similarity, int m,
            int efConstruction, int threads) throws IOException, InterruptedException {
        // Lucene refuses an executor for a single merge worker.
        try (ExecutorService mergeWorkers = threads > 1 ? Executors.newFixedThreadPool(threads) : null) {
            IndexWriterConfig config = new IndexWriterConfig()
                    .setOpenMode(IndexWriterConfig.OpenMode.CREATE)
                    .setCodec(codec(new Lucene99HnswVectorsFormat(m, efConstruction, threads, mergeWorkers)))
                    .setRAMBufferSizeMB(RAM_BUFFER_MB)
                    .setUseCompoundFile(false);
            try (IndexWriter writer = new IndexWriter(directory, config)) {
                long start = System.nanoTime();
                Parallel.forEach(threads, base.length, i -> writer.addDocument(document(i, base[i], similarity)));
                long added = System.nanoTime();
                writer.forceMerge(1);
                writer.commit();
                long merged = System.nanoTime();
                return new BuildTime((added - start) / 1e9, (merged - start) / 1e9);
            }
        }
    }

    /** The default codec with our HNSW parameters for every vector field (the per-field hook keeps files readable). */
    private static Codec codec(KnnVectorsFormat format) {
        return new Lucene104Codec() {
            @Override
            public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                return format;
            }
        };
    }

    /**
     * Orders as Gridvec's metric does. Dot uses MAXIMUM_INNER_PRODUCT: Lucene's DOT_PRODUCT assumes unit vectors.
     */
    private static VectorSimilarityFunction similarity(Metric metric) {
        return switch (metric) {
            case L2 -> VectorSimilarityFunction.EUCLIDEAN;
            case DOT -> VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT;
            case COSINE -> VectorSimilarityFunction.COSINE;
        };
    }

    private static Document document(int id, float[] vector, VectorSimilarityFunction similarity) {
        Document doc = new Document();
        doc.add(new KnnFloatVectorField(VECTOR_FIELD, vector, similarity));
        doc.add(new NumericDocValuesField(ID_FIELD, id));
        return doc;
    }

    private static int[] docToId(LeafReader leaf) throws IOException {
        int[] ids = new int[leaf.maxDoc()];
        NumericDocValues values = leaf.getNumericDocValues(ID_FIELD);
        for (int doc = values.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = values.nextDoc()) {
            ids[doc] = Math.toIntExact(values.longValue());
        }
        return ids;
    }

    @Override
    public String name() {
        return "lucene";
    }

    /** Returns how long adding the documents and the whole build (adding, merging, committing) took. */
    BuildTime buildTime() {
        return buildTime;
    }

    @Override
    public double buildSeconds() {
        return buildTime.totalSeconds();
    }

    @Override
    public int search(float[] query, int k, int ef, int[] ids) throws IOException {
        ScoreDoc[] hits = leaf.searchNearestVectors(VECTOR_FIELD, query, Math.max(ef, k), allDocs, Integer.MAX_VALUE)
                .scoreDocs;
        int n = Math.min(k, hits.length);
        for (int i = 0; i < n; i++) {
            ids[i] = docToId[hits[i].doc];
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        IOUtils.close(reader, directory);
    }
}
