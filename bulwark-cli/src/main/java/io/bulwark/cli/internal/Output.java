package io.bulwark.cli.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Human-readable output: aligned tables and fields read leniently from server JSON. */
final class Output {
  /** Longest cell in a table; longer values (free-text names) are cut off. */
  private static final int MAX_CELL_CHARS = 128;

  private Output() {}

  /**
   * The text of {@code node.field}, made safe to print; {@code "-"} when absent or null. Arrays are
   * joined with commas.
   */
  static String field(JsonNode node, String field) {
    JsonNode value = node.path(field);
    if (value.isMissingNode() || value.isNull()) {
      return "-";
    }
    if (value.isArray()) {
      List<String> parts = new ArrayList<>();
      for (JsonNode element : value) {
        parts.add(element.isValueNode() ? element.asText() : element.toString());
      }
      return parts.isEmpty() ? "-" : Terminal.safe(String.join(",", parts), MAX_CELL_CHARS);
    }
    return Terminal.safe(value.isValueNode() ? value.asText() : value.toString(), MAX_CELL_CHARS);
  }

  /**
   * Prints one row per element of {@code items}, or {@code whenEmpty} if there is none. {@code
   * columns} alternates a header and the JSON field its cells show.
   */
  static void fieldTable(PrintStream out, JsonNode items, String whenEmpty, String... columns) {
    if (columns.length % 2 != 0) {
      throw new IllegalArgumentException("columns come in header/field pairs");
    }
    List<String> headers = new ArrayList<>();
    for (int i = 0; i < columns.length; i += 2) {
      headers.add(columns[i]);
    }
    List<List<String>> rows = new ArrayList<>();
    for (JsonNode item : items) {
      List<String> row = new ArrayList<>();
      for (int i = 1; i < columns.length; i += 2) {
        row.add(field(item, columns[i]));
      }
      rows.add(row);
    }
    if (rows.isEmpty()) {
      out.println(whenEmpty);
    } else {
      table(out, headers, rows);
    }
  }

  /** Prints {@code rows} under {@code headers}, each column as wide as its widest cell. */
  static void table(PrintStream out, List<String> headers, List<List<String>> rows) {
    int[] widths = new int[headers.size()];
    for (int i = 0; i < widths.length; i++) {
      widths[i] = headers.get(i).length();
    }
    for (List<String> row : rows) {
      for (int i = 0; i < widths.length; i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    printRow(out, headers, widths);
    for (List<String> row : rows) {
      printRow(out, row, widths);
    }
  }

  private static void printRow(PrintStream out, List<String> cells, int[] widths) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < widths.length; i++) {
      String cell = cells.get(i);
      line.append(cell);
      if (i < widths.length - 1) {
        line.append(" ".repeat(widths[i] - cell.length() + 2));
      }
    }
    out.println(line);
  }

  /** {@code bytes} in binary units: {@code 512 B}, {@code 1.5 KiB}, {@code 3.2 GiB}. */
  static String bytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }

  /** The size field of a version as bytes in binary units, or {@code "-"}. */
  static String size(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.canConvertToLong() ? bytes(value.asLong()) : "-";
  }
}
