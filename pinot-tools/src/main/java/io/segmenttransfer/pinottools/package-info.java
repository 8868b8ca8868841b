/**
 * Apache Pinot's own segment code behind one command line ({@link
 * io.segmenttransfer.pinottools.PinotTools}): segment preprocessing as a Pinot server runs it on
 * reload, its segment loader, its segment creation driver and its tar utility. The service runs
 * this as a child JVM ({@code java -jar pinot-tools.jar}) so that Pinot's dependency tree never
 * shares a class path with the service's.
 */
package io.segmenttransfer.pinottools;
