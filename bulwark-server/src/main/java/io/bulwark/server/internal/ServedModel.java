package io.bulwark.server.internal;

import io.bulwark.inference.LoadedModel;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loaded model with a reference count, so that a model switched out of service is closed only
 * after the last in-flight request that holds it has finished.
 */
final class ServedModel {
  private final LoadedModel model;
  // Starts at 1: the reference held by the serving table.
  private final AtomicInteger refs = new AtomicInteger(1);

  ServedModel(LoadedModel model) {
    this.model = model;
  }

  LoadedModel model() {
    return model;
  }

  /** Takes a reference; false if the model has already been retired and closed. */
  boolean acquire() {
    while (true) {
      int r = refs.get();
      if (r == 0) {
        return false;
      }
      if (refs.compareAndSet(r, r + 1)) {
        return true;
      }
    }
  }

  /** Drops a reference; the last one closes the model. */
  void release() {
    if (refs.decrementAndGet() == 0) {
      model.close();
    }
  }
}
