package dev.backfill.cli.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * A YAML document as a tree that remembers the line of every node, so that every error can name
 * its line. Built from Jackson's streaming YAML parser (Jackson's own trees forget locations).
 * Mappings keep their order, which is the order of key columns; duplicate keys are an error.
 */
final class YamlNode {
  enum Kind { MAPPING, SEQUENCE, SCALAR, NULL }

  private static final YAMLFactory YAML = new YAMLFactory();

  private final Kind kind;
  private final ConfigLocation location;
  private final Map<String, YamlNode> entries;
  private final List<YamlNode> items;
  private final String text;

  private YamlNode(Kind kind, ConfigLocation location, Map<String, YamlNode> entries, List<YamlNode> items, String text) {
    this.kind = kind;
    this.location = location;
    this.entries = entries;
    this.items = items;
    this.text = text;
  }

  /** Reads a whole file, named {@code shownAs} in messages; an empty file is an empty mapping. */
  static YamlNode parse(Path file, Path shownAs) {
    ConfigLocation root = new ConfigLocation(shownAs, 1, "");
    try (Reader reader = Files.newBufferedReader(file); JsonParser parser = YAML.createParser(reader)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        return new YamlNode(Kind.MAPPING, root, Map.of(), List.of(), null);
      }
      YamlNode node = read(parser, root);
      if (parser.nextToken() != null) {
        throw new ConfigException(root.child("", line(parser)), "the file holds more than one YAML document");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw notYaml(shownAs, e);
    } catch (IOException e) {
      throw new ConfigException("cannot read the configuration file " + shownAs + ": " + e);
    }
  }

  /**
   * The parser's whole message on one line, at the line of the problem: SnakeYAML's message
   * spans several lines (the context, a copy of the line with a caret, the problem), and its
   * first line alone ("while parsing a flow mapping") does not say what is wrong.
   */
  private static ConfigException notYaml(Path shownAs, JsonProcessingException e) {
    if (e.getCause() instanceof MarkedYAMLException marked) {
      StringBuilder text = new StringBuilder("not valid YAML: ");
      if (marked.getContext() != null) {
        text.append(marked.getContext()).append(at(marked.getContextMark())).append(": ");
      }
      text.append(marked.getProblem()).append(at(marked.getProblemMark()));
      Mark where = marked.getProblemMark() != null ? marked.getProblemMark() : marked.getContextMark();
      return new ConfigException(new ConfigLocation(shownAs, where == null ? 1 : where.getLine() + 1, ""), text.toString(), e);
    }
    JsonLocation where = e.getLocation();
    String message = String.join(" ", e.getOriginalMessage().lines().map(String::strip).filter(l -> !l.isEmpty()).toList());
    return new ConfigException(new ConfigLocation(shownAs, where == null ? 1 : where.getLineNr(), ""),
        "not valid YAML: " + message, e);
  }

  private static String at(Mark mark) {
    return mark == null ? "" : " (line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ")";
  }

  /** Reads the node at the current token; {@code here} is the line of its key, where errors point. */
  private static YamlNode read(JsonParser parser, ConfigLocation here) throws IOException {
    JsonToken token = parser.currentToken();
    switch (token) {
      case START_OBJECT -> {
        Map<String, YamlNode> entries = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          ConfigLocation child = here.child(name, line(parser));
          if (entries.containsKey(name)) {
            throw new ConfigException(child, "the key appears twice; keep one");
          }
          parser.nextToken();
          entries.put(name, read(parser, child));
        }
        return new YamlNode(Kind.MAPPING, here, Collections.unmodifiableMap(entries), List.of(), null);
      }
      case START_ARRAY -> {
        List<YamlNode> items = new ArrayList<>();
        int index = 0;
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          items.add(read(parser, new ConfigLocation(here.file(), line(parser), here.key() + "[" + index++ + "]")));
        }
        return new YamlNode(Kind.SEQUENCE, here, Map.of(), List.copyOf(items), null);
      }
      case VALUE_NULL -> {
        return new YamlNode(Kind.NULL, here, Map.of(), List.of(), null);
      }
      default -> {
        return new YamlNode(Kind.SCALAR, here, Map.of(), List.of(), parser.getText());
      }
    }
  }

  private static int line(JsonParser parser) {
    return parser.currentTokenLocation().getLineNr();
  }

  Kind kind() {
    return kind;
  }

  ConfigLocation location() {
    return location;
  }

  /** The entries of a mapping, in file order; an error naming the key if this is not a mapping. */
  Map<String, YamlNode> entries() {
    if (kind != Kind.MAPPING) {
      throw new ConfigException(location, "expected a mapping of keys to values, found " + describe());
    }
    return entries;
  }

  /** The text of a scalar; an error naming the key if this is not one. */
  String text() {
    if (kind != Kind.SCALAR || text.isBlank()) {
      throw new ConfigException(location, "expected a value, found " + describe());
    }
    return text;
  }

  /** Fails with an error naming any key of this mapping that is not allowed, and the allowed ones. */
  void requireOnly(List<String> allowed) {
    for (Map.Entry<String, YamlNode> entry : entries().entrySet()) {
      if (!allowed.contains(entry.getKey())) {
        throw new ConfigException(entry.getValue().location, "unknown key; valid keys here: " + String.join(", ", allowed));
      }
    }
  }

  /** The child node under a key; an error naming the key when it is missing. */
  YamlNode required(String key) {
    return optional(key).orElseThrow(() -> new ConfigException(location, "the key '" + key + "' is missing"));
  }

  /** The child node under a key, empty when the key is missing or its value is null. */
  Optional<YamlNode> optional(String key) {
    YamlNode child = entries().get(key);
    return child == null || child.kind == Kind.NULL ? Optional.empty() : Optional.of(child);
  }

  private String describe() {
    return switch (kind) {
      case MAPPING -> "a mapping";
      case SEQUENCE -> "a list";
      case NULL -> "nothing";
      case SCALAR -> text.isBlank() ? "an empty value" : "'" + text + "'";
    };
  }
}
