package io.bulwark.registry;

import io.bulwark.core.InvalidRequestException;
import io.bulwark.core.ModelNames;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a publisher states about a model version when pushing it, in the manner of a model card: who
 * owns it, what it is for and not for, what it was trained on, under which licence, and how risky
 * it is. Immutable with its version. Every field is validated: required fields present, lengths
 * bounded, no control characters, tiers and classifications from a closed set.
 *
 * @param owner the team or person answerable for the model
 * @param description what the model does
 * @param intendedUse what it may be used for
 * @param limitations known limitations and uses it is not fit for, or null
 * @param trainingData where its training data came from, at most {@value #MAX_LIST} entries
 * @param licence the licence of the weights, for example an SPDX identifier
 * @param riskTier one of {@link #RISK_TIERS}
 * @param dataClassification one of {@link #DATA_CLASSIFICATIONS}: the most sensitive data it may
 *     receive
 * @param parentVersion the version of the same model this one was derived from (lineage), or null;
 *     it must exist when the version is pushed
 */
public record ModelCard(
    String owner,
    String description,
    String intendedUse,
    @Nullable String limitations,
    List<String> trainingData,
    String licence,
    String riskTier,
    String dataClassification,
    @Nullable String parentVersion) {

  public static final List<String> RISK_TIERS = List.of("low", "medium", "high", "critical");
  public static final List<String> DATA_CLASSIFICATIONS =
      List.of("public", "internal", "confidential", "restricted");

  /** Longest short field (owner, licence, an entry of training data). */
  public static final int MAX_SHORT = 256;

  /** Longest free-text field (description, intended use, limitations). */
  public static final int MAX_TEXT = 4096;

  public static final int MAX_LIST = 32;

  private static final Set<String> TIERS = Set.copyOf(RISK_TIERS);
  private static final Set<String> CLASSES = Set.copyOf(DATA_CLASSIFICATIONS);

  public ModelCard {
    required("owner", owner, MAX_SHORT);
    required("description", description, MAX_TEXT);
    required("intended_use", intendedUse, MAX_TEXT);
    if (limitations != null) {
      required("limitations", limitations, MAX_TEXT);
    }
    if (trainingData.size() > MAX_LIST) {
      throw new InvalidRequestException(
          "model card: training_data has more than " + MAX_LIST + " entries");
    }
    for (String source : trainingData) {
      required("training_data entry", source, MAX_SHORT);
    }
    trainingData = List.copyOf(trainingData);
    required("licence", licence, MAX_SHORT);
    if (!TIERS.contains(riskTier)) {
      throw new InvalidRequestException("model card: risk_tier must be one of " + RISK_TIERS);
    }
    if (!CLASSES.contains(dataClassification)) {
      throw new InvalidRequestException(
          "model card: data_classification must be one of " + DATA_CLASSIFICATIONS);
    }
    if (parentVersion != null && !ModelNames.isValidVersion(parentVersion)) {
      throw new InvalidRequestException("model card: parent_version is not a valid version");
    }
  }

  private static void required(String field, @Nullable String value, int max) {
    if (value == null || value.isBlank()) {
      throw new InvalidRequestException("model card: " + field + " is required");
    }
    if (value.length() > max) {
      throw new InvalidRequestException(
          "model card: " + field + " is longer than " + max + " characters");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
        throw new InvalidRequestException("model card: " + field + " has control characters");
      }
      if (Character.getType(c) == Character.FORMAT) {
        // Bidirectional overrides and zero-width characters make text read differently from what
        // it is; a card is shown to approvers, so they are refused.
        throw new InvalidRequestException(
            "model card: " + field + " has invisible formatting characters");
      }
    }
  }
}
