/**
 * The HTTP fuzz suite (jqwik): random and malformed requests against every HTTP surface on a real
 * listener (the controller's routes and completion protocol, a server's admin and peer routes),
 * with a fixed seed and a bounded number of tries; {@code -Dfuzz.tries=N} and {@code -Dfuzz.seed=S}
 * run it longer or elsewhere.
 */
package io.segmenttransfer.server.fuzz;
