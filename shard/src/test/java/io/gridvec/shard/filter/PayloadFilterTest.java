package io.gridvec.shard.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.StringJoiner;
import org.junit.jupiter.api.Test;

/** Filter semantics and validation by example, and {@link PayloadFilter#matches} against a brute-force oracle. */
class PayloadFilterTest {

    /** One seed per run, printed in the randomized test's messages; replay with {@code -Dgridvec.test.seed=<seed>}. */
    private static final long SEED = Long.getLong("gridvec.test.seed", System.nanoTime());
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    // ---- operators ----

    @Test
    void eqMatchesAnEqualStringExactly() {
        PayloadFilter filter = filter("{'must': [{'field': 'lang', 'eq': 'en'}]}");
        assertThat(filter.matches(json("{'lang': 'en'}"))).isTrue();
        assertThat(filter.matches(json("{'lang': 'EN'}"))).isFalse();
        assertThat(filter.matches(json("{'lang': 'en '}"))).isFalse();
    }

    @Test
    void eqComparesNumbersByValueSoThreeEqualsThreePointZero() {
        PayloadFilter three = filter("{'must': [{'field': 'n', 'eq': 3}]}");
        PayloadFilter threePointZero = filter("{'must': [{'field': 'n', 'eq': 3.0}]}");
        for (PayloadFilter filter : List.of(three, threePointZero)) {
            assertThat(filter.matches(json("{'n': 3}"))).isTrue();
            assertThat(filter.matches(json("{'n': 3.0}"))).isTrue();
            assertThat(filter.matches(json("{'n': 3.5}"))).isFalse();
            assertThat(filter.matches(json("{'n': -3}"))).isFalse();
        }
        assertThat(filter("{'must': [{'field': 'n', 'eq': 0.5}]}").matches(json("{'n': 0.5}"))).isTrue();
        assertThat(filter("{'must': [{'field': 'n', 'eq': 0}]}").matches(json("{'n': -0.0}"))).isTrue();
    }

    @Test
    void eqTellsApartLongsThatRoundToTheSameDouble() {
        PayloadFilter filter = filter("{'must': [{'field': 'n', 'eq': 9007199254740993}]}");
        assertThat(filter.matches(json("{'n': 9007199254740993}"))).isTrue();
        assertThat(filter.matches(json("{'n': 9007199254740992}"))).isFalse();
        assertThat(filter.matches(json("{'n': 9007199254740992.0}"))).isFalse();
    }

    @Test
    void eqComparesNumbersAcrossEveryJacksonNumberType() {
        PayloadFilter three = filter("{'must': [{'field': 'n', 'eq': 3}]}");
        for (JsonNode n : List.of(NODES.numberNode((short) 3), NODES.numberNode(3), NODES.numberNode(3L),
                NODES.numberNode(3f), NODES.numberNode(3d), NODES.numberNode(BigInteger.valueOf(3)),
                NODES.numberNode(new BigDecimal("3.000")))) {
            assertThat(three.matches(object("n", n))).as(n.getClass().getSimpleName()).isTrue();
        }
        BigInteger huge = BigInteger.TWO.pow(70).add(BigInteger.ONE);
        PayloadFilter hugeFilter = PayloadFilter.parse(eqFilter("n", NODES.numberNode(huge)));
        assertThat(hugeFilter.matches(object("n", NODES.numberNode(huge)))).isTrue();
        assertThat(hugeFilter.matches(object("n", NODES.numberNode(0x1p70)))).isFalse();
        assertThat(hugeFilter.matches(object("n", NODES.numberNode(new BigDecimal(huge).add(BigDecimal.ZERO)))))
                .isTrue();
        PayloadFilter pow70 = PayloadFilter.parse(eqFilter("n", NODES.numberNode(0x1p70)));
        assertThat(pow70.matches(object("n", NODES.numberNode(BigInteger.TWO.pow(70))))).isTrue();
        assertThat(pow70.matches(object("n", NODES.numberNode(Double.NaN)))).isFalse();
    }

    @Test
    void eqNeverMatchesAStringAgainstANumberOrBoolean() {
        assertThat(filter("{'must': [{'field': 'n', 'eq': '3'}]}").matches(json("{'n': 3}"))).isFalse();
        assertThat(filter("{'must': [{'field': 'n', 'eq': 3}]}").matches(json("{'n': '3'}"))).isFalse();
        assertThat(filter("{'must': [{'field': 'n', 'eq': 'true'}]}").matches(json("{'n': true}"))).isFalse();
        assertThat(filter("{'must': [{'field': 'n', 'eq': 1}]}").matches(json("{'n': true}"))).isFalse();
    }

