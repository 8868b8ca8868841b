package io.segmenttransfer.core.archive.codec;

import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.stream.ByteTransform;
import io.segmenttransfer.core.stream.PassThroughTransform;

/** Creates the streaming decoders and encoders behind {@link Codec}. */
public final class Codecs {
  private Codecs() {}

  public static ByteTransform decoder(Codec codec, String subject) {
    return switch (codec) {
      case NONE -> new PassThroughTransform();
      default -> throw new IllegalStateException("codec " + codec + " is being built");
    };
  }

  public static ByteTransform encoder(Codec codec, String subject) {
    return switch (codec) {
      case NONE -> new PassThroughTransform();
      default -> throw new IllegalStateException("codec " + codec + " is being built");
    };
  }
}
