// Writes and reads records of collection "docs" with the Node.js thin client (npm apache-ignite-client), and runs
// a SQL query over them (docs/sql-and-kv.md). Usage: node records.js REST_URL THIN_CLIENT_ADDRESS
'use strict';
const IgniteClient = require('apache-ignite-client');
const { IgniteClientConfiguration, ObjectType, BinaryObject, SqlFieldsQuery } = IgniteClient;

// A vector as Gridvec stores it: 4 bytes per float, little-endian, as signed bytes.
function toBytes(vector) {
  const buffer = Buffer.alloc(vector.length * 4);
  vector.forEach((value, i) => buffer.writeFloatLE(value, i * 4));
  return Array.from(new Int8Array(buffer.buffer, buffer.byteOffset, buffer.length));
}

function toVector(bytes) {
  const buffer = Buffer.from(Int8Array.from(bytes).buffer);
  return Array.from({ length: buffer.length / 4 }, (_, i) => buffer.readFloatLE(i * 4));
}

async function main() {
  const [restUrl, address] = process.argv.slice(2);
  // The binary type of the collection's records, which a new record must have.
  const collection = await fetch(`${restUrl}/v1/collections/docs`);
  if (!collection.ok) {
    throw new Error(`GET /v1/collections/docs answered ${collection.status}: ${await collection.text()}`);
  }
  const { valueType } = await collection.json();
  const client = new IgniteClient();
  await client.connect(new IgniteClientConfiguration(address));
  try {
    const docs = (await client.getCache('gv_docs')).setKeyType(ObjectType.PRIMITIVE_TYPE.STRING);
    const record = new BinaryObject(valueType);
    record.setField('vector', toBytes([3, 3]), ObjectType.PRIMITIVE_TYPE.BYTE_ARRAY);
    record.setField('category', 'node', ObjectType.PRIMITIVE_TYPE.STRING);
    record.setField('price', 1.25, ObjectType.PRIMITIVE_TYPE.DOUBLE);
    await docs.put('n1', record);

    // A record written over REST: its vector and a declared field.
    const a = await docs.get('a');
    const vector = toVector(await a.getField('vector', ObjectType.PRIMITIVE_TYPE.BYTE_ARRAY));
    const category = await a.getField('category', ObjectType.PRIMITIVE_TYPE.STRING);

    const cursor = await docs.query(new SqlFieldsQuery(
      'SELECT id, category, price FROM gridvec.docs WHERE price < ? ORDER BY price').setArgs(10.0));
    const rows = await cursor.getAll();
    console.log(JSON.stringify({ a: { vector, category }, rows }));
  } finally {
    client.disconnect();
  }
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
