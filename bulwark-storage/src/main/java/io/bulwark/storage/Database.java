package io.bulwark.storage;

import io.bulwark.core.SecureFiles;
import io.bulwark.core.UnavailableException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.locks.ReentrantLock;
import org.flywaydb.core.Flyway;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The embedded SQLite database, migrated to the newest schema when opened.
 *
 * <p>SQLite allows one writer at a time; {@link #write} serialises writers in this process so that
 * they queue here instead of failing with {@code SQLITE_BUSY}. Reads run concurrently (the database
 * is in WAL mode). Every write transaction is durable when {@link #write} returns ({@code
 * synchronous=FULL}).
 */
public final class Database implements AutoCloseable {
  /** The file name of the database inside the data directory. */
  public static final String FILE_NAME = "bulwark.db";

  private final SQLiteDataSource dataSource;
  private final ReentrantLock writeLock = new ReentrantLock(true);

  private Database(SQLiteDataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * Opens (creating if absent) the database file in {@code dataDirectory} and applies pending
   * migrations. The file is created owner-only.
   */
  public static Database open(Path dataDirectory) throws IOException {
    Path file = dataDirectory.resolve(FILE_NAME);
    if (!Files.exists(file)) {
      SecureFiles.writePrivate(file, new byte[0], false);
    }
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    config.enforceForeignKeys(true);
    config.setBusyTimeout(10_000);
    // Deleted or overwritten content is zeroed, not left in free pages: retiring a model version
    // destroys its wrapped data key for real (crypto-shredding).
    config.setPragma(SQLiteConfig.Pragma.SECURE_DELETE, "true");
    SQLiteDataSource ds = new SQLiteDataSource(config);
    ds.setUrl("jdbc:sqlite:" + file.toAbsolutePath());
    Flyway.configure()
        .dataSource(ds)
        .locations("classpath:io/bulwark/storage/migration")
        .failOnMissingLocations(true)
        .validateMigrationNaming(true)
        .load()
        .migrate();
    return new Database(ds);
  }

  /** Runs {@code work} on a fresh connection (reads; autocommit). */
  public <T> T read(SqlFunction<T> work) {
    try (Connection c = dataSource.getConnection()) {
      return work.apply(c);
    } catch (SQLException e) {
      throw new UnavailableException("database unavailable", e);
    }
  }

  /**
   * Runs {@code work} in one write transaction: committed if it returns, rolled back if it throws.
   * Exceptions other than {@link SQLException} pass through unchanged.
   */
  public <T> T write(SqlFunction<T> work) {
    writeLock.lock();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = work.apply(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new UnavailableException("database unavailable", e);
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * Copies the write-ahead log into the database file and truncates it, so that page images holding
   * overwritten data (a destroyed key) no longer exist in the log.
   */
  public void checkpoint() {
    writeAll(
        c -> {
          try (var st = c.createStatement()) {
            st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
          }
        });
  }

  /** Like {@link #write} for work that returns nothing. */
  public void writeAll(SqlWork work) {
    write(
        c -> {
          work.run(c);
          return Boolean.TRUE;
        });
  }

  /** Like {@link #read} for work that returns nothing. */
  public void readAll(SqlWork work) {
    read(
        c -> {
          work.run(c);
          return Boolean.TRUE;
        });
  }

  @Override
  public void close() {
    // Connections are opened per call and closed by it; nothing is pooled.
  }

  /** A unit of database work without a result. */
  @FunctionalInterface
  public interface SqlWork {
    void run(Connection connection) throws SQLException;
  }

  /** A unit of database work. */
  @FunctionalInterface
  public interface SqlFunction<T> {
    T apply(Connection connection) throws SQLException;
  }
}
