package io.bulwark.server.internal;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.bulwark.audit.AuditEventType;
import io.bulwark.core.ConflictException;
import io.bulwark.crypto.KeyVersion;
import io.bulwark.crypto.spi.KeyEncryptionKey;
import io.bulwark.registry.KeyRewrap;
import io.bulwark.registry.ModelRegistry;
import io.bulwark.security.Authorizer;
import io.bulwark.security.Principal;
import io.bulwark.security.policy.PolicyAction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key-encryption key under {@code /api/v1/kek}: its versions and how many data keys each wraps;
 * rotation, which creates a new version and re-wraps every data key under it online; and disabling
 * an old version once no data key depends on it.
 *
 * <p>The key-encryption key serves every tenant, so these operations need their permission
 * (read-audit to look, rotate-keys to change) in the operator's tenant, {@value #OPERATOR_TENANT}.
 */
public final class KeyManagementApi {
  private static final Logger log = LoggerFactory.getLogger(KeyManagementApi.class);
  private static final String PREFIX = "/api/v1/kek";

  /** The tenant whose principals run the server itself. */
  static final String OPERATOR_TENANT = "default";

  private final KeyEncryptionKey kek;
  private final ModelRegistry registry;
  private final Json json;
  private final Blocking blocking;
  private final Authorizer authorizer;
  private final Auditor auditor;
  // One rotation at a time: a disable racing a rewrap could strand a data key.
  private final ReentrantLock changes = new ReentrantLock();

  public KeyManagementApi(
      KeyEncryptionKey kek,
      ModelRegistry registry,
      Json json,
      Blocking blocking,
      Authorizer authorizer,
      Auditor auditor) {
    this.auditor = auditor;
    this.authorizer = authorizer;
    this.kek = kek;
    this.registry = registry;
    this.json = json;
    this.blocking = blocking;
  }

  public void register(ServerBuilder sb) {
    route(sb, HttpMethod.GET, "", this::status);
    route(
        sb, HttpMethod.POST, "/rotate", auditor.audited(AuditEventType.KEY_ROTATION, this::rotate));
    route(
        sb, HttpMethod.POST, "/disable", auditor.audited(AuditEventType.KEY_CHANGE, this::disable));
  }

  private void route(ServerBuilder sb, HttpMethod method, String path, Blocking.Handler h) {
    sb.route()
        .methods(method)
        .path(PREFIX + path)
        .maxRequestLength(Json.MAX_MANAGEMENT_BODY)
        .build(blocking.aggregated(h));
  }

  private HttpResponse status(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    authorizer.checkSystem(Principals.of(ctx), PolicyAction.READ_AUDIT, OPERATOR_TENANT);
    return json.response(HttpStatus.OK, statusJson(null));
  }

  record RotateBody(@JsonProperty("disable_previous") @Nullable Boolean disablePrevious) {}

  private HttpResponse rotate(ServiceRequestContext ctx, AggregatedHttpRequest req)
      throws Exception {
    Principal p = Principals.of(ctx);
    authorizer.checkSystem(p, PolicyAction.ROTATE_KEYS, OPERATOR_TENANT);
    boolean disablePrevious =
        !req.content().isEmpty()
            && Boolean.TRUE.equals(
                json.read(req.content().array(), RotateBody.class).disablePrevious());
    changes.lock();
    try {
      String previous = kek.keyId();
      String current = kek.rotate();
      log.info("key-encryption key rotated from {} to {}", previous, current);
      List<String> disabled = new ArrayList<>();
      // Pushes that wrapped a data key under the old version before the rotation are recorded
      // before this runs, and none can start wrapping meanwhile: counting and disabling are exact.
      KeyRewrap result =
          registry.withoutPushes(
              () -> {
                KeyRewrap r = registry.rewrapKeys(current, ManagementApi.actor(p));
                if (disablePrevious) {
                  for (KeyVersion v : kek.versions()) {
                    if (v.status() == KeyVersion.Status.ENABLED
                        && r.byKek().getOrDefault(v.keyId(), 0) == 0) {
                      kek.disable(v.keyId());
                      disabled.add(v.keyId());
                    }
                  }
                }
                return r;
              });
      ObjectNode out = statusJson(result.byKek());
      out.put("previous", previous);
      out.put("rewrapped", result.rewrapped());
      ArrayNode d = out.putArray("disabled");
      disabled.forEach(d::add);
      return json.response(HttpStatus.OK, out);
    } finally {
      changes.unlock();
    }
  }

  record DisableBody(@JsonProperty("key_id") @Nullable String keyId) {}

  private HttpResponse disable(ServiceRequestContext ctx, AggregatedHttpRequest req)
      throws Exception {
    authorizer.checkSystem(Principals.of(ctx), PolicyAction.ROTATE_KEYS, OPERATOR_TENANT);
    String keyId =
        Json.required(json.read(req.content().array(), DisableBody.class).keyId(), "key_id");
    changes.lock();
    try {
      registry.withoutPushes(
          () -> {
            int users = registry.dataKeysByKek().getOrDefault(keyId, 0);
            if (users > 0) {
              throw new ConflictException(
                  "key-encryption key version '"
                      + io.bulwark.core.Strings.printable(keyId)
                      + "' still wraps "
                      + users
                      + " data keys; rotate first");
            }
            kek.disable(keyId);
            return keyId;
          });
      log.info("key-encryption key version {} disabled", keyId);
      return json.response(HttpStatus.OK, statusJson(null));
    } finally {
      changes.unlock();
    }
  }

  private ObjectNode statusJson(@Nullable Map<String, Integer> counts) {
    Map<String, Integer> byKek = counts == null ? registry.dataKeysByKek() : counts;
    ObjectNode out = json.object().put("current", kek.keyId());
    ArrayNode versions = out.putArray("versions");
    for (KeyVersion v : kek.versions()) {
      versions
          .addObject()
          .put("key_id", v.keyId())
          .put("status", v.status().name().toLowerCase(java.util.Locale.ROOT))
          .put("data_keys", byKek.getOrDefault(v.keyId(), 0));
    }
    return out;
  }
}
