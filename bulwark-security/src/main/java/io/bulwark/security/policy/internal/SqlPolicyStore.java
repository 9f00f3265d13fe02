package io.bulwark.security.policy.internal;

import io.bulwark.core.Digests;
import io.bulwark.security.policy.PolicyStore;
import io.bulwark.security.policy.PolicyVersion;
import io.bulwark.storage.Database;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Policy versions in table {@code policy_versions}: insert-only. A new version is validated and
 * compiled before the write transaction, numbered inside it, and installed in the engine after it
 * commits, so the engine never runs a version that is not stored.
 */
final class SqlPolicyStore implements PolicyStore {
  private final Database database;
  private final CedarPolicyEngine engine;

  SqlPolicyStore(Database database, CedarPolicyEngine engine, PolicyVersion defaults) {
    this.database = database;
    this.engine = engine;
    database.writeAll(
        c -> {
          if (newest(c) == 0) {
            insert(c, defaults);
          }
        });
    reload();
  }

  @Override
  public PolicyVersion current() {
    return database.read(
        c -> {
          try (PreparedStatement st =
              c.prepareStatement(
                  "SELECT version, text, created_at, created_by, comment FROM policy_versions"
                      + " ORDER BY version DESC LIMIT 1")) {
            try (ResultSet rs = st.executeQuery()) {
              if (!rs.next()) {
                throw new IllegalStateException("no policy version stored");
              }
              return row(rs);
            }
          }
        });
  }

  @Override
  public List<PolicyVersion> history() {
    return database.read(
        c -> {
          List<PolicyVersion> out = new ArrayList<>();
          try (PreparedStatement st =
              c.prepareStatement(
                  "SELECT version, text, created_at, created_by, comment FROM policy_versions"
                      + " ORDER BY version")) {
            try (ResultSet rs = st.executeQuery()) {
              while (rs.next()) {
                out.add(row(rs));
              }
            }
          }
          return out;
        });
  }

  @Override
  public PolicyVersion set(String text, String actor, String comment) {
    CedarPolicyCompiler.Compiled compiled = engine.compiler().compile(text);
    Instant now = Instant.now();
    PolicyVersion stored =
        database.write(
            c -> {
              PolicyVersion v = new PolicyVersion(newest(c) + 1, text, now, actor, comment);
              insert(c, v);
              return v;
            });
    engine.install(stored, compiled);
    return stored;
  }

  @Override
  public PolicyVersion reload() {
    PolicyVersion newest = current();
    if (newest.version() > engine.policy().version()) {
      engine.install(newest);
    }
    return engine.policy();
  }

  private static long newest(Connection c) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("SELECT MAX(version) FROM policy_versions");
        ResultSet rs = st.executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  private static void insert(Connection c, PolicyVersion v) throws SQLException {
    try (PreparedStatement st =
        c.prepareStatement(
            "INSERT INTO policy_versions (version, text, sha256, created_at, created_by, comment)"
                + " VALUES (?, ?, ?, ?, ?, ?)")) {
      st.setLong(1, v.version());
      st.setString(2, v.text());
      st.setString(3, sha256(v.text()));
      st.setString(4, v.createdAt().toString());
      st.setString(5, v.createdBy());
      st.setString(6, v.comment());
      st.executeUpdate();
    }
  }

  private static PolicyVersion row(ResultSet rs) throws SQLException {
    return new PolicyVersion(
        rs.getLong(1),
        rs.getString(2),
        Instant.parse(rs.getString(3)),
        rs.getString(4),
        rs.getString(5));
  }

  private static String sha256(String text) {
    return Digests.sha256Hex(text.getBytes(StandardCharsets.UTF_8));
  }
}
