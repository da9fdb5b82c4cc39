package dev.backfill.testkit;

import dev.backfill.api.BackfillTimes;
import dev.backfill.api.FeatureSet;
import dev.backfill.api.FieldType;
import dev.backfill.api.Row;
import dev.backfill.api.Schema;
import dev.backfill.spi.TableSpec;
import java.time.Instant;
import java.util.List;

/** Tables and rows shared by the store contract tests. */
final class ContractData {
  /** Midnight UTC: test rows fall on either side of day and hour boundaries around it. */
  static final Instant T0 = Instant.parse("2024-03-01T00:00:00Z");

  /** The first supported instant, {@code 0001-01-01T00:00:00Z}. */
  static final Instant FIRST_SUPPORTED = BackfillTimes.SUPPORTED_START;
  /** The last supported instant, {@code 9999-12-31T23:59:59.999999Z}. */
  static final Instant LAST_SUPPORTED = BackfillTimes.SUPPORTED_STOP.minusNanos(1_000);

  private ContractData() {}

  /**
   * A row of {@link #allTypes()} of key ("edge", id) at the first (or last) supported instant,
   * whose timestamp feature is the other end of the range.
   */
  static Row edgeRow(long id, boolean first) {
    return Row.of(allTypes().schema(), "edge", id, first ? FIRST_SUPPORTED : LAST_SUPPORTED, first ? "first" : "last",
        id, (double) id, first, first ? LAST_SUPPORTED : FIRST_SUPPORTED);
  }

  /** A table of one STRING key {@code user}, event time {@code ts}, {@code count LONG}, {@code label STRING}. */
  static TableSpec clicks() {
    return clicks("clicks");
  }

  /** {@link #clicks()} under another name. */
  static TableSpec clicks(String name) {
    return FeatureSet.builder(name).key("user", FieldType.STRING).eventTime("ts")
        .feature("count", FieldType.LONG).feature("label", FieldType.STRING).backfillStart(T0).build().table();
  }

  /** A row of {@link #clicks()}. */
  static Row click(String user, Instant ts, long count) {
    return Row.of(clicks().schema(), user, ts, count, "label-" + count);
  }

  /**
   * A table with a composite key ({@code region STRING}, {@code id LONG}), event time {@code ts}
   * and one feature of every type: {@code s STRING, l LONG, d DOUBLE, b BOOLEAN, t TIMESTAMP}.
   */
  static TableSpec allTypes() {
    return FeatureSet.builder("all_types").key("region", FieldType.STRING).key("id", FieldType.LONG).eventTime("ts")
        .feature("s", FieldType.STRING).feature("l", FieldType.LONG).feature("d", FieldType.DOUBLE)
        .feature("b", FieldType.BOOLEAN).feature("t", FieldType.TIMESTAMP).backfillStart(T0).build().table();
  }

  /**
   * Rows of {@link #allTypes()}, each of a distinct key, with edge values of every type.
   * Instants have at most microsecond precision (the kits promise no finer) but include pre-1970
   * ones, whose negative sub-second parts are a classic rounding trap. Doubles include NaN, both
   * infinities and negative zero, which a store must not normalise: {@link TableSpec#latestOrder()}
   * tells -0.0 from 0.0.
   */
  static List<Row> allTypesRows() {
    Schema s = allTypes().schema();
    Instant micros = Instant.parse("2024-03-01T12:34:56.123456Z");
    Instant preEpoch = Instant.parse("1969-12-31T23:59:59.999999Z");
    return List.of(
        Row.of(s, "eu", 1L, micros, "plain", 42L, 3.25, true, micros),
        Row.of(s, "eu", 2L, preEpoch, "", 0L, 0.0, false, preEpoch),
        Row.of(s, "eu", -3L, T0, "ünïcødé ✓ 😀 \"quoted\" 'single' \\ back\nslash\ttab", Long.MIN_VALUE,
            Double.MIN_VALUE, true, Instant.parse("1900-01-01T00:00:00Z")),
        Row.of(s, "", Long.MAX_VALUE, T0.plusNanos(1_000), "x".repeat(5000), Long.MAX_VALUE, Double.MAX_VALUE, false,
            Instant.parse("2199-12-31T23:59:59.999999Z")),
        Row.of(s, "us", 5L, T0, "negative zero", -1L, -0.0, null, Instant.EPOCH),
        Row.of(s, "us", 6L, T0, "nan", null, Double.NaN, true, null),
        Row.of(s, "us", 7L, T0, "inf", null, Double.POSITIVE_INFINITY, false, null),
        Row.of(s, "us", 8L, T0, "-inf", null, Double.NEGATIVE_INFINITY, false, null),
        Row.of(s, "us,with;separators:|", 9L, T0, null, 1L, -123456.789e-10, true, T0));
  }

  /**
   * A table keyed by a DOUBLE {@code x} and a STRING {@code s}, event time {@code ts}, features
   * {@code v DOUBLE} and {@code note STRING}: for the key values stores must keep apart.
   */
  static TableSpec doubleKeyed() {
    return FeatureSet.builder("double_keyed").key("x", FieldType.DOUBLE).key("s", FieldType.STRING).eventTime("ts")
        .feature("v", FieldType.DOUBLE).feature("note", FieldType.STRING).backfillStart(T0).build().table();
  }

  /**
   * Rows of {@link #doubleKeyed()} at {@code ts}, each of a distinct key as the engine hands keys
   * to stores: {@code 0.0} (never {@code -0.0}: the engine normalises it, see
   * {@link dev.backfill.api.EntityKey}), NaN, both infinities, the smallest doubles of each sign;
   * strings that a store which mangles text would merge: {@code "?"}, a replacement character, a
   * non-BMP character (a valid surrogate pair), an empty string. Feature values include
   * {@code -0.0} and NaN beside non-zero values.
   */
  static List<Row> doubleKeyedRows(Instant ts, double base) {
    Schema s = doubleKeyed().schema();
    return List.of(
        Row.of(s, 0.0, "?", ts, -0.0, "zero"),
        Row.of(s, Double.NaN, "?", ts, base + 1, "nan"),
        Row.of(s, Double.POSITIVE_INFINITY, "?", ts, Double.NaN, "+inf"),
        Row.of(s, Double.NEGATIVE_INFINITY, "?", ts, base + 3, "-inf"),
        Row.of(s, Double.MIN_VALUE, "?", ts, base + 4, "min"),
        Row.of(s, -Double.MIN_VALUE, "?", ts, base + 5, "-min"),
        Row.of(s, 0.0, "\uFFFD", ts, base + 6, "replacement character"),
        Row.of(s, 0.0, "\uD83D\uDE00", ts, base + 7, "a surrogate pair"),
        Row.of(s, 0.0, "", ts, base + 8, "empty"));
  }
}
