package dev.backfill.iceberg;

import java.io.IOException;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.PositionOutputStream;

/**
 * A {@link LocalFileIO} that halts the JVM once the metadata file of a commit that removes files
 * from a table under {@code backfill/} is written (the commit's last step before the catalog's
 * pointer moves): a process killed in the middle of its commit. Armed by the system property
 * {@value #ARM}; inert otherwise.
 */
public final class HaltingFileIO implements FileIO {
  static final String ARM = "test.halt-on-replacement-metadata";
  private static final long serialVersionUID = 1L;
  private final LocalFileIO local = new LocalFileIO();

  public HaltingFileIO() {}

  @Override
  public InputFile newInputFile(String path) {
    return local.newInputFile(path);
  }

  @Override
  public OutputFile newOutputFile(String path) {
    OutputFile file = local.newOutputFile(path);
    if (!Boolean.getBoolean(ARM) || !path.contains("/backfill/") || !path.endsWith(".metadata.json")) {
      return file;
    }
    return new OutputFile() {
      @Override
      public PositionOutputStream create() {
        return halting(file.create());
      }

      @Override
      public PositionOutputStream createOrOverwrite() {
        return halting(file.createOrOverwrite());
      }

      @Override
      public String location() {
        return file.location();
      }

      @Override
      public InputFile toInputFile() {
        return file.toInputFile();
      }
    };
  }

  private static PositionOutputStream halting(PositionOutputStream out) {
    return new PositionOutputStream() {
      @Override
      public long getPos() throws IOException {
        return out.getPos();
      }

      @Override
      public void write(int b) throws IOException {
        out.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        out.close();
        if (Boolean.getBoolean(ARM)) {
          Runtime.getRuntime().halt(IcebergCrashChild.HALT_STATUS);
        }
      }
    };
  }

  @Override
  public void deleteFile(String path) {
    local.deleteFile(path);
  }
}
