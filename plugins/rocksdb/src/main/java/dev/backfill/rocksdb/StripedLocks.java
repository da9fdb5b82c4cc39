package dev.backfill.rocksdb;

import java.util.BitSet;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fixed array of locks that keys hash onto: a write locks only the stripes of its keys, so
 * writes of different keys mostly run in parallel while writes of one key are serialised,
 * with memory bounded however many keys exist.
 *
 * <p>A writer locks all of its stripes in ascending index order ({@link BitSet} iterates that
 * way), so two writers never wait for each other in a cycle: no deadlock.
 */
final class StripedLocks {
  private final ReentrantLock[] locks;

  /** @param count how many stripes, a power of two */
  StripedLocks(int count) {
    if (Integer.bitCount(count) != 1) {
      throw new IllegalArgumentException("stripe count " + count + " is not a power of two");
    }
    locks = new ReentrantLock[count];
    for (int i = 0; i < count; i++) {
      locks[i] = new ReentrantLock();
    }
  }

  /** The stripe of a key of a table; equal inputs give equal stripes. */
  int stripeOf(int tableHash, byte[] key) {
    int h = tableHash * 31 + java.util.Arrays.hashCode(key);
    // Spread the high bits down: Arrays.hashCode of similar keys differs mostly in low bits.
    h ^= (h >>> 16);
    h *= 0x85EBCA6B;
    h ^= (h >>> 13);
    return h & (locks.length - 1);
  }

  /** Locks the stripes, in ascending order; pair with {@link #unlock}. */
  void lock(BitSet stripes) {
    int locked = -1;
    try {
      for (int i = stripes.nextSetBit(0); i >= 0; i = stripes.nextSetBit(i + 1)) {
        locks[i].lock();
        locked = i;
      }
    } catch (Error | RuntimeException e) {
      // lock() only throws on a JVM error; release what we hold rather than leak it.
      for (int i = stripes.nextSetBit(0); i >= 0 && i <= locked; i = stripes.nextSetBit(i + 1)) {
        locks[i].unlock();
      }
      throw e;
    }
  }

  /** Unlocks stripes locked by {@link #lock} on this thread. */
  void unlock(BitSet stripes) {
    for (int i = stripes.nextSetBit(0); i >= 0; i = stripes.nextSetBit(i + 1)) {
      locks[i].unlock();
    }
  }
}
