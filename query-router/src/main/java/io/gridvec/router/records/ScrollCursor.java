package io.gridvec.router.records;

import io.gridvec.router.rest.ApiException;
import io.gridvec.shard.catalog.CollectionSpec;
import io.gridvec.shard.record.RecordStore;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The {@code cursor} of a scroll, as the client sees it: an opaque base64url string of the partition and the last id
 * listed. Stateless: the node keeps nothing between pages, so a cursor works on any node and never expires.
 */
final class ScrollCursor {

    private ScrollCursor() {}

    static String encode(RecordStore.Cursor cursor) {
        String text = cursor.partition() + ":" + (cursor.id() == null ? "" : cursor.id());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads a cursor a scroll of collection {@code spec} returned.
     *
     * @throws ApiException 400 on {@code cursor} when it is not one
     */
    static RecordStore.Cursor decode(String cursor, CollectionSpec spec) {
        String text;
        try {
            text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw notACursor(cursor);
        }
        int colon = text.indexOf(':');
        int partition;
        try {
            partition = colon < 0 ? -1 : Integer.parseInt(text.substring(0, colon));
        } catch (NumberFormatException e) {
            throw notACursor(cursor);
        }
        String id = text.substring(colon + 1);
        if (partition < 0 || partition >= spec.partitions() || id.length() > RecordRoutes.MAX_ID_LENGTH) {
            throw notACursor(cursor);
        }
        return new RecordStore.Cursor(partition, id.isEmpty() ? null : id);
    }

    private static ApiException notACursor(String cursor) {
        return ApiException.invalid("cursor", "cursor must be a nextCursor a scroll of this collection returned, was '"
                + (cursor.length() > 40 ? cursor.substring(0, 40) + "..." : cursor) + "'");
    }
}
