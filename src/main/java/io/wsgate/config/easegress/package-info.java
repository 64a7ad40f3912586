/**
 * Easegress objects ({@code kind: HTTPServer}, {@code kind: Pipeline}) read from their own YAML
 * files ({@code wsgate.easegress.files}) into the gateway's specs: {@link io.wsgate.config.easegress.EasegressLoader}
 * is a pure function of the files, callable at startup and again on every reload.
 */
@NullMarked
package io.wsgate.config.easegress;

import org.jspecify.annotations.NullMarked;
