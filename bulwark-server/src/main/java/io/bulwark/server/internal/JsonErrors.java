package io.bulwark.server.internal;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.bulwark.core.Strings;
import java.io.IOException;

/** Turns Jackson failures into short, client-safe descriptions without input excerpts. */
final class JsonErrors {
  private JsonErrors() {}

  static String describe(IOException e) {
    if (e instanceof StreamConstraintsException) {
      return "document exceeds a parser limit (nesting depth, string or number length)";
    }
    if (e instanceof UnrecognizedPropertyException u) {
      return "unknown field '" + Strings.printable(u.getPropertyName()) + "'";
    }
    if (e instanceof InvalidFormatException f) {
      return "field " + path(f) + " has an invalid value";
    }
    if (e instanceof MismatchedInputException m) {
      return "field " + path(m) + " is missing or has the wrong type";
    }
    if (e instanceof JsonProcessingException p) {
      JsonLocation loc = p.getLocation();
      String where =
          loc == null ? "" : " at line " + loc.getLineNr() + " column " + loc.getColumnNr();
      return "malformed JSON" + where;
    }
    return "unreadable body";
  }

  private static String path(MismatchedInputException e) {
    StringBuilder sb = new StringBuilder();
    for (var ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(Strings.printable(ref.getFieldName()));
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.length() == 0 ? "(root)" : "'" + sb + "'";
  }
}
