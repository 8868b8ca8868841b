/**
 * The controller side of Pinot's segment completion protocol: the routes ({@link
 * io.segmenttransfer.controller.completion.CompletionRoutes}), the election of a committer per
 * consuming segment (in memory, as Pinot's FSM) and the commit recorded durably in the segment's
 * metadata record through {@code ControllerState}, plus the download-URL extension a server calls
 * after its background deep-store upload.
 */
package io.segmenttransfer.controller.completion;