    @Test
    void eqMatchesBooleansExactly() {
        PayloadFilter isTrue = filter("{'must': [{'field': 'ok', 'eq': true}]}");
        assertThat(isTrue.matches(json("{'ok': true}"))).isTrue();
        assertThat(isTrue.matches(json("{'ok': false}"))).isFalse();
        assertThat(filter("{'must': [{'field': 'ok', 'eq': false}]}").matches(json("{'ok': false}"))).isTrue();
    }

    @Test
    void inMatchesAnyListedValueOfAnyScalarType() {
        PayloadFilter filter = filter("{'must': [{'field': 'v', 'in': ['a', 2, 2.5, false, 'b', 2.5]}]}");
        for (String matching : List.of("'a'", "'b'", "2", "2.0", "2.5", "false")) {
            assertThat(filter.matches(json("{'v': " + matching + "}"))).as(matching).isTrue();
        }
        for (String other : List.of("'c'", "'2'", "3", "2.25", "true", "null", "{}")) {
            assertThat(filter.matches(json("{'v': " + other + "}"))).as(other).isFalse();
        }
    }

    @Test
    void rangeBoundsAreExclusiveOrInclusiveAsNamed() {
        PayloadFilter exclusive = filter("{'must': [{'field': 'n', 'range': {'gt': 1, 'lt': 3}}]}");
        PayloadFilter inclusive = filter("{'must': [{'field': 'n', 'range': {'gte': 1, 'lte': 3}}]}");
        assertThat(exclusive.matches(json("{'n': 1}"))).isFalse();
        assertThat(exclusive.matches(json("{'n': 1.0000001}"))).isTrue();
        assertThat(exclusive.matches(json("{'n': 2}"))).isTrue();
        assertThat(exclusive.matches(json("{'n': 3.0}"))).isFalse();
        assertThat(inclusive.matches(json("{'n': 1.0}"))).isTrue();
        assertThat(inclusive.matches(json("{'n': 3}"))).isTrue();
        assertThat(inclusive.matches(json("{'n': 0.999}"))).isFalse();
        assertThat(inclusive.matches(json("{'n': 3.001}"))).isFalse();
        PayloadFilter halfOpen = filter("{'must': [{'field': 'n', 'range': {'gte': -0.5}}]}");
        assertThat(halfOpen.matches(json("{'n': -0.5}"))).isTrue();
        assertThat(halfOpen.matches(json("{'n': 1e300}"))).isTrue();
        assertThat(halfOpen.matches(json("{'n': -1}"))).isFalse();
    }

    @Test
    void rangeComparesLongsAndDoublesExactly() {
        PayloadFilter aboveTwoPow53 = filter("{'must': [{'field': 'n', 'range': {'gt': 9007199254740992}}]}");
        assertThat(aboveTwoPow53.matches(json("{'n': 9007199254740993}"))).isTrue();
        assertThat(aboveTwoPow53.matches(json("{'n': 9007199254740992.0}"))).isFalse();
        PayloadFilter belowHalf = filter("{'must': [{'field': 'n', 'range': {'lt': 2.5}}]}");
        assertThat(belowHalf.matches(json("{'n': 2}"))).isTrue();
        assertThat(belowHalf.matches(json("{'n': 3}"))).isFalse();
        assertThat(belowHalf.matches(json("{'n': -9223372036854775808}"))).isTrue();
        assertThat(belowHalf.matches(object("n", NODES.numberNode(Double.NEGATIVE_INFINITY)))).isTrue();
        assertThat(belowHalf.matches(object("n", NODES.numberNode(Double.NaN)))).isFalse();
        PayloadFilter aboveLongMax = filter("{'must': [{'field': 'n', 'range': {'gt': 9223372036854775807}}]}");
        assertThat(aboveLongMax.matches(json("{'n': 9223372036854775808}"))).isTrue();
        assertThat(aboveLongMax.matches(json("{'n': 9.3e18}"))).isTrue();
        assertThat(aboveLongMax.matches(json("{'n': 9223372036854775807}"))).isFalse();
    }

    @Test
    void rangeMatchesOnlyNumericValues() {
        PayloadFilter filter = filter("{'must': [{'field': 'n', 'range': {'gte': 0}}]}");
        for (String other : List.of("'5'", "true", "null", "{'a': 5}", "[[5]]")) {
            assertThat(filter.matches(json("{'n': " + other + "}"))).as(other).isFalse();
        }
    }

