package dev.backfill.core;

import dev.backfill.spi.JobHistory;
import dev.backfill.spi.JobHistoryProvider;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * Job history type {@code file}: option {@code path}, a directory (created when missing) that one
 * client at a time locks; the same as {@code BackfillClient.Builder.jobHistory(Path)}.
 */
public final class FileJobHistoryProvider implements JobHistoryProvider {
  static final String PATH = "path";

  @Override
  public String type() {
    return "file";
  }

  @Override
  public JobHistory create(Map<String, String> options) {
    return new FileJobHistory(path(options));
  }

  /** The directory the options name. */
  static Path path(Map<String, String> options) {
    onlyKnown(options, Set.of(PATH), "file");
    String path = options.get(PATH);
    if (path == null || path.isBlank()) {
      throw new IllegalArgumentException("option 'path' is required: the directory of the job records, "
          + "for example data/jobs");
    }
    return Path.of(path);
  }

  static void onlyKnown(Map<String, String> options, Set<String> known, String type) {
    for (String key : options.keySet()) {
      if (!known.contains(key)) {
        throw new IllegalArgumentException("unknown option '" + key + "' of job history type '" + type
            + "'; valid options: " + (known.isEmpty() ? "none" : String.join(", ", known)));
      }
    }
  }
}
