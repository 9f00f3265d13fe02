package io.bulwark.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.SecureFiles;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseTest {
  @TempDir Path dir;

  @Test
  void open_emptyDirectory_createsOwnerOnlyFileWithSchema() throws Exception {
    try (Database db = Database.open(dir)) {
      int tables =
          db.read(
              c -> {
                try (Statement s = c.createStatement();
                    ResultSet rs =
                        s.executeQuery(
                            "SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN"
                                + " ('models','model_versions','deployments','api_keys')")) {
                  rs.next();
                  return rs.getInt(1);
                }
              });
      assertThat(tables).isEqualTo(4);
    }
    assertThat(SecureFiles.isExposed(dir.resolve(Database.FILE_NAME))).isFalse();
  }

  @Test
  void open_twice_keepsData() throws Exception {
    try (Database db = Database.open(dir)) {
      db.write(
          c -> {
            try (Statement s = c.createStatement()) {
              return s.executeUpdate(
                  "INSERT INTO models(name, created_at, created_by) VALUES ('m','t','a')");
            }
          });
    }
    try (Database db = Database.open(dir)) {
      int n =
          db.read(
              c -> {
                try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*) FROM models")) {
                  rs.next();
                  return rs.getInt(1);
                }
              });
      assertThat(n).isEqualTo(1);
    }
  }

  @Test
  void write_throwingWork_rollsBack() throws Exception {
    try (Database db = Database.open(dir)) {
      assertThatThrownBy(
              () ->
                  db.write(
                      c -> {
                        try (Statement s = c.createStatement()) {
                          s.executeUpdate(
                              "INSERT INTO models(name, created_at, created_by) VALUES"
                                  + " ('m','t','a')");
                        }
                        throw new IllegalStateException("boom");
                      }))
          .isInstanceOf(IllegalStateException.class);
      int n =
          db.read(
              c -> {
                try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*) FROM models")) {
                  rs.next();
                  return rs.getInt(1);
                }
              });
      assertThat(n).isZero();
    }
  }
}