    @Test
    void dottedPathReachesIntoNestedObjects() {
        PayloadFilter filter = filter("{'must': [{'field': 'meta.lang', 'eq': 'en'}]}");
        assertThat(filter.matches(json("{'meta': {'lang': 'en'}}"))).isTrue();
        assertThat(filter.matches(json("{'meta': {'lang': 'de'}}"))).isFalse();
        assertThat(filter.matches(json("{'meta.lang': 'en'}"))).isFalse();
        assertThat(filter.matches(json("{'meta': 'en'}"))).isFalse();
        assertThat(filter.matches(json("{'meta': [{'lang': 'en'}]}"))).isFalse();
        assertThat(filter("{'must': [{'field': 'a.b.c', 'eq': 1}]}").matches(json("{'a': {'b': {'c': [0, 1]}}}")))
                .isTrue();
    }

    @Test
    void arrayFieldMatchesWhenAnyElementMatches() {
        JsonNode payload = json("{'tags': ['red', 7, 2.5, true, null, {'x': 1}, [9]]}");
        assertThat(filter("{'must': [{'field': 'tags', 'eq': 'red'}]}").matches(payload)).isTrue();
        assertThat(filter("{'must': [{'field': 'tags', 'eq': 7.0}]}").matches(payload)).isTrue();
        assertThat(filter("{'must': [{'field': 'tags', 'eq': true}]}").matches(payload)).isTrue();
        assertThat(filter("{'must': [{'field': 'tags', 'in': ['blue', 2.5]}]}").matches(payload)).isTrue();
        assertThat(filter("{'must': [{'field': 'tags', 'range': {'gt': 5, 'lt': 8}}]}").matches(payload)).isTrue();
        assertThat(filter("{'must': [{'field': 'tags', 'eq': 'blue'}]}").matches(payload)).isFalse();
        assertThat(filter("{'must': [{'field': 'tags', 'eq': 9}]}").matches(payload)).isFalse();
        assertThat(filter("{'must': [{'field': 'tags', 'range': {'gt': 8}}]}").matches(payload)).isFalse();
        assertThat(filter("{'must': [{'field': 'tags', 'eq': 1}]}").matches(json("{'tags': []}"))).isFalse();
        assertThat(filter("{'must_not': [{'field': 'tags', 'eq': 'red'}]}").matches(payload)).isFalse();
    }

    @Test
    void missingNullOrObjectFieldMatchesNoConditionSoMustNotOfItMatches() {
        for (String payload : List.of("{}", "{'n': null}", "{'n': {'eq': 1}}", "{'other': 1}")) {
            for (String condition : List.of("'eq': 1", "'in': [1, 'a']", "'range': {'gte': 0}")) {
                String clause = "[{'field': 'n', " + condition + "}]";
                assertThat(filter("{'must': " + clause + "}").matches(json(payload))).as(payload).isFalse();
                assertThat(filter("{'must_not': " + clause + "}").matches(json(payload))).as(payload).isTrue();
            }
        }
    }

    @Test
    void nullMissingOrNonObjectPayloadIsAnEmptyObject() {
        PayloadFilter must = filter("{'must': [{'field': 'n', 'eq': 1}]}");
        PayloadFilter mustNot = filter("{'must_not': [{'field': 'n', 'eq': 1}]}");
        for (JsonNode payload : new JsonNode[] {null, NullNode.getInstance(), MissingNode.getInstance(),
                json("[{'n': 1}]"), json("1")}) {
            assertThat(must.matches(payload)).as(String.valueOf(payload)).isFalse();
            assertThat(mustNot.matches(payload)).as(String.valueOf(payload)).isTrue();
        }
    }

    // ---- must / should / must_not ----

    @Test
    void mustRequiresEveryClause() {
        PayloadFilter filter = filter("{'must': [{'field': 'a', 'eq': 1}, {'field': 'b', 'eq': 2}]}");
        assertThat(filter.matches(json("{'a': 1, 'b': 2}"))).isTrue();
        assertThat(filter.matches(json("{'a': 1, 'b': 3}"))).isFalse();
        assertThat(filter.matches(json("{'b': 2}"))).isFalse();
    }

    @Test
    void shouldRequiresAtLeastOneClauseWhenPresent() {
        PayloadFilter filter = filter("{'should': [{'field': 'a', 'eq': 1}, {'field': 'b', 'eq': 2}]}");
        assertThat(filter.matches(json("{'a': 1}"))).isTrue();
        assertThat(filter.matches(json("{'b': 2}"))).isTrue();
        assertThat(filter.matches(json("{'a': 1, 'b': 2}"))).isTrue();
        assertThat(filter.matches(json("{'a': 2, 'b': 1}"))).isFalse();
        assertThat(filter.matches(json("{}"))).isFalse();
    }

