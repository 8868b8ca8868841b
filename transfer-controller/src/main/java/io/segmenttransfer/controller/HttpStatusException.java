package io.segmenttransfer.controller;

/**
 * A request the controller answers with a specific HTTP status and a message, in Pinot's error
 * shape {@code {"code": <status>, "error": "<message>"}}: unknown tables, segments and instances
 * (404), conflicts (409). Bad input uses the core's {@code InvalidRequestException} (400).
 */
final class HttpStatusException extends RuntimeException {

  private final int status;

  HttpStatusException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  static HttpStatusException notFound(String message) {
    return new HttpStatusException(404, message);
  }

  static HttpStatusException conflict(String message) {
    return new HttpStatusException(409, message);
  }

  int status() {
    return status;
  }
}
