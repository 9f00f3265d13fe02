package io.bulwark.cli.internal;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Optional;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/** Turns JDK exceptions into short messages a user can act on, without stack traces. */
final class Failures {
  /** Cause chains are walked this deep at most; a cycle must not hang the error path. */
  private static final int MAX_CAUSES = 32;

  private Failures() {}

  /** What went wrong in {@code e}, without naming the file or host (callers name it). */
  static String describe(Throwable e) {
    if (e instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NotDirectoryException) {
      return "not a directory";
    }
    if (e instanceof FileSystemException fs && fs.getReason() != null) {
      return Terminal.safe(fs.getReason());
    }
    if (e instanceof HttpConnectTimeoutException) {
      return "connection timed out";
    }
    if (e instanceof HttpTimeoutException) {
      return "no response before the timeout (--timeout)";
    }
    Optional<Throwable> unresolved = find(e, UnresolvedAddressException.class);
    if (unresolved.isPresent() || find(e, UnknownHostException.class).isPresent()) {
      return "unknown host";
    }
    Optional<Throwable> bind = find(e, BindException.class);
    if (bind.isPresent()) {
      return message(bind.get());
    }
    if (find(e, ConnectException.class).isPresent()) {
      return "connection refused (is the server running?)";
    }
    Optional<Throwable> tls = find(e, SSLException.class);
    if (tls.isPresent()) {
      return "TLS failed: " + message(deepest(tls.get()));
    }
    return message(e);
  }

  /** The first exception of type {@code type} in the cause chain of {@code e}. */
  static Optional<Throwable> find(Throwable e, Class<? extends Throwable> type) {
    int depth = 0;
    for (Throwable t = e; t != null && depth < MAX_CAUSES; t = t.getCause(), depth++) {
      if (type.isInstance(t)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  /** The innermost cause with a message, which for TLS is the one naming the actual problem. */
  static Throwable deepest(Throwable e) {
    Throwable result = e;
    int depth = 0;
    for (Throwable t = e; t != null && depth < MAX_CAUSES; t = t.getCause(), depth++) {
      if (t.getMessage() != null) {
        result = t;
      }
    }
    return result;
  }

  /** The message of {@code e}, or its class name when it has none. */
  static String message(Throwable e) {
    @Nullable String message = e.getMessage();
    return message == null || message.isBlank()
        ? e.getClass().getSimpleName()
        : Terminal.safe(message);
  }

  /** A message for an I/O failure on some file, naming the file when the exception does. */
  static String io(IOException e) {
    if (e instanceof FileSystemException fs && fs.getFile() != null) {
      return Terminal.safe(fs.getFile()) + ": " + describe(e);
    }
    return describe(e);
  }
}
