package dev.backfill.core;

import dev.backfill.spi.JobEntry;
import dev.backfill.spi.JobHistory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The default history (type {@code memory}): records live as long as the client. Exclusive, so
 * conflicts are the client's to find ({@link RunningScopes}).
 */
final class InMemoryJobHistory implements JobHistory {
  private final Map<String, JobEntry> records = new ConcurrentHashMap<>();

  @Override
  public void submit(JobEntry entry) {
    save(entry);
  }

  @Override
  public void save(JobEntry entry) {
    records.put(entry.id(), entry);
  }

  @Override
  public void delete(String jobId) {
    records.remove(jobId);
  }

  @Override
  public List<JobEntry> load() {
    return new ArrayList<>(records.values());
  }

  @Override
  public Optional<JobEntry> find(String jobId) {
    return Optional.ofNullable(records.get(jobId));
  }

  @Override
  public void close() {}

  @Override
  public String toString() {
    return "in memory";
  }
}
