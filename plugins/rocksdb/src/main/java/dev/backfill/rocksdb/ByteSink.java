package dev.backfill.rocksdb;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/**
 * A growable byte array with the primitive encodings the codecs share. Not thread-safe: one
 * sink per encoded value.
 */
final class ByteSink {
  private byte[] bytes;
  private int size;

  ByteSink(int initialCapacity) {
    bytes = new byte[Math.max(16, initialCapacity)];
  }

  void writeByte(int b) {
    ensure(1);
    bytes[size++] = (byte) b;
  }

  void writeBytes(byte[] b) {
    ensure(b.length);
    System.arraycopy(b, 0, bytes, size, b.length);
    size += b.length;
  }

  /** Eight bytes, big-endian. */
  void writeFixedLong(long v) {
    ensure(8);
    for (int shift = 56; shift >= 0; shift -= 8) {
      bytes[size++] = (byte) (v >>> shift);
    }
  }

  /** Four bytes, big-endian. */
  void writeFixedInt(int v) {
    ensure(4);
    for (int shift = 24; shift >= 0; shift -= 8) {
      bytes[size++] = (byte) (v >>> shift);
    }
  }

  /** An unsigned LEB128 varint: small lengths and counts take one byte. */
  void writeVarLong(long v) {
    ensure(10);
    while ((v & ~0x7FL) != 0) {
      bytes[size++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    bytes[size++] = (byte) v;
  }

  /** A signed varint by zigzag, so that small negative numbers stay short too. */
  void writeZigZagLong(long v) {
    writeVarLong((v << 1) ^ (v >> 63));
  }

  /**
   * A length-prefixed string. Well-formed strings are UTF-8; a string with an unpaired
   * surrogate (which UTF-8 cannot carry, and which {@link String#getBytes} replaces by '?' in
   * every charset) is written as its raw UTF-16 code units, two bytes each, so that it still
   * round-trips exactly. The low bit of the byte-length prefix tells which.
   */
  void writeString(String s) {
    if (isWellFormed(s)) {
      byte[] encoded = s.getBytes(StandardCharsets.UTF_8);
      writeVarLong((long) encoded.length << 1);
      writeBytes(encoded);
    } else {
      writeVarLong(((long) s.length() * 2 << 1) | 1);
      ensure(s.length() * 2);
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        bytes[size++] = (byte) (c >>> 8);
        bytes[size++] = (byte) c;
      }
    }
  }

  /** Seconds (zigzag) and nanoseconds: exact to the nanosecond, 6 bytes for a current time. */
  void writeInstant(Instant instant) {
    writeZigZagLong(instant.getEpochSecond());
    writeVarLong(instant.getNano());
  }

  byte[] toByteArray() {
    return Arrays.copyOf(bytes, size);
  }

  private void ensure(int extra) {
    if (size + extra > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + extra));
    }
  }

  private static boolean isWellFormed(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }
}
