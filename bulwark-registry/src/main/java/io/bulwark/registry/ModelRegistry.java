package io.bulwark.registry;

import io.bulwark.core.ConflictException;
import io.bulwark.core.Digests;
import io.bulwark.core.ForbiddenException;
import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.LimitExceededException;
import io.bulwark.core.ModelNames;
import io.bulwark.core.NotFoundException;
import io.bulwark.core.SecureFiles;
import io.bulwark.crypto.ArtifactIntegrityException;
import io.bulwark.crypto.ArtifactSealer;
import io.bulwark.crypto.SealingOutputStream;
import io.bulwark.crypto.WrappedKey;
import io.bulwark.storage.Database;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.jspecify.annotations.Nullable;

/**
 * Stores model versions sealed at rest and records deployments.
 *
 * <p>Each artifact is encrypted as it streams in, under a data key of its own; the plaintext never
 * touches disk. The ciphertext's associated data binds the model name and version, and the wrap of
 * the data key binds name, version, format and the plaintext SHA-256, so a blob copied onto another
 * version, or a changed byte, fails to open. Blobs are named by the SHA-256 of their ciphertext and
 * never change once written.
 */
public final class ModelRegistry {
  /**
   * The only format that can be deployed; versions of other formats are kept, scanned and signed,
   * for download.
   */
  public static final String SERVABLE_FORMAT = "onnx";

  private static final HexFormat HEX = HexFormat.of();
  private static final int COPY_BUFFER = 64 * 1024;

  private final Database db;
  private final Path blobs;
  private final ArtifactSealer sealer;
  private final Clock clock;
  // Pushes hold it shared from the moment their data key is wrapped until the version row is
  // written; key rotation holds it exclusively, so that no data key can be wrapped by a
  // key-encryption key version that rotation has already counted out.
  private final ReentrantReadWriteLock keyChanges = new ReentrantReadWriteLock();

  private ModelRegistry(Database db, Path blobs, ArtifactSealer sealer, Clock clock) {
    this.db = db;
    this.blobs = blobs;
    this.sealer = sealer;
    this.clock = clock;
  }

  /**
   * Opens the registry over {@code db}, keeping sealed blobs in {@code blobDirectory} (created
   * owner-only). Leftovers of pushes interrupted by a crash are removed.
   */
  public static ModelRegistry open(
      Database db, Path blobDirectory, ArtifactSealer sealer, Clock clock) throws IOException {
    SecureFiles.createPrivateDirectory(blobDirectory);
    try (var leftovers = Files.newDirectoryStream(blobDirectory, ".incoming-*")) {
      for (Path p : leftovers) {
        Files.deleteIfExists(p);
      }
    }
    return new ModelRegistry(db, blobDirectory, sealer, clock);
  }

  /**
   * Adds a model version from {@code content}, which is read to its end (or until it exceeds {@code
   * request.maxBytes()}). Nothing is stored unless sealing, re-opening and the inspector all
   * succeed.
   *
   * @throws ConflictException if the version exists
   * @throws LimitExceededException if the content is larger than allowed
   * @throws io.bulwark.core.InvalidRequestException if the inspector refuses the artifact
   */
  public ModelVersion push(PushRequest request, InputStream content, ArtifactInspector inspector)
      throws IOException {
    String name = request.name();
    String version = request.version();
    if (findVersion(name, version).isPresent()) {
      throw new ConflictException("model '" + name + "' version '" + version + "' already exists");
    }
    ModelCard card = request.card();
    String parent = card == null ? null : card.parentVersion();
    if (parent != null && findVersion(name, parent).isEmpty()) {
      throw new InvalidRequestException(
          "model card: parent_version '" + parent + "' of model '" + name + "' does not exist");
    }
    keyChanges.readLock().lock();
    try {
      return pushLocked(request, content, inspector);
    } finally {
      keyChanges.readLock().unlock();
    }
  }

