package dev.backfill.iceberg;

import dev.backfill.api.Row;
import dev.backfill.api.StoreException;
import dev.backfill.spi.OfflineReplacement;
import dev.backfill.spi.TableSpec;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.SerializableTable;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;

/**
 * Data files of an Iceberg replacement written outside the store's process, for a runner whose
 * executors write them (Spark): {@link #writers()} is shipped to the executors, each of which
 * writes its rows into the commit's own folder and returns the {@link DataFile}s it wrote; the
 * driver {@linkplain #attach attaches} them to the replacement, whose one validated commit then
 * adds them with its own. A replacement closed without a commit does not delete attached files:
 * the runner deletes what it wrote with {@code OfflineStore.discardStaged(table, commitId)}, which
 * removes the commit's folder.
 */
public final class IcebergDataFiles {
  private final IcebergReplacement replacement;

  private IcebergDataFiles(IcebergReplacement replacement) {
    this.replacement = replacement;
  }

  /** The accessor of an Iceberg store's replacement; empty for any other store's. */
  public static Optional<IcebergDataFiles> of(OfflineReplacement replacement) {
    return replacement instanceof IcebergReplacement iceberg ? Optional.of(new IcebergDataFiles(iceberg))
        : Optional.empty();
  }

  /** A serializable factory of writers into the replacement's commit folder. */
  public Writers writers() {
    return new Writers(SerializableTable.copyOf(replacement.table()), replacement.commitId(), replacement.spec());
  }

  /**
   * Adds files written by {@link Writer}s of this replacement to its commit. Thread-safe; before
   * {@code commit()} only.
   *
   * @throws IllegalStateException after the commit or close
   */
  public void attach(Collection<DataFile> files) {
    replacement.attach(List.copyOf(files));
  }

  /**
   * After the commit: the locations of the data files it removed from the table (their rows
   * outside a replaced range were rewritten into new files), which a runner reads to find the
   * keys whose rows the commit deleted.
   *
   * @throws IllegalStateException before the commit
   */
  public List<String> removedFiles() {
    return replacement.removedFileLocations();
  }

  /** Opens writers on any machine that reaches the table's storage. */
  public static final class Writers implements Serializable {
    private static final long serialVersionUID = 1L;
    private final Table table;
    private final String commitId;
    private final TableSpec spec;

    private Writers(Table table, String commitId, TableSpec spec) {
      this.table = table;
      this.commitId = commitId;
      this.spec = spec;
    }

    /** A new writer; one per task, used by one thread. */
    public Writer open() {
      return new Writer(new StagedFiles(table, commitId), new TableLayout(spec));
    }
  }

  /**
   * Writes rows of the table (conformed to its schema, event times inside the replaced range:
   * the caller checks both) to Parquet data files, a bounded number open at once. Not thread-safe.
   */
  public static final class Writer implements AutoCloseable {
    private static final int BATCH = 1024;
    private final StagedFiles files;
    private final TableLayout layout;
    private final List<Record> batch = new ArrayList<>(BATCH);
    private boolean finished;

    private Writer(StagedFiles files, TableLayout layout) {
      this.files = files;
      this.layout = layout;
    }

    public void write(Row row) {
      Objects.requireNonNull(row, "row");
      batch.add(layout.toRecord(row));
      if (batch.size() == BATCH) {
        flush();
      }
    }

    /** Closes the files and returns them, to be attached by the driver. */
    public List<DataFile> finish() {
      flush();
      finished = true;
      return files.finish();
    }

    /** Deletes every file this writer wrote; harmless after {@link #finish()} or twice. */
    public void discard() {
      batch.clear();
      files.discard();
    }

    /** Discards the files unless {@link #finish()} returned them. */
    @Override
    public void close() {
      if (!finished) {
        discard();
      }
    }

    private void flush() {
      if (!batch.isEmpty()) {
        try {
          files.add(batch);
        } catch (RuntimeException e) {
          throw e instanceof StoreException ? e : new StoreException("offline store (iceberg): cannot write the data "
              + "files of table '" + layout.spec().name() + "': " + e, e);
        }
        batch.clear();
      }
    }
  }
}
