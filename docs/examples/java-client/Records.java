import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.ignite.Ignition;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.client.ClientCache;
import org.apache.ignite.client.IgniteClient;
import org.apache.ignite.configuration.ClientConfiguration;

/**
 * Writes and reads records of collection "docs" with the JDBC thin driver and the Java thin client, both in
 * ignite-core (docs/sql-and-kv.md). Usage: java -cp "grid/target/lib/*" Records.java REST_URL THIN_CLIENT_ADDRESS
 */
public class Records {

    public static void main(String[] args) throws Exception {
        String restUrl = args[0];
        String address = args[1];
        try (Connection sql = DriverManager.getConnection("jdbc:ignite:thin://" + address);
                PreparedStatement insert = sql.prepareStatement(
                        "INSERT INTO gridvec.docs (id, vector, category, price) VALUES (?, ?, ?, ?)")) {
            insert.setString(1, "j1");
            insert.setBytes(2, littleEndian(new float[] {0.5f, 0.5f}));
            insert.setString(3, "java");
            insert.setDouble(4, 12.0);
            insert.executeUpdate();
        }
        try (IgniteClient client = Ignition.startClient(new ClientConfiguration().setAddresses(address))) {
            ClientCache<String, Object> docs = client.cache("gv_docs").withKeepBinary();
            docs.put("t1", client.binary().builder(valueType(restUrl))
                    .setField("vector", littleEndian(new float[] {0, 5}), byte[].class)
                    .setField("category", "java", String.class)
                    .setField("payload", "{\"by\": \"thin\"}", String.class)
                    .build());
            BinaryObject j1 = (BinaryObject) docs.get("j1");
            System.out.println("j1 vector " + Arrays.toString(floats(j1.field("vector"))));
        }
        try (Connection sql = DriverManager.getConnection("jdbc:ignite:thin://" + address);
                ResultSet rows = sql.createStatement().executeQuery(
                        "SELECT id, price FROM gridvec.docs WHERE category = 'java' ORDER BY id")) {
            while (rows.next()) {
                System.out.println("row " + rows.getString(1) + " " + rows.getObject(2));
            }
        }
    }

    /** The collection's binary type, which every record written through KV must have. */
    private static String valueType(String restUrl) throws Exception {
        HttpResponse<String> collection = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(restUrl + "/v1/collections/docs")).build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher type = Pattern.compile("\"valueType\":\"([^\"]+)\"").matcher(collection.body());
        if (collection.statusCode() != 200 || !type.find()) {
            throw new IllegalStateException("GET /v1/collections/docs answered " + collection.statusCode() + ": "
                    + collection.body());
        }
        return type.group(1);
    }

    /** A vector as Gridvec stores it: 4 bytes per float, little-endian. */
    static byte[] littleEndian(float[] vector) {
        ByteBuffer bytes = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(vector);
        return bytes.array();
    }

    static float[] floats(byte[] bytes) {
        float[] vector = new float[bytes.length / Float.BYTES];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(vector);
        return vector;
    }
}