  private ModelVersion pushLocked(
      PushRequest request, InputStream content, ArtifactInspector inspector) throws IOException {
    String name = request.name();
    String version = request.version();
    ModelCard card = request.card();
    Path incoming =
        Files.createTempFile(
            blobs,
            ".incoming-",
            ".sealed",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      MessageDigest plainDigest = sha256();
      MessageDigest cipherDigest = sha256();
      long size;
      WrappedKey key;
      String sha256;
      try (OutputStream file = Files.newOutputStream(incoming, StandardOpenOption.WRITE);
          DigestOutputStream hashedFile = new DigestOutputStream(file, cipherDigest)) {
        SealingOutputStream sealing = sealer.seal(hashedFile, artifactAad(name, version));
        size = copyLimited(content, sealing, plainDigest, request.maxBytes());
        sealing.close();
        sha256 = HEX.formatHex(plainDigest.digest());
        key = sealing.wrappedKey(keyAad(name, version, request.format(), sha256));
      }
      fsync(incoming);

      byte[] plaintext = openBlob(incoming, name, version, request.format(), sha256, key, size);
      Admission admission;
      try {
        admission = inspector.inspect(plaintext, sha256);
      } finally {
        java.util.Arrays.fill(plaintext, (byte) 0);
      }

      String blobName = HEX.formatHex(cipherDigest.digest()) + ".sealed";
      Path blob = blobs.resolve(blobName);
      Files.move(incoming, blob, StandardCopyOption.ATOMIC_MOVE);
      fsync(blobs);
      Instant now = clock.instant();
      ModelVersion created =
          new ModelVersion(
              name,
              version,
              request.format(),
              sha256,
              size,
              admission.metadata(),
              now,
              request.actor(),
              VersionState.DRAFT,
              null,
              null,
              card,
              admission.signer(),
              request.signed(),
              admission.scanVerdict());
      try {
        insertVersion(created, blobName, key, request.signed() ? request.signature() : null);
      } catch (RuntimeException e) {
        Files.deleteIfExists(blob);
        throw e;
      }
      return created;
    } catch (GeneralSecurityException e) {
      throw new IOException("sealing the artifact failed", e);
    } finally {
      Files.deleteIfExists(incoming);
    }
  }

  /**
   * Reads, authenticates and decrypts a version's artifact into memory, and checks it against the
   * digest recorded at push.
   *
   * @throws NotFoundException if the version does not exist
   * @throws ArtifactIntegrityException if the stored blob is missing, altered, truncated or belongs
   *     to another version
   */
  public byte[] open(String name, String version) throws ArtifactIntegrityException, IOException {
    StoredVersion stored =
        findStored(name, version).orElseThrow(() -> new NotFoundException("model", name));
    ModelVersion v = stored.version();
    if (v.state() == VersionState.RETIRED) {
      throw new ConflictException(
          "model '" + name + "' version '" + version + "' is retired; its key was destroyed");
    }
    WrappedKey key = stored.key();
    if (key == null) {
      throw new ArtifactIntegrityException(
          "model '" + name + "' version '" + version + "' has no data key");
    }
    Path blob = blobs.resolve(stored.blob());
    try {
      return openBlob(blob, name, version, v.format(), v.sha256(), key, v.sizeBytes());
    } catch (NoSuchFileException e) {
      throw new ArtifactIntegrityException(
          "the stored artifact of model '" + name + "' version '" + version + "' is missing");
    }
  }

  private byte[] openBlob(
      Path blob,
      String name,
      String version,
      String format,
      String sha256,
      WrappedKey key,
      long expectedSize)
      throws IOException, ArtifactIntegrityException {
    // One pass: the plaintext is decrypted into an array of the recorded size and each
    // authenticated range is digested on a second thread while the next one is decrypted, instead
    // of the whole being collected, copied and read again. The digest is compared before the bytes
    // leave the registry. Deferring that comparison into the caller, to overlap it with ONNX
    // Runtime's session creation, would gain nothing: decrypting takes at least as long as hashing
    // (about 75 against 70 ms of CPU for 86 MiB), so on two free cores the digest is done when the
    // decryption is.
    PipelinedSha256 digest = PipelinedSha256.start();
    byte[] plaintext;
    try (InputStream in = Files.newInputStream(blob)) {
      plaintext =
          sealer.openExactly(
              in,
              key,
              artifactAad(name, version),
              keyAad(name, version, format, sha256),
              expectedSize,
              digest);
    } catch (ArtifactIntegrityException e) {
      throw switch (e.reason()) {
        case LONGER_THAN_RECORDED ->
            new ArtifactIntegrityException(
                "the stored artifact of model '" + name + "' version '" + version + "' has grown");
        case SHORTER_THAN_RECORDED -> digestMismatch(name, version);
        case NOT_AUTHENTIC ->
            new ArtifactIntegrityException(
                "the stored artifact of model '"
                    + name
                    + "' version '"
                    + version
                    + "' failed its integrity check: "
                    + e.getMessage());
      };
    } finally {
      digest.finish();
    }
    boolean verified = false;
    try {
      verified = MessageDigest.isEqual(digest.await(), HEX.parseHex(sha256));
    } finally {
      // Bytes that did not prove to be the recorded ones leave no copy behind, whatever failed.
      if (!verified) {
        java.util.Arrays.fill(plaintext, (byte) 0);
      }
    }
    if (!verified) {
      throw digestMismatch(name, version);
    }
    return plaintext;
  }

