package io.bulwark.server;

/**
 * The demo model as deployed by {@link BulwarkServer#deployDemo()}.
 *
 * @param inferenceRequestJson a ready Open Inference Protocol request body for the model
 * @param consumerApiKey a fresh consumer key granted only this model; shown once
 */
public record DemoDeployment(
    String modelName, String version, String inferenceRequestJson, String consumerApiKey) {
  @Override
  public String toString() {
    return "DemoDeployment[" + modelName + "/" + version + ", key redacted]";
  }
}
