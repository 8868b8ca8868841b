/**
 * What {@code java -jar segment-transfer.jar} runs before the application: the outer jar holds only
 * these classes and the application's own jar, which {@link
 * io.segmenttransfer.server.launcher.UnpackedApplication} unpacks once into a cache. {@link
 * io.segmenttransfer.server.launcher.JarLauncher} then runs a one-shot command in a child JVM with
 * a class-data-sharing archive ({@link
 * io.segmenttransfer.server.launcher.ClassDataSharingLauncher}), or anything else in this JVM
 * through a class loader of the unpacked jar. Nothing here may use a class outside the JDK: the
 * outer jar carries no libraries.
 */
package io.segmenttransfer.server.launcher;
