package io.bulwark.security;

import java.util.Optional;

/**
 * What the {@link Authorizer} needs to know about resources that the policy decides on: which
 * tenant owns a namespace, and how a model is labelled. Implementations answer from memory; they
 * are called on the inference path.
 */
public interface ResourceDirectory {
  /** The tenant that owns {@code namespace}. */
  String tenantOf(String namespace);

  /**
   * The risk tier and data classification of {@code model} (from the card of its newest version) or
   * of one version; empty for an unknown model or a version pushed without a card, which the
   * authorizer then treats as {@link ModelLabels#UNLABELLED}.
   */
  Optional<ModelLabels> labels(String model, String version);

  /** Labels as model cards give them. */
  record ModelLabels(String riskTier, String dataClassification) {
    /** The most restrictive labels: what a model without a card is judged as. */
    public static final ModelLabels UNLABELLED = new ModelLabels("critical", "restricted");
  }
}
