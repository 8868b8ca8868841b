package io.segmenttransfer.controller;

/**
 * A status the HTTP layer decides by itself, answered in Pinot's error shape {@code {"code":
 * <status>, "error": "<message>"}} (a JSON request body over its limit: 413). Domain code throws
 * the core's errors instead, which transfer-http's {@code ErrorStatus} maps.
 */
final class HttpStatusException extends RuntimeException {

  private final int status;

  HttpStatusException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  int status() {
    return status;
  }
}