    @Test
    void mustNotExcludesWhenAnyClauseMatches() {
        PayloadFilter filter = filter("{'must_not': [{'field': 'a', 'eq': 1}, {'field': 'b', 'eq': 2}]}");
        assertThat(filter.matches(json("{}"))).isTrue();
        assertThat(filter.matches(json("{'a': 2, 'b': 1}"))).isTrue();
        assertThat(filter.matches(json("{'a': 1}"))).isFalse();
        assertThat(filter.matches(json("{'b': 2}"))).isFalse();
    }

    @Test
    void mustShouldAndMustNotAllApplyTogether() {
        PayloadFilter filter = filter("{'must': [{'field': 'lang', 'eq': 'en'}],"
                + " 'should': [{'field': 'year', 'range': {'gte': 2020}}, {'field': 'pinned', 'eq': true}],"
                + " 'must_not': [{'field': 'status', 'in': ['deleted', 'hidden']}]}");
        assertThat(filter.matches(json("{'lang': 'en', 'year': 2021}"))).isTrue();
        assertThat(filter.matches(json("{'lang': 'en', 'year': 1999, 'pinned': true}"))).isTrue();
        assertThat(filter.matches(json("{'lang': 'en', 'year': 1999}"))).isFalse();
        assertThat(filter.matches(json("{'lang': 'de', 'year': 2021}"))).isFalse();
        assertThat(filter.matches(json("{'lang': 'en', 'year': 2021, 'status': 'hidden'}"))).isFalse();
        assertThat(filter.matches(json("{'lang': 'en', 'year': 2021, 'status': ['ok', 'deleted']}"))).isFalse();
    }

    @Test
    void nestedFiltersCombineAtEveryLevel() {
        // lang = en AND (year >= 2020 OR (pinned AND NOT archived))
        PayloadFilter filter = filter("{'must': [{'field': 'lang', 'eq': 'en'}, {'should': ["
                + "{'field': 'year', 'range': {'gte': 2020}},"
                + "{'must': [{'field': 'pinned', 'eq': true}], 'must_not': [{'field': 'archived', 'eq': true}]}"
                + "]}]}");
        assertThat(filter.matches(json("{'lang': 'en', 'year': 2020}"))).isTrue();
        assertThat(filter.matches(json("{'lang': 'en', 'year': 2000, 'pinned': true}"))).isTrue();
        assertThat(filter.matches(json("{'lang': 'en', 'year': 2000, 'pinned': true, 'archived': true}")))
                .isFalse();
        assertThat(filter.matches(json("{'lang': 'en', 'year': 2000}"))).isFalse();
        assertThat(filter.matches(json("{'lang': 'fr', 'year': 2024}"))).isFalse();
    }

    @Test
    void filterAtTheDepthAndClauseLimitsIsAccepted() {
        PayloadFilter deep = PayloadFilter.parse(nested(4, "{'field': 'a', 'eq': 1}"));
        assertThat(deep.matches(json("{'a': 1}"))).isTrue();
        assertThat(deep.matches(json("{'a': 2}"))).isFalse();
        PayloadFilter wide = PayloadFilter.parse(conditions(64));
        assertThat(wide.matches(json("{'f': 63}"))).isTrue();
        assertThat(wide.matches(json("{'f': 64}"))).isFalse();
        String path = "a".repeat(FilterParser.MAX_PATH_LENGTH);
        assertThat(filter("{'must': [{'field': '" + path + "', 'eq': 1}]}").matches(json("{'" + path + "': 1}")))
                .isTrue();
        ArrayNode values = NODES.arrayNode();
        for (int i = 0; i < FilterParser.MAX_IN_VALUES; i++) {
            values.add(i % 2 == 0 ? NODES.numberNode(i) : NODES.textNode("s" + i));
        }
        ObjectNode in = NODES.objectNode().put("field", "v").set("in", values);
        PayloadFilter many = PayloadFilter.parse(NODES.objectNode().set("must", NODES.arrayNode().add(in)));
        assertThat(many.matches(json("{'v': 1022}"))).isTrue();
        assertThat(many.matches(json("{'v': 's1023'}"))).isTrue();
        assertThat(many.matches(json("{'v': 1023}"))).isFalse();
    }

