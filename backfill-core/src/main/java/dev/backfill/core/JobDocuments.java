package dev.backfill.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.backfill.api.TimeRange;
import dev.backfill.spi.JobEntry;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * The engine's {@link JobRecord} as the {@link dev.backfill.spi.JobHistory} SPI carries it: the
 * record as JSON text (a job file's content, byte for byte) beside the fields a history reasons
 * about.
 */
final class JobDocuments {
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private JobDocuments() {}

  static ObjectMapper mapper() {
    return MAPPER;
  }

  static JobEntry entry(JobRecord record) {
    String json;
    try {
      json = MAPPER.writeValueAsString(record);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("job " + record.id() + " cannot be written as JSON", e);
    }
    return entry(record, json);
  }

  static JobEntry entry(JobRecord record, String json) {
    Optional<TimeRange> scope = record.reset() ? Optional.empty() : Optional.of(record.range());
    return new JobEntry(record.id(), record.featureSet(), scope, record.status(), record.committed(),
        JobRecovery.needsRecovery(record), json, Optional.empty());
  }

  /**
   * The record in an entry's document, checked to be whole and to be of the entry's id.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  static JobRecord record(JobEntry entry) {
    return parse(entry.document(), entry.id());
  }

  static JobRecord parse(String json, String expectedId) {
    JobRecord record;
    try {
      record = MAPPER.readValue(json, JobRecord.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a job record: " + FileJobHistory.firstLine(e), e);
    }
    record.check(expectedId);
    return record;
  }
}
