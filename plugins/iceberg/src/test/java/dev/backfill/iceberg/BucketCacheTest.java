package dev.backfill.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.api.EntityKey;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link BucketCache}: entries per companion snapshot, bounded by rows, least recently used out first. */
class BucketCacheTest {
  private static Map<EntityKey, LatestRows.Candidate> bucket(int rows) {
    Map<EntityKey, LatestRows.Candidate> bucket = new HashMap<>();
    for (int i = 0; i < rows; i++) {
      bucket.put(EntityKey.of((long) i), new LatestRows.Candidate(null, "f"));
    }
    return bucket;
  }

  @Test
  void aBucketAnswersOnlyForItsOwnSnapshot() {
    BucketCache cache = new BucketCache(10);
    cache.put(1, 3, bucket(2));

    assertThat(cache.get(1, 3)).hasValueSatisfying(rows -> assertThat(rows).hasSize(2));
    assertThat(cache.get(2, 3)).isEmpty();
    assertThat(cache.get(1, 4)).isEmpty();
  }

  @Test
  void theLeastRecentlyUsedBucketsGoBeyondTheBoundAndABucketTooLargeIsNeverHeld() {
    BucketCache cache = new BucketCache(10);
    cache.put(1, 0, bucket(4));
    cache.put(1, 1, bucket(4));
    cache.get(1, 0);
    cache.put(1, 2, bucket(4));

    assertThat(cache.get(1, 1)).isEmpty();
    assertThat(cache.get(1, 0)).isPresent();
    assertThat(cache.get(1, 2)).isPresent();

    cache.put(1, 5, bucket(11));
    assertThat(cache.get(1, 5)).isEmpty();
    assertThat(cache.fits(10)).isTrue();
    assertThat(cache.fits(11)).isFalse();
  }
}
