package dev.backfill.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backfill.redis.RedisServer;
import dev.backfill.redis.Resp;
import org.junit.jupiter.api.Test;

/**
 * Runs both paths of {@link RedisVsPipeline} tiny, on a redis-server of the test's own, and checks
 * that they wrote the same hashes: the ratio means something only if the pipeline does the same
 * work. No timing.
 */
class RedisVsPipelineSmokeTest {
  private static final long KEYS = 3_000;

  @Test
  void engineAndPipelineWriteTheSameHashes() {
    try (RedisServer server = RedisServer.start(); Resp redis = new Resp(server.port())) {
      RedisVsPipeline.Outcome engine = RedisVsPipeline.engine(server.uri(), KEYS, "engine");
      RedisVsPipeline.Outcome pipeline = RedisVsPipeline.pipeline(server.uri(), KEYS, "pipeline");

      assertThat(RedisVsPipeline.count(server.uri(), "engine:*:{*")).isEqualTo(KEYS);
      assertThat(RedisVsPipeline.count(server.uri(), "pipeline:*:{*")).isEqualTo(KEYS);
      for (long k = 0; k < KEYS; k += 7) {
        String suffix = ":user_activity:{" + k + "}";
        assertThat(redis.hgetall("engine" + suffix)).as("key %d", k).hasSize(4).isEqualTo(redis.hgetall("pipeline" + suffix));
      }
      assertThat(engine.keysPerSecond()).isPositive();
      assertThat(pipeline.keysPerSecond()).isPositive();

      assertThat(RedisVsPipeline.run(server.uri(), 500, 1)).isTrue();
      RedisVsPipeline.delete(server.uri(), "engine:*");
      assertThat(RedisVsPipeline.count(server.uri(), "engine:*")).isZero();
      assertThat(RedisVsPipeline.count(server.uri(), "pipeline:*")).isEqualTo(KEYS);
    }
  }
}