  private static ArtifactIntegrityException digestMismatch(String name, String version) {
    return new ArtifactIntegrityException(
        "the stored artifact of model '"
            + name
            + "' version '"
            + version
            + "' does not match its recorded digest");
  }

  /** Every model, by name. */
  public List<ModelSummary> list() {
    return db.read(
        c -> {
          List<ModelSummary> out = new ArrayList<>();
          try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT m.name, d.version, (SELECT count(*) FROM model_versions v WHERE"
                          + " v.model_name = m.name) FROM models m LEFT JOIN deployments d ON"
                          + " d.model_name = m.name ORDER BY m.name");
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.add(new ModelSummary(rs.getString(1), rs.getString(2), rs.getInt(3)));
            }
          }
          return out;
        });
  }

  /** The versions of a model, oldest first. */
  public List<ModelVersion> versions(String name) {
    ModelNames.checkName(name);
    List<ModelVersion> out =
        db.read(
            c -> {
              List<ModelVersion> vs = new ArrayList<>();
              try (PreparedStatement ps =
                  c.prepareStatement(
                      SELECT_VERSION + " WHERE model_name = ? ORDER BY created_at, version")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                  while (rs.next()) {
                    vs.add(readStored(rs).version());
                  }
                }
              }
              return vs;
            });
    if (out.isEmpty()) {
      throw new NotFoundException("model", name);
    }
    return out;
  }

  /** One version. */
  public ModelVersion version(String name, String version) {
    return findVersion(name, version)
        .orElseThrow(() -> new NotFoundException("model version", name + "/" + version));
  }

  public Optional<ModelVersion> findVersion(String name, String version) {
    return findStored(name, version).map(StoredVersion::version);
  }

  /**
   * Returns the version if it may be deployed.
   *
   * @throws NotFoundException if it does not exist
   * @throws ConflictException unless it is approved and of a format that can be served ({@value
   *     #SERVABLE_FORMAT})
   */
  public ModelVersion requireDeployable(String name, String version) {
    ModelVersion v = version(name, version);
    if (!v.format().equals(SERVABLE_FORMAT)) {
      throw new ConflictException(
          "model '"
              + name
              + "' version '"
              + version
              + "': format "
              + v.format()
              + " cannot be served; only "
              + SERVABLE_FORMAT
              + " versions deploy");
    }
    if (v.state() != VersionState.APPROVED) {
      throw new ConflictException(
          "model '"
              + name
              + "' version '"
              + version
              + "' is "
              + v.state().wireName()
              + "; only approved versions can be deployed");
    }
    return v;
  }

  /**
   * Records {@code version} as the deployed version of {@code name}, replacing any other.
   *
   * @param action recorded in the event table: {@code deploy} or {@code rollback}
   * @throws ConflictException unless the version is approved
   */
  public Deployment deploy(
      String name, String version, String actor, String action, @Nullable String reason) {
    requireDeployable(name, version);
    Deployment d = new Deployment(name, version, clock.instant(), actor);
    db.writeAll(
        c -> {
          requireStillApproved(c, name, version);
          recordEvent(c, name, version, action, actor, reason, d.deployedAt());
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO deployment_history(model_name, version, deployed_at, deployed_by)"
                      + " VALUES (?,?,?,?)")) {
            ps.setString(1, name);
            ps.setString(2, version);
            ps.setString(3, d.deployedAt().toString());
            ps.setString(4, actor);
            ps.executeUpdate();
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO deployments(model_name, version, deployed_at, deployed_by) VALUES"
                      + " (?,?,?,?) ON CONFLICT(model_name) DO UPDATE SET version ="
                      + " excluded.version, deployed_at = excluded.deployed_at, deployed_by ="
                      + " excluded.deployed_by, canary_version = NULL, canary_percent = NULL,"
                      + " canary_since = NULL, canary_by = NULL")) {
            ps.setString(1, name);
            ps.setString(2, version);
            ps.setString(3, d.deployedAt().toString());
            ps.setString(4, actor);
            ps.executeUpdate();
          }
        });
    return d;
  }

  /**
   * Removes the deployment of {@code name}.
   *
   * @return the deployment that was removed
   * @throws NotFoundException if nothing was deployed
   */
  public Deployment undeploy(String name, String actor, @Nullable String reason) {
    Deployment current =
        deployment(name).orElseThrow(() -> new NotFoundException("deployment", name));
    db.writeAll(
        c -> {
          recordEvent(c, name, current.version(), "undeploy", actor, reason, clock.instant());
          try (PreparedStatement ps =
              c.prepareStatement("DELETE FROM deployments WHERE model_name = ?")) {
            ps.setString(1, name);
            ps.executeUpdate();
          }
        });
    return current;
  }

  /**
   * Starts a canary: {@code version} serves {@code percent} of callers beside the deployed version.
   * Replaces a canary already running.
   *
   * @throws NotFoundException if nothing is deployed
   * @throws ConflictException unless the version is approved and differs from the deployed one
   */
  public Deployment startCanary(
      String name, String version, int percent, String actor, @Nullable String reason) {
    requireDeployable(name, version);
    Deployment current =
        deployment(name).orElseThrow(() -> new NotFoundException("deployment", name));
    if (current.version().equals(version)) {
      throw new ConflictException(
          "model '" + name + "' version '" + version + "' is already the deployed version");
    }
    Deployment.Canary canary = new Deployment.Canary(version, percent, clock.instant(), actor);
    db.writeAll(
        c -> {
          requireStillApproved(c, name, version);
          recordEvent(
              c, name, version, "canary", actor, canaryReason(percent, reason), canary.since());
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE deployments SET canary_version = ?, canary_percent = ?, canary_since ="
                      + " ?, canary_by = ? WHERE model_name = ? AND version = ?")) {
            ps.setString(1, version);
            ps.setInt(2, percent);
            ps.setString(3, canary.since().toString());
            ps.setString(4, actor);
            ps.setString(5, name);
            ps.setString(6, current.version());
            if (ps.executeUpdate() != 1) {
              throw new ConflictException(
                  "the deployment of model '" + name + "' changed meanwhile");
            }
          }
        });
    return new Deployment(
        name, current.version(), current.deployedAt(), current.deployedBy(), canary);
  }

  /** Inside a write transaction: the version is still approved (not retired meanwhile). */
  private static void requireStillApproved(Connection c, String name, String version)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT state FROM model_versions WHERE model_name = ? AND version = ?")) {
      ps.setString(1, name);
      ps.setString(2, version);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next() || !"approved".equals(rs.getString(1))) {
          throw new ConflictException(
              "model '" + name + "' version '" + version + "' changed meanwhile");
        }
      }
    }
  }

  private static String canaryReason(int percent, @Nullable String reason) {
    return percent + "% of callers" + (reason == null ? "" : "; " + reason);
  }

  /**
   * Ends the canary of {@code name} without promoting it: every caller goes back to the deployed
   * version.
   *
   * @param action recorded in the event table, for example {@code rollback}
   * @throws NotFoundException if no canary is running
   */
  public Deployment endCanary(String name, String actor, String action, @Nullable String reason) {
    Deployment current =
        deployment(name).orElseThrow(() -> new NotFoundException("deployment", name));
    Deployment.Canary canary = current.canary();
    if (canary == null) {
      throw new NotFoundException("canary of model", name);
    }
    db.writeAll(
        c -> {
          recordEvent(c, name, canary.version(), action, actor, reason, clock.instant());
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE deployments SET canary_version = NULL, canary_percent = NULL,"
                      + " canary_since = NULL, canary_by = NULL WHERE model_name = ? AND"
                      + " canary_version = ?")) {
            ps.setString(1, name);
            ps.setString(2, canary.version());
            if (ps.executeUpdate() != 1) {
              throw new ConflictException("the canary of model '" + name + "' changed meanwhile");
            }
          }
        });
    return new Deployment(name, current.version(), current.deployedAt(), current.deployedBy());
  }

  /** The versions that became the deployed version of {@code name}, oldest first. */
  public List<DeploymentRecord> deploymentHistory(String name) {
    ModelNames.checkName(name);
    return db.read(
        c -> {
          List<DeploymentRecord> out = new ArrayList<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT seq, version, deployed_at, deployed_by FROM deployment_history WHERE"
                      + " model_name = ? ORDER BY seq")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(
                    new DeploymentRecord(
                        rs.getLong(1),
                        rs.getString(2),
                        Instant.parse(rs.getString(3)),
                        rs.getString(4)));
              }
            }
          }
          return out;
        });
  }

  /**
   * The signature bundle stored with a version, if it was pushed with one.
   *
   * @throws NotFoundException if the version does not exist
   */
  public Optional<byte[]> signature(String name, String version) {
    version(name, version);
    return db.read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT signature FROM model_versions WHERE model_name = ? AND version = ?")) {
            ps.setString(1, name);
            ps.setString(2, version);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? Optional.ofNullable(rs.getBytes(1)) : Optional.<byte[]>empty();
            }
          }
        });
  }

  /**
   * Approves a draft version.
   *
   * @throws ForbiddenException if {@code actor} published the version (separation of duties)
   * @throws ConflictException if the version is not a draft
   */
  public ModelVersion approve(String name, String version, String actor, @Nullable String reason) {
    ModelVersion v = version(name, version);
    if (v.createdBy().equals(actor)) {
      throw new ForbiddenException(
          "separation of duties: the publisher of a version cannot approve it");
    }
    if (v.state() != VersionState.DRAFT) {
      throw new ConflictException(
          "model '" + name + "' version '" + version + "' is " + v.state().wireName());
    }
    Instant now = clock.instant();
    db.writeAll(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE model_versions SET state = 'approved', approved_by = ?, approved_at = ?"
                      + " WHERE model_name = ? AND version = ? AND state = 'draft'")) {
            ps.setString(1, actor);
            ps.setString(2, now.toString());
            ps.setString(3, name);
            ps.setString(4, version);
            if (ps.executeUpdate() != 1) {
              throw new ConflictException(
                  "model '" + name + "' version '" + version + "' changed meanwhile");
            }
          }
          recordEvent(c, name, version, "approve", actor, reason, now);
        });
    return version(name, version);
  }

  /**
   * The version to roll back to: the most recently deployed version before the current one that is
   * still approved.
   */
  public Optional<String> rollbackTarget(String name) {
    String current = deployment(name).map(Deployment::version).orElse(null);
    List<String> history =
        db.read(
            c -> {
              List<String> out = new ArrayList<>();
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT h.version FROM deployment_history h JOIN model_versions v ON"
                          + " v.model_name = h.model_name AND v.version = h.version WHERE"
                          + " h.model_name = ? AND v.state = 'approved' ORDER BY h.seq DESC")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                  while (rs.next()) {
                    out.add(rs.getString(1));
                  }
                }
              }
              return out;
            });
    return history.stream().filter(v -> !v.equals(current)).findFirst();
  }

  /**
   * Retires a version for good: its wrapped data key is destroyed and its sealed blob deleted, so
   * no one, whatever keys they hold, can decrypt a copy of the blob made earlier.
   *
   * @throws ConflictException if the version is deployed
   */
  public ModelVersion retire(String name, String version, String actor, @Nullable String reason)
      throws IOException {
    StoredVersion stored =
        findStored(name, version)
            .orElseThrow(() -> new NotFoundException("model version", name + "/" + version));
    if (deployment(name).filter(d -> d.servesVersion(version)).isPresent()) {
      throw new ConflictException(
          "model '" + name + "' version '" + version + "' is deployed; deploy another first");
    }
    if (stored.version().state() == VersionState.RETIRED) {
      return stored.version();
    }
    Instant now = clock.instant();
    db.writeAll(
        c -> {
          // Checked again inside the transaction: a deploy racing this retire either commits
          // first (and this refuses) or sees the version retired (and refuses itself).
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT 1 FROM deployments WHERE model_name = ? AND (version = ? OR"
                      + " canary_version = ?)")) {
            ps.setString(1, name);
            ps.setString(2, version);
            ps.setString(3, version);
            try (ResultSet rs = ps.executeQuery()) {
              if (rs.next()) {
                throw new ConflictException(
                    "model '"
                        + name
                        + "' version '"
                        + version
                        + "' is deployed; deploy another first");
              }
            }
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE model_versions SET state = 'retired', wrapped_key = ? WHERE model_name"
                      + " = ? AND version = ?")) {
            ps.setBytes(1, new byte[0]);
            ps.setString(2, name);
            ps.setString(3, version);
            ps.executeUpdate();
          }
          recordEvent(c, name, version, "retire", actor, reason, now);
        });
    db.checkpoint();
    Files.deleteIfExists(blobs.resolve(stored.blob()));
    fsync(blobs);
    return version(name, version);
  }

  /**
   * Re-wraps the data key of every version that still has one (retired versions have none) under
   * {@code currentKekId}, the key-encryption key's primary: online, one version at a time, without
   * reading or changing any sealed artifact. A version opened meanwhile uses whichever wrapped key
   * it read, both valid until the old key-encryption key is disabled. Each re-wrap is recorded as a
   * {@code rewrap} event of its version.
   *
   * @throws GeneralSecurityException if a data key cannot be unwrapped (the versions re-wrapped
   *     before it stay re-wrapped; running again continues)
   */
  public KeyRewrap rewrapKeys(String currentKekId, String actor) throws GeneralSecurityException {
    return withoutPushes(() -> rewrapKeysLocked(currentKekId, actor));
  }

  /** Work that must not overlap a push wrapping a data key; see {@link #withoutPushes}. */
  @FunctionalInterface
  public interface KeyChange<T> {
    T run() throws GeneralSecurityException, IOException;
  }

  /**
   * Runs {@code change} while no push is between wrapping its data key and recording it: pushes in
   * progress finish first, new ones wait. Rotation uses it to re-wrap and then disable old
   * key-encryption key versions without stranding a data key.
   */
  public <T> T withoutPushes(KeyChange<T> change) throws GeneralSecurityException {
    keyChanges.writeLock().lock();
    try {
      return change.run();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      keyChanges.writeLock().unlock();
    }
  }

  private KeyRewrap rewrapKeysLocked(String currentKekId, String actor)
      throws GeneralSecurityException {
    record Live(String name, String version, String format, String sha256, WrappedKey key) {}
    List<Live> live =
        db.read(
            c -> {
              List<Live> out = new ArrayList<>();
              try (PreparedStatement ps =
                      c.prepareStatement(
                          "SELECT model_name, version, format, sha256, kek_id, wrapped_key FROM"
                              + " model_versions WHERE length(wrapped_key) > 0 ORDER BY"
                              + " model_name, version");
                  ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                  out.add(
                      new Live(
                          rs.getString(1),
                          rs.getString(2),
                          rs.getString(3),
                          rs.getString(4),
                          new WrappedKey(rs.getString(5), rs.getBytes(6))));
                }
              }
              return out;
            });
    int rewrapped = 0;
    int current = 0;
    for (Live v : live) {
      if (v.key().kekId().equals(currentKekId)) {
        current++;
        continue;
      }
      WrappedKey fresh =
          sealer.rewrap(v.key(), keyAad(v.name(), v.version(), v.format(), v.sha256()));
      Instant now = clock.instant();
      db.writeAll(
          c -> {
            try (PreparedStatement ps =
                c.prepareStatement(
                    "UPDATE model_versions SET kek_id = ?, wrapped_key = ? WHERE model_name = ?"
                        + " AND version = ? AND kek_id = ? AND wrapped_key = ?")) {
              ps.setString(1, fresh.kekId());
              ps.setBytes(2, fresh.bytes());
              ps.setString(3, v.name());
              ps.setString(4, v.version());
              ps.setString(5, v.key().kekId());
              ps.setBytes(6, v.key().bytes());
              if (ps.executeUpdate() != 1) {
                // Retired or re-wrapped by someone else meanwhile: nothing to record.
                return;
              }
            }
            recordEvent(
                c,
                v.name(),
                v.version(),
                "rewrap",
                actor,
                "data key re-wrapped from " + v.key().kekId() + " to " + fresh.kekId(),
                now);
          });
      rewrapped++;
    }
    return new KeyRewrap(rewrapped, current, dataKeysByKek());
  }

  /** How many live data keys each key-encryption key version wraps. */
  public java.util.Map<String, Integer> dataKeysByKek() {
    return db.read(
        c -> {
          java.util.Map<String, Integer> out = new java.util.TreeMap<>();
          try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT kek_id, count(*) FROM model_versions WHERE length(wrapped_key) > 0"
                          + " GROUP BY kek_id");
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.put(rs.getString(1), rs.getInt(2));
            }
          }
          return out;
        });
  }

  /** The lifecycle events of a model, oldest first. */
  public List<ModelEvent> events(String name) {
    ModelNames.checkName(name);
    return db.read(
        c -> {
          List<ModelEvent> out = new ArrayList<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT seq, time, model_name, version, action, actor, reason FROM model_events"
                      + " WHERE model_name = ? ORDER BY seq")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(
                    new ModelEvent(
                        rs.getLong(1),
                        Instant.parse(rs.getString(2)),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getString(7)));
              }
            }
          }
          return out;
        });
  }

  private static void recordEvent(
      Connection c,
      String name,
      @Nullable String version,
      String action,
      String actor,
      @Nullable String reason,
      Instant when)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO model_events(time, model_name, version, action, actor, reason) VALUES"
                + " (?,?,?,?,?,?)")) {
      ps.setString(1, when.toString());
      ps.setString(2, name);
      ps.setString(3, version);
      ps.setString(4, action);
      ps.setString(5, actor);
      ps.setString(6, reason);
      ps.executeUpdate();
    }
  }

  public Optional<Deployment> deployment(String name) {
    return deployments().stream().filter(d -> d.name().equals(name)).findFirst();
  }

  /** Every deployment. */
  public List<Deployment> deployments() {
    return db.read(
        c -> {
          List<Deployment> out = new ArrayList<>();
          try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT model_name, version, deployed_at, deployed_by, canary_version,"
                          + " canary_percent, canary_since, canary_by FROM deployments ORDER BY"
                          + " model_name");
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              String canaryVersion = rs.getString(5);
              Deployment.Canary canary =
                  canaryVersion == null
                      ? null
                      : new Deployment.Canary(
                          canaryVersion,
                          rs.getInt(6),
                          Instant.parse(rs.getString(7)),
                          rs.getString(8));
              out.add(
                  new Deployment(
                      rs.getString(1),
                      rs.getString(2),
                      Instant.parse(rs.getString(3)),
                      rs.getString(4),
                      canary));
            }
          }
          return out;
        });
  }

  private static final String SELECT_VERSION =
      "SELECT model_name, version, format, sha256, size_bytes, metadata, created_at, created_by,"
          + " blob, kek_id, wrapped_key, state, approved_by, approved_at, card, signer,"
          + " signature IS NOT NULL, scan_verdict FROM model_versions";

  /** A version as stored; {@code key} is null once the version is retired (crypto-shredded). */
  private record StoredVersion(ModelVersion version, String blob, @Nullable WrappedKey key) {}

  private Optional<StoredVersion> findStored(String name, String version) {
    if (!ModelNames.isValidName(name) || !ModelNames.isValidVersion(version)) {
      return Optional.empty();
    }
    return db.read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(SELECT_VERSION + " WHERE model_name = ? AND version = ?")) {
            ps.setString(1, name);
            ps.setString(2, version);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? Optional.of(readStored(rs)) : Optional.<StoredVersion>empty();
            }
          }
        });
  }

  private static StoredVersion readStored(ResultSet rs) throws SQLException {
    ModelVersion v =
        new ModelVersion(
            rs.getString(1),
            rs.getString(2),
            rs.getString(3),
            rs.getString(4),
            rs.getLong(5),
            rs.getString(6),
            Instant.parse(rs.getString(7)),
            rs.getString(8),
            VersionState.fromWireName(rs.getString(12)),
            rs.getString(13),
            rs.getString(14) == null ? null : Instant.parse(rs.getString(14)),
            rs.getString(15) == null ? null : ModelCards.fromJson(rs.getString(15)),
            rs.getString(16),
            rs.getBoolean(17),
            rs.getString(18));
    byte[] wrapped = rs.getBytes(11);
    WrappedKey key =
        wrapped == null || wrapped.length == 0 ? null : new WrappedKey(rs.getString(10), wrapped);
    return new StoredVersion(v, rs.getString(9), key);
  }

  private void insertVersion(
      ModelVersion v, String blobName, WrappedKey key, byte @Nullable [] signature) {
    db.writeAll(
        c -> {
          ensureModel(c, v);
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO model_versions(model_name, version, format, sha256, size_bytes,"
                      + " blob, kek_id, wrapped_key, metadata, created_at, created_by, card,"
                      + " signature, signer, scan_verdict) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            ps.setString(1, v.name());
            ps.setString(2, v.version());
            ps.setString(3, v.format());
            ps.setString(4, v.sha256());
            ps.setLong(5, v.sizeBytes());
            ps.setString(6, blobName);
            ps.setString(7, key.kekId());
            ps.setBytes(8, key.bytes());
            ps.setString(9, v.metadata());
            ps.setString(10, v.createdAt().toString());
            ps.setString(11, v.createdBy());
            ModelCard card = v.card();
            ps.setString(12, card == null ? null : ModelCards.toJson(card));
            ps.setBytes(13, signature);
            ps.setString(14, v.signer());
            ps.setString(15, v.scanVerdict());
            ps.executeUpdate();
            String signer = v.signer();
            recordEvent(
                c,
                v.name(),
                v.version(),
                "push",
                v.createdBy(),
                signer == null
                    ? "unsigned, admitted because its namespace allows unsigned models"
                    : "signed by " + signer + "; scan " + v.scanVerdict(),
                v.createdAt());
          } catch (SQLException e) {
            if (isUniqueViolation(e)) {
              throw new ConflictException(
                  "model '" + v.name() + "' version '" + v.version() + "' already exists");
            }
            throw e;
          }
        });
  }

  /** SQLite reports SQLITE_CONSTRAINT (19); PostgreSQL reports SQLState 23505. */
  private static boolean isUniqueViolation(SQLException e) {
    return e.getErrorCode() == 19 || "23505".equals(e.getSQLState());
  }

  private static void ensureModel(Connection c, ModelVersion v) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO models(name, created_at, created_by) VALUES (?,?,?) ON CONFLICT(name)"
                + " DO NOTHING")) {
      ps.setString(1, v.name());
      ps.setString(2, v.createdAt().toString());
      ps.setString(3, v.createdBy());
      ps.executeUpdate();
    }
  }

  private static long copyLimited(
      InputStream in, OutputStream out, MessageDigest digest, long maxBytes) throws IOException {
    byte[] buf = new byte[COPY_BUFFER];
    long total = 0;
    int n;
    while ((n = in.read(buf)) != -1) {
      total += n;
      if (total > maxBytes) {
        throw new LimitExceededException("limits.max_model_bytes", maxBytes, "model artifact");
      }
      digest.update(buf, 0, n);
      out.write(buf, 0, n);
    }
    java.util.Arrays.fill(buf, (byte) 0);
    return total;
  }

  static byte[] artifactAad(String name, String version) {
    return ("bulwark/artifact/v1\0" + name + "\0" + version).getBytes(StandardCharsets.UTF_8);
  }

  static byte[] keyAad(String name, String version, String format, String sha256) {
    return ("bulwark/data-key/v1\0" + name + "\0" + version + "\0" + format + "\0" + sha256)
        .getBytes(StandardCharsets.UTF_8);
  }

  private static MessageDigest sha256() {
    return Digests.sha256();
  }

  private static void fsync(Path p) {
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      throw new UncheckedIOException("fsync failed for " + p.getFileName(), e);
    }
  }
}
