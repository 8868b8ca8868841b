package io.segmenttransfer.pinottools;

/**
 * Keeps Pinot's log4j quiet unless asked: stderr belongs to the one failure line of the exit-code
 * contract. {@code -Dpinottools.logLevel=info} (or any log4j level) turns Pinot's logging on, to
 * stderr.
 */
final class PinotLogging {

  static final String LEVEL_PROPERTY = "pinottools.logLevel";
  private static final String CONFIG = "pinot-tools-log4j2.xml";

  private PinotLogging() {}

  static void configure() {
    // Before the first logger is created; a name no Pinot jar ships, so ours is the one found.
    System.setProperty("log4j2.configurationFile", CONFIG);
    System.setProperty(LEVEL_PROPERTY, System.getProperty(LEVEL_PROPERTY, "off"));
  }
}
