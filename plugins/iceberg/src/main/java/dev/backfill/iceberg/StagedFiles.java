package dev.backfill.iceberg;

import dev.backfill.api.StoreException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.io.FileAppender;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.parquet.Parquet;

/**
 * Data files being written for one commit, one open Parquet file per partition. Files go under
 * one folder per commit ({@code <table>/data/<commit id>/}), so that what a failed or killed
 * job left behind can be found and deleted by its id. At most {@link #MAX_OPEN} files are open
 * at once (the least recently written is closed first) and a file is closed at
 * {@link #TARGET_FILE_BYTES}, so the heap holds a bounded part of the rows whatever their number
 * and spread over partitions. Thread-safe: writes are serialised.
 */
final class StagedFiles {
  static final int MAX_OPEN = 8;
  static final long TARGET_FILE_BYTES = 128L << 20;

  private final Table table;
  private final String folder;
  private final PartitionKey partitionKey;
  private final InternalRecordWrapper wrapper;
  private final Map<PartitionKey, FileAppender<Record>> open = new LinkedHashMap<>(16, 0.75f, true);
  private final Map<FileAppender<Record>, Pending> pending = new LinkedHashMap<>();
  private final List<DataFile> done = new ArrayList<>();
  private final List<String> written = new ArrayList<>();
  private final PartitionRun run;
  private long rows;

  StagedFiles(Table table, String commitId) {
    this.table = table;
    this.folder = stagingFolder(table, commitId);
    this.partitionKey = new PartitionKey(table.spec(), table.schema());
    this.wrapper = new InternalRecordWrapper(table.schema().asStruct());
    this.run = PartitionRun.of(table.spec(), table.schema());
  }

  /** Where the files of a commit are written. */
  static String stagingFolder(Table table, String commitId) {
    return table.location() + "/data/" + commitId.replaceAll("[^A-Za-z0-9_.-]", "_");
  }

  /**
   * Writes the records; returns the path of the file each went to, in order (a file's path is
   * known before it is finished, and stays its path in the table).
   */
  synchronized String[] add(List<Record> records) {
    String[] paths = new String[records.size()];
    try {
      for (int i = 0; i < paths.length; i++) {
        Record record = records.get(i);
        if (run == null || !run.holds(record)) {
          partitionKey.partition(wrapper.wrap(record));
          if (run != null) {
            run.computed(record, partitionKey);
          }
        }
        FileAppender<Record> appender = open.get(partitionKey);
        if (appender == null) {
          PartitionKey key = partitionKey.copy();
          appender = newFile(key);
          open.put(key, appender);
          if (open.size() > MAX_OPEN) {
            Iterator<Map.Entry<PartitionKey, FileAppender<Record>>> eldest = open.entrySet().iterator();
            FileAppender<Record> closing = eldest.next().getValue();
            eldest.remove();
            finish(closing);
          }
        }
        appender.add(record);
        paths[i] = pending.get(appender).path;
        rows++;
        // Asking a Parquet writer for its length sums its buffers: not for every row.
        if ((rows & 1023) == 0 && appender.length() >= TARGET_FILE_BYTES) {
          open.remove(partitionKey);
          finish(appender);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return paths;
  }

  /** Closes the open files and returns every file written. */
  synchronized List<DataFile> finish() {
    try {
      for (FileAppender<Record> appender : open.values()) {
        finish(appender);
      }
      open.clear();
    } catch (IOException e) {
      throw new StoreException("offline store (iceberg): cannot write the data files of table '" + table.name() + "': "
          + e, e);
    }
    return List.copyOf(done);
  }

  synchronized long rows() {
    return rows;
  }

  /** Deletes every file written, open or closed; failures are left to the orphan clean-up. */
  synchronized void discard() {
    for (FileAppender<Record> appender : open.values()) {
      try {
        appender.close();
      } catch (IOException | RuntimeException ignored) {
        // The file is deleted next whatever state it was left in.
      }
    }
    open.clear();
    for (String path : written) {
      try {
        table.io().deleteFile(path);
      } catch (RuntimeException ignored) {
        // A file that cannot be deleted now stays under the commit's staging folder.
      }
    }
    written.clear();
    done.clear();
  }

  private FileAppender<Record> newFile(PartitionKey key) throws IOException {
    String partition = table.spec().isUnpartitioned() ? "" : key.toPath() + "/";
    String path = folder + "/" + partition + UUID.randomUUID() + ".parquet";
    OutputFile out = table.io().newOutputFile(path);
    written.add(path);
    FileAppender<Record> appender = Parquet.write(out).forTable(table)
        .createWriterFunc(GenericParquetWriter::create).overwrite().build();
    pending.put(appender, new Pending(path, key));
    return appender;
  }

  private void finish(FileAppender<Record> appender) throws IOException {
    appender.close();
    Pending file = pending.remove(appender);
    done.add(DataFiles.builder(table.spec()).withPath(file.path).withFormat(FileFormat.PARQUET)
        .withPartition(file.partition).withFileSizeInBytes(appender.length()).withMetrics(appender.metrics())
        .withSplitOffsets(appender.splitOffsets()).build());
  }

  private record Pending(String path, PartitionKey partition) {}
}