    @Test
    void matchesAllocatesNothingOnceWarm() {
        PayloadFilter filter = filter("{'must': [{'field': 'meta.lang', 'in': ['en', 'de', 3, 2.5, true]}],"
                + " 'should': [{'field': 'year', 'range': {'gte': 2020.5, 'lt': 9007199254740993}},"
                + " {'must_not': [{'field': 'tags', 'eq': 'spam'}]}],"
                + " 'must_not': [{'field': 'score', 'range': {'lt': 0}}]}");
        JsonNode[] payloads = {json("{'meta': {'lang': 'en'}, 'year': 2021, 'tags': ['a', 'spam'], 'score': 1.5}"),
            json("{'meta': {'lang': ['fr', 3.0]}, 'year': 1999.5, 'tags': 'b', 'score': [2, -1]}"),
            json("{'meta': {'lang': true}, 'year': [2020, 2021.25], 'score': 0}"), json("{'meta': 7}")};
        int matched = 0;
        for (int i = 0; i < 50_000; i++) {
            matched += filter.matches(payloads[i % payloads.length]) ? 1 : 0;
        }
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().threadId();
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < 20_000; i++) {
            matched += filter.matches(payloads[i % payloads.length]) ? 1 : 0;
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertThat(matched).isEqualTo(70_000 / 2);
        // Slack for the measurement itself; one 16-byte allocation per call would be 320 KB.
        assertThat(allocated).as("bytes allocated by 20000 matches").isLessThan(1_024);
    }

    // ---- validation ----

    @Test
    void filterThatIsNotAnObjectIsRejectedAsFilter() {
        assertInvalid((JsonNode) null, "filter", "filter must be a JSON object, was missing");
        assertInvalid(NullNode.getInstance(), "filter", "filter must be a JSON object, was null");
        assertInvalid(json("[{'must': []}]"), "filter", "filter must be a JSON object, was array");
        assertInvalid(json("'x'"), "filter", "filter must be a JSON object, was string");
    }

    @Test
    void filterWithoutMustShouldOrMustNotIsRejected() {
        assertInvalid("{}", "filter", "filter must have at least one of must, should, must_not");
    }

    @Test
    void unknownKeysAreRejectedByName() {
        assertInvalid("{'must': [{'field': 'a', 'eq': 1}], 'filter': 1}", "filter.filter",
                "unknown key 'filter' (known: must, should, must_not)");
        assertInvalid("{'must': [{'field': 'a', 'gt': 1}]}", "filter.must[0].gt",
                "unknown key 'gt' (known: field, eq, in, range)");
        assertInvalid("{'must': [{'field': 'a', 'eq': 1}, {'mustnot': []}]}", "filter.must[1].mustnot",
                "unknown key 'mustnot' (known: field, eq, in, range, must, should, must_not)");
        assertInvalid("{'must': [{'should': [{'field': 'a', 'eq': 1}], 'boost': 2}]}", "filter.must[0].boost",
                "unknown key 'boost' (known: must, should, must_not)");
        assertInvalid("{'must': [{'field': 'a', 'range': {'gte': 1, 'from': 0}}]}", "filter.must[0].range.from",
                "unknown key 'from' (known: gt, gte, lt, lte)");
    }

    @Test
    void clauseListThatIsNotANonEmptyArrayIsRejected() {
        assertInvalid("{'must': []}", "filter.must", "must must be a non-empty array of clauses, was empty");
        assertInvalid("{'should': {'field': 'a', 'eq': 1}}", "filter.should",
                "should must be a non-empty array of clauses, was object");
        assertInvalid("{'must': [{'must_not': null}]}", "filter.must[0].must_not",
                "must_not must be a non-empty array of clauses, was null");
    }

    @Test
    void clauseThatIsNotAConditionOrFilterIsRejected() {
        assertInvalid("{'must': [{'field': 'a', 'eq': 1}, 'a = 1']}", "filter.must[1]",
                "clause must be an object (a condition or a filter), was string");
        assertInvalid("{'must_not': [null]}", "filter.must_not[0]",
                "clause must be an object (a condition or a filter), was null");
        assertInvalid("{'should': [{}]}", "filter.should[0]",
                "clause must be a condition (field with eq, in or range) or a filter (must, should, must_not),"
                        + " was empty");
    }

    @Test
    void nestingDeeperThanFourIsRejected() {
        assertInvalid(nested(5, "{'field': 'a', 'eq': 1}"), "filter.must[0].must[0].must[0].must[0]",
                "filter nesting depth must be at most 4, was 5");
    }

    @Test
    void moreThan64ClausesInTotalIsRejectedAtTheFirstExtraClause() {
        assertInvalid(conditions(65), "filter.should[64]",
                "filter must have at most 64 clauses in total, was at least 65");
        // Nested filters count as clauses too: 2 in must, 15 * (1 + 3) in should, 2 in must_not = 64.
        ObjectNode root = NODES.objectNode();
        root.putArray("must").add(json("{'should': [{'field': 'x', 'eq': 0}]}"));
        ArrayNode groups = root.putArray("should");
        for (int g = 0; g < 15; g++) {
            groups.add(conditions(3));
        }
        ArrayNode mustNot = root.putArray("must_not");
        mustNot.add(json("{'field': 'y', 'eq': 5}")).add(json("{'field': 'y', 'eq': 6}"));
        assertThat(PayloadFilter.parse(root).matches(json("{'x': 0, 'f': 1}"))).isTrue();
        mustNot.add(json("{'field': 'y', 'eq': 7}"));
        assertInvalid(root, "filter.must_not[2]", "filter must have at most 64 clauses in total, was at least 65");
    }

