package dev.backfill.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The default history: records live as long as the client. */
final class InMemoryJobHistory implements JobHistory {
  private final Map<String, JobRecord> records = new ConcurrentHashMap<>();

  @Override
  public void save(JobRecord record) {
    records.put(record.id(), record);
  }

  @Override
  public void delete(String jobId) {
    records.remove(jobId);
  }

  @Override
  public List<JobRecord> load() {
    return new ArrayList<>(records.values());
  }

  @Override
  public void close() {}
}
