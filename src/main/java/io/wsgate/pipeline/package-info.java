/**
 * Pipelines: named lists of filters run in flow order with {@code jumpIf}, and the registry
 * that turns a filter's {@code kind} into an instance, so new kinds slot in as beans.
 */
@NullMarked
package io.wsgate.pipeline;

import org.jspecify.annotations.NullMarked;
