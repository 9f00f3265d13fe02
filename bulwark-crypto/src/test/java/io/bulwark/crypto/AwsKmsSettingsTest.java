package io.bulwark.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

class AwsKmsSettingsTest {
  private static final String ARN =
      "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

  @Test
  void awsKmsSettings_tinkKeyUri_prefixStrippedAndRegionRead() {
    AwsKmsSettings settings = new AwsKmsSettings("aws-kms://" + ARN, null, null);

    assertThat(settings.keyArn()).isEqualTo(ARN);
    assertThat(settings.region()).isEqualTo("eu-west-1");
  }

  @Test
  void awsKmsSettings_alias_refused() {
    assertThatThrownBy(
            () ->
                new AwsKmsSettings("arn:aws:kms:eu-west-1:111122223333:alias/bulwark", null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("aliases");
  }

  @Test
  void awsKmsSettings_keyIdAtLimit_acceptedAndAboveRefused() {
    String prefix = "arn:aws:kms:eu-west-1:111122223333:key/";

    assertThat(new AwsKmsSettings(prefix + "a".repeat(128), null, null).keyArn())
        .hasSize(prefix.length() + 128);
    assertThatThrownBy(() -> new AwsKmsSettings(prefix + "a".repeat(129), null, null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void awsKmsSettings_kekIdFitsWrappedKey() {
    String prefix = "arn:aws-us-gov:kms:" + "a".repeat(40) + ":111122223333:key/";
    AwsKmsSettings longest = new AwsKmsSettings(prefix + "a".repeat(128), null, null);

    assertThat(new WrappedKey("aws-kms:" + longest.keyArn(), new byte[1]).kekId())
        .startsWith("aws-kms:");
  }

  @Test
  void awsKmsSettings_endpoints_httpsOrLoopbackHttpOnly() {
    assertThat(new AwsKmsSettings(ARN, null, URI.create("https://vpce.example.com")).endpoint())
        .isNotNull();
    assertThat(new AwsKmsSettings(ARN, null, URI.create("http://127.0.0.1:4566")).endpoint())
        .isNotNull();
    for (String bad :
        new String[] {
          "http://kms.example.com",
          "https://user@kms.example.com",
          "https://kms.example.com/?a=b",
          "ftp://kms.example.com",
          "/relative"
        }) {
      assertThatThrownBy(() -> new AwsKmsSettings(ARN, null, URI.create(bad)))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
