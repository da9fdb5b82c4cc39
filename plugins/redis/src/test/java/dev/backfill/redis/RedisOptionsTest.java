package dev.backfill.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backfill.api.InvalidBackfillRequestException;
import dev.backfill.spi.Plugins;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue 12 point 1 and the bad-input list: each bad option is one line naming the option and what is valid. */
class RedisOptionsTest {
  private static RedisOptions parse(Map<String, String> options) {
    return RedisOptions.parse(options, Map.of("REDIS_SECRET", "s3cret")::get);
  }

  private static Map<String, String> with(String... pairs) {
    Map<String, String> options = new HashMap<>();
    options.put("uri", "redis://127.0.0.1:6379/0");
    for (int i = 0; i < pairs.length; i += 2) {
      options.put(pairs[i], pairs[i + 1]);
    }
    return options;
  }

  @Test
  void defaultsAndEveryOption() {
    RedisOptions defaults = parse(with());
    assertThat(defaults.cluster()).isFalse();
    assertThat(defaults.namespace()).isEqualTo("backfill");
    assertThat(defaults.batchSize()).isEqualTo(1_000);
    assertThat(defaults.timeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(defaults.servers()).isEqualTo("127.0.0.1:6379");

    RedisOptions all = parse(Map.of("uri", "redis://a:7000,redis://b:7001", "cluster", "TRUE", "namespace", "feat.v2-x",
        "batch-size", "250", "timeout", "1500ms", "password-env", "REDIS_SECRET"));
    assertThat(all.cluster()).isTrue();
    assertThat(all.servers()).isEqualTo("a:7000,b:7001");
    assertThat(all.namespace()).isEqualTo("feat.v2-x");
    assertThat(all.batchSize()).isEqualTo(250);
    assertThat(all.timeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(all.uris().get(0).getCredentialsProvider().resolveCredentials().block().getPassword())
        .containsExactly("s3cret".toCharArray());
    assertThat(parse(with("timeout", "PT2M")).timeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(parse(with("uri", "rediss://user:pw@host:6380/3")).uris().get(0).isSsl()).isTrue();
    assertThat(parse(with("uri", "rediss://user:pw@host:6380/3")).uris().get(0).getDatabase()).isEqualTo(3);
  }

  @Test
  void aUserInTheUriWithThePasswordFromTheEnvironment() {
    RedisOptions options = parse(Map.of("uri", "redis://reader@127.0.0.1:6379", "password-env", "REDIS_SECRET"));
    var credentials = options.uris().get(0).getCredentialsProvider().resolveCredentials().block();
    assertThat(credentials.getUsername()).isEqualTo("reader");
    assertThat(credentials.getPassword()).containsExactly("s3cret".toCharArray());
  }

  @Test
  void badOptionsAreOneLineNamingTheOption() {
    assertBad(with("colour", "blue"), "unknown option(s) [colour]; the options are [batch-size, cluster, namespace, "
        + "password-env, timeout, uri]");
    assertBad(Map.of(), "option 'uri' is missing; give the server, for example uri=redis://127.0.0.1:6379/0");
    assertBad(with("uri", "http://127.0.0.1:6379"), "option 'uri' = 'http://127.0.0.1:6379' is not a Redis URI;"
        + " give redis://[user:password@]host:port[/db] or rediss:// for TLS");
    assertBad(with("uri", "redis://:pw@:99999"), "option 'uri' = 'redis://:***@:99999' has no valid host and port");
    assertBad(with("uri", "redis://127.0.0.1:notaport"), "option 'uri' = 'redis://127.0.0.1:notaport' has no valid host");
    assertBad(with("uri", "redis://127.0.0.1:70000"), "option 'uri' = 'redis://127.0.0.1:70000' has no valid host");
    assertBad(with("uri", "redis://h:6379/x"), "option 'uri' = 'redis://h:6379/x' has the path '/x'; the only path is a"
        + " database number");
    assertBad(with("uri", "redis://h 1:6379"), "option 'uri' = 'redis://h 1:6379' is not a valid URI (");
    assertBad(with("uri", "redis://a:1,redis://b:2"), "option 'uri' = 'redis://a:1,redis://b:2' lists 2 servers; give one,"
        + " or set cluster=true");
    assertBad(with("uri", "redis://a:1/2", "cluster", "true"), "selects database 2, but a Redis Cluster has only database 0");
    assertBad(with("cluster", "yes"), "option 'cluster' = 'yes' is not a boolean; give true or false");
    assertBad(with("batch-size", "ten"), "option 'batch-size' = 'ten' is not a whole number; give 1 to 100000 (default 1000)");
    assertBad(with("batch-size", "0"), "option 'batch-size' = 0 is out of range; give 1 to 100000 (default 1000)");
    assertBad(with("timeout", "soon"), "option 'timeout' = 'soon' is not a duration; give for example 500ms, 10s, 2m or PT10S");
    assertBad(with("timeout", "0s"), "option 'timeout' = '0s' is out of range");
    assertBad(with("namespace", "a:b"), "option 'namespace' = 'a:b' is not a valid namespace");
    assertBad(with("password-env", "NOT_SET_ANYWHERE"), "option 'password-env' names the environment variable"
        + " 'NOT_SET_ANYWHERE', which is not set");
    assertBad(with("uri", "redis://u:inline@h:1", "password-env", "REDIS_SECRET"), "option 'uri' = 'redis://u:***@h:1'"
        + " holds a password and option 'password-env' names another");
  }

  @Test
  void throughThePluginLookupABadOptionNamesThePluginAndTheOption() {
    assertThatThrownBy(() -> Plugins.onlineStore("redis", with("batch-size", "ten")))
        .isInstanceOf(InvalidBackfillRequestException.class)
        .hasMessageStartingWith("online store 'redis': option 'batch-size' = 'ten' is not a whole number");
  }

  private static void assertBad(Map<String, String> options, String message) {
    assertThatThrownBy(() -> parse(options)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("pw@").doesNotContain("inline"));
  }
}