    @Test
    void conditionNeedsAStringFieldAndExactlyOneOperator() {
        assertInvalid("{'must': [{'eq': 1}]}", "filter.must[0].field", "field must be a string, was missing");
        assertInvalid("{'must': [{'field': 3, 'eq': 1}]}", "filter.must[0].field",
                "field must be a string, was number");
        assertInvalid("{'must': [{'field': 'a'}]}", "filter.must[0]",
                "condition must have exactly one of eq, in, range, had 0");
        assertInvalid("{'must': [{'field': 'a', 'eq': 1, 'in': [1]}]}", "filter.must[0]",
                "condition must have exactly one of eq, in, range, had 2");
    }

    @Test
    void fieldPathWithAnEmptyKeyOrOver256CharactersIsRejected() {
        for (String path : List.of("", ".a", "a.", "a..b", ".")) {
            assertInvalid("{'must': [{'field': '" + path + "', 'eq': 1}]}", "filter.must[0].field",
                    "field must be dot-separated non-empty keys, was '" + path + "'");
        }
        assertInvalid("{'must': [{'field': '" + "a".repeat(257) + "', 'eq': 1}]}", "filter.must[0].field",
                "field must be at most 256 characters, was 257");
    }

    @Test
    void eqValueThatIsNotAFiniteScalarIsRejected() {
        assertInvalid("{'must': [{'field': 'a', 'eq': null}]}", "filter.must[0].eq",
                "eq must be a string, number or boolean, was null");
        assertInvalid("{'must': [{'field': 'a', 'eq': [1]}]}", "filter.must[0].eq",
                "eq must be a string, number or boolean, was array");
        assertInvalid("{'must': [{'field': 'a', 'eq': {'a': 1}}]}", "filter.must[0].eq",
                "eq must be a string, number or boolean, was object");
        assertInvalid(eqFilter("a", NODES.numberNode(Double.NaN)), "filter.must[0].eq",
                "eq must be a finite number, was NaN");
    }

    @Test
    void inWithoutOneTo1024ScalarValuesIsRejected() {
        assertInvalid("{'must': [{'field': 'a', 'in': []}]}", "filter.must[0].in",
                "in must be an array of 1 to 1024 values, was 0 values");
        assertInvalid("{'must': [{'field': 'a', 'in': 'x'}]}", "filter.must[0].in",
                "in must be an array of 1 to 1024 values, was string");
        ObjectNode tooMany = NODES.objectNode().put("field", "a");
        ArrayNode values = tooMany.putArray("in");
        for (int i = 0; i < 1025; i++) {
            values.add(i);
        }
        assertInvalid(NODES.objectNode().set("should", NODES.arrayNode().add(tooMany)), "filter.should[0].in",
                "in must be an array of 1 to 1024 values, was 1025 values");
        assertInvalid("{'must': [{'field': 'a', 'in': ['x', null]}]}", "filter.must[0].in[1]",
                "in value must be a string, number or boolean, was null");
        assertInvalid("{'must': [{'field': 'a', 'in': [[1]]}]}", "filter.must[0].in[0]",
                "in value must be a string, number or boolean, was array");
    }

    @Test
    void rangeWithoutNumericBoundsIsRejected() {
        assertInvalid("{'must': [{'field': 'a', 'range': {}}]}", "filter.must[0].range",
                "range must have at least one of gt, gte, lt, lte");
        assertInvalid("{'must': [{'field': 'a', 'range': [1, 2]}]}", "filter.must[0].range",
                "range must be an object, was array");
        assertInvalid("{'must': [{'field': 'a', 'eq': 1}, {'field': 'b', 'eq': 2},"
                        + " {'field': 'c', 'range': {'lt': 9, 'gte': '2020'}}]}", "filter.must[2].range.gte",
                "gte must be a number, was string");
        ObjectNode range = NODES.objectNode().put("lt", Double.POSITIVE_INFINITY);
        ObjectNode condition = NODES.objectNode().put("field", "a").set("range", range);
        assertInvalid(NODES.objectNode().set("must_not", NODES.arrayNode().add(condition)),
                "filter.must_not[0].range.lt", "lt must be a finite number, was Infinity");
    }

    // ---- randomized, against an oracle ----

    private static final String[] PATHS = {"a", "b", "meta.x", "meta.y", "meta", "none", "a.x"};
    private static final String[] STRINGS = {"s0", "s1", "s2", "1"};

