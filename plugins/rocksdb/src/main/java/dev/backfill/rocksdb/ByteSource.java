package dev.backfill.rocksdb;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Reads what {@link ByteSink} wrote. Every read checks bounds and throws
 * {@link IllegalArgumentException} on truncated or malformed input, which the codecs report as
 * a corrupt value instead of an {@link ArrayIndexOutOfBoundsException}.
 */
final class ByteSource {
  private final byte[] bytes;
  private int position;

  ByteSource(byte[] bytes) {
    this.bytes = bytes;
  }

  int readByte() {
    require(1);
    return bytes[position++] & 0xFF;
  }

  long readFixedLong() {
    require(8);
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (bytes[position++] & 0xFF);
    }
    return v;
  }

  int readFixedInt() {
    require(4);
    int v = 0;
    for (int i = 0; i < 4; i++) {
      v = (v << 8) | (bytes[position++] & 0xFF);
    }
    return v;
  }

  long readVarLong() {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = readByte();
      v |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return v;
      }
    }
    throw new IllegalArgumentException("varint longer than 10 bytes at offset " + position);
  }

  long readZigZagLong() {
    long v = readVarLong();
    return (v >>> 1) ^ -(v & 1);
  }

  String readString() {
    long prefix = readVarLong();
    long length = prefix >>> 1;
    if (length > bytes.length - position) {
      throw new IllegalArgumentException("string of " + length + " bytes at offset " + position
          + " runs past the end (" + bytes.length + " bytes)");
    }
    int start = position;
    position += (int) length;
    if ((prefix & 1) == 0) {
      return new String(bytes, start, (int) length, StandardCharsets.UTF_8);
    }
    if (length % 2 != 0) {
      throw new IllegalArgumentException("UTF-16 string of odd byte length " + length + " at offset " + start);
    }
    char[] chars = new char[(int) length / 2];
    for (int i = 0; i < chars.length; i++) {
      chars[i] = (char) (((bytes[start + 2 * i] & 0xFF) << 8) | (bytes[start + 2 * i + 1] & 0xFF));
    }
    return new String(chars);
  }

  Instant readInstant() {
    long seconds = readZigZagLong();
    long nanos = readVarLong();
    if (nanos >= 1_000_000_000L) {
      throw new IllegalArgumentException("nanosecond field " + nanos + " out of range");
    }
    return Instant.ofEpochSecond(seconds, nanos);
  }

  boolean isExhausted() {
    return position == bytes.length;
  }

  int position() {
    return position;
  }

  private void require(int n) {
    if (bytes.length - position < n) {
      throw new IllegalArgumentException("truncated: need " + n + " byte(s) at offset " + position
          + " of " + bytes.length);
    }
  }
}