    @Test
    void matchesAgreesWithABruteForceOracleOnRandomPayloadsAndFilters() {
        SplittableRandom random = new SplittableRandom(SEED);
        List<JsonNode> payloads = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            payloads.add(i == 0 ? null : randomPayload(random));
        }
        int matched = 0;
        int total = 0;
        for (int f = 0; f < 400; f++) {
            ObjectNode filterJson = randomFilter(random, 1);
            PayloadFilter filter = PayloadFilter.parse(filterJson);
            for (JsonNode payload : payloads) {
                boolean expected = oracleFilter(filterJson, payload);
                assertThat(filter.matches(payload))
                        .as("filter %s on payload %s, seed %d (replay with -Dgridvec.test.seed=%d)", filterJson,
                                payload, SEED, SEED)
                        .isEqualTo(expected);
                matched += expected ? 1 : 0;
                total++;
            }
        }
        // Guards against a generator whose filters all pass or all fail, which would test little.
        assertThat(matched).as("seed %d", SEED).isBetween(total / 50, total - total / 50);
    }

    private static JsonNode randomPayload(SplittableRandom random) {
        ObjectNode payload = NODES.objectNode();
        for (String key : new String[] {"a", "b"}) {
            if (random.nextInt(5) > 0) {
                payload.set(key, randomValue(random, true));
            }
        }
        if (random.nextInt(4) > 0) {
            ObjectNode meta = payload.putObject("meta");
            for (String key : new String[] {"x", "y"}) {
                if (random.nextInt(4) > 0) {
                    meta.set(key, randomValue(random, true));
                }
            }
        } else if (random.nextBoolean()) {
            payload.set("meta", randomValue(random, true));
        }
        return payload;
    }

    private static JsonNode randomValue(SplittableRandom random, boolean arrays) {
        int kind = random.nextInt(arrays ? 10 : 8);
        return switch (kind) {
            case 0, 1 -> NODES.numberNode(random.nextInt(5));
            case 2 -> NODES.numberNode(random.nextInt(10) / 2.0);
            case 3 -> NODES.numberNode(random.nextBoolean() ? 9007199254740993L : -9007199254740993L);
            case 4 -> NODES.numberNode(9007199254740992.0);
            case 5 -> NODES.textNode(STRINGS[random.nextInt(STRINGS.length)]);
            case 6 -> NODES.booleanNode(random.nextBoolean());
            case 7 -> random.nextBoolean() ? NODES.nullNode() : NODES.objectNode().put("x", 1);
            default -> {
                ArrayNode array = NODES.arrayNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    array.add(randomValue(random, false));
                }
                yield array;
            }
        };
    }

    private static JsonNode randomScalar(SplittableRandom random) {
        JsonNode value;
        do {
            value = randomValue(random, false);
        } while (!value.isValueNode() || value.isNull());
        return value;
    }

    private static ObjectNode randomFilter(SplittableRandom random, int depth) {
        ObjectNode filter = NODES.objectNode();
        for (String key : new String[] {"must", "should", "must_not"}) {
            if (random.nextInt(3) == 0 || (key.equals("must_not") && filter.isEmpty())) {
                ArrayNode clauses = filter.putArray(key);
                for (int i = 1 + random.nextInt(2); i > 0; i--) {
                    clauses.add(depth < 3 && random.nextInt(5) == 0 ? randomFilter(random, depth + 1)
                            : randomCondition(random));
                }
            }
        }
        return filter;
    }

    private static ObjectNode randomCondition(SplittableRandom random) {
        ObjectNode condition = NODES.objectNode().put("field", PATHS[random.nextInt(PATHS.length)]);
        switch (random.nextInt(3)) {
            case 0 -> condition.set("eq", randomScalar(random));
            case 1 -> {
                ArrayNode values = condition.putArray("in");
                for (int i = 1 + random.nextInt(4); i > 0; i--) {
                    values.add(randomScalar(random));
                }
            }
            default -> {
                ObjectNode range = condition.putObject("range");
                String[] bounds = {"gt", "gte", "lt", "lte"};
                int first = random.nextInt(4);
                range.set(bounds[first], randomNumber(random));
                if (random.nextBoolean()) {
                    range.set(bounds[(first + 2) % 4], randomNumber(random));
                }
            }
        }
        return condition;
    }

    private static JsonNode randomNumber(SplittableRandom random) {
        return switch (random.nextInt(4)) {
            case 0 -> NODES.numberNode(random.nextInt(6) - 1);
            case 1 -> NODES.numberNode(random.nextInt(12) / 2.0 - 0.5);
            case 2 -> NODES.numberNode(9007199254740992L);
            default -> NODES.numberNode(9007199254740993.0); // rounds to 2^53 as a double
        };
    }

    // The oracle: the wire format read literally, every number as an exact BigDecimal.

    private static boolean oracleFilter(JsonNode filter, JsonNode payload) {
        List<JsonNode> must = list(filter.get("must"));
        List<JsonNode> should = list(filter.get("should"));
        List<JsonNode> mustNot = list(filter.get("must_not"));
        return must.stream().allMatch(c -> oracleClause(c, payload))
                && (should.isEmpty() || should.stream().anyMatch(c -> oracleClause(c, payload)))
                && mustNot.stream().noneMatch(c -> oracleClause(c, payload));
    }

    private static boolean oracleClause(JsonNode clause, JsonNode payload) {
        if (!clause.has("field")) {
            return oracleFilter(clause, payload);
        }
        JsonNode value = payload;
        for (String key : clause.get("field").textValue().split("\\.")) {
            value = value != null && value.isObject() ? value.get(key) : null;
        }
        List<JsonNode> candidates = value == null ? List.of() : value.isArray() ? list(value) : List.of(value);
        return candidates.stream().anyMatch(candidate -> oracleCondition(clause, candidate));
    }

    private static boolean oracleCondition(JsonNode condition, JsonNode value) {
        if (condition.has("eq")) {
            return same(condition.get("eq"), value);
        }
        if (condition.has("in")) {
            return list(condition.get("in")).stream().anyMatch(v -> same(v, value));
        }
        if (!value.isNumber()) {
            return false;
        }
        JsonNode range = condition.get("range");
        BigDecimal x = exact(value);
        return (!range.has("gt") || x.compareTo(exact(range.get("gt"))) > 0)
                && (!range.has("gte") || x.compareTo(exact(range.get("gte"))) >= 0)
                && (!range.has("lt") || x.compareTo(exact(range.get("lt"))) < 0)
                && (!range.has("lte") || x.compareTo(exact(range.get("lte"))) <= 0);
    }

    private static boolean same(JsonNode expected, JsonNode value) {
        if (expected.isNumber() && value.isNumber()) {
            return exact(expected).compareTo(exact(value)) == 0;
        }
        return (expected.isTextual() && value.isTextual() || expected.isBoolean() && value.isBoolean())
                && expected.equals(value);
    }

    private static BigDecimal exact(JsonNode number) {
        if (number.isIntegralNumber()) {
            return new BigDecimal(number.bigIntegerValue());
        }
        return number.isBigDecimal() ? number.decimalValue() : new BigDecimal(number.doubleValue());
    }

    private static List<JsonNode> list(JsonNode array) {
        List<JsonNode> elements = new ArrayList<>();
        if (array != null) {
            array.forEach(elements::add);
        }
        return elements;
    }

    // ---- helpers ----

    /** Parses JSON written with single quotes, to keep the examples readable. */
    private static JsonNode json(String singleQuoted) {
        try {
            return MAPPER.readTree(singleQuoted.replace('\'', '"'));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("bad test JSON: " + singleQuoted, e);
        }
    }

    private static PayloadFilter filter(String singleQuoted) {
        return PayloadFilter.parse(json(singleQuoted));
    }

    private static ObjectNode object(String key, JsonNode value) {
        return NODES.objectNode().set(key, value);
    }

    private static ObjectNode eqFilter(String field, JsonNode value) {
        ObjectNode condition = NODES.objectNode().put("field", field).set("eq", value);
        return NODES.objectNode().set("must", NODES.arrayNode().add(condition));
    }

    /** Returns {@code depth} filters nested through must, the innermost holding {@code condition}. */
    private static JsonNode nested(int depth, String condition) {
        String json = condition;
        for (int i = 0; i < depth; i++) {
            json = "{'must': [" + json + "]}";
        }
        return json(json);
    }

    /** Returns a filter of {@code n} should conditions {@code f == 0 .. n - 1}. */
    private static ObjectNode conditions(int n) {
        StringJoiner clauses = new StringJoiner(", ", "{'should': [", "]}");
        for (int i = 0; i < n; i++) {
            clauses.add("{'field': 'f', 'eq': " + i + "}");
        }
        return (ObjectNode) json(clauses.toString());
    }

    private static void assertInvalid(String singleQuoted, String field, String message) {
        assertInvalid(json(singleQuoted), field, message);
    }

    private static void assertInvalid(JsonNode filter, String field, String message) {
        assertThatThrownBy(() -> PayloadFilter.parse(filter))
                .isInstanceOfSatisfying(InvalidFilterException.class, e -> {
                    assertThat(e.field()).isEqualTo(field);
                    assertThat(e.getMessage()).isEqualTo(message);
                });
    }
}
