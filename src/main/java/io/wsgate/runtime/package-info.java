/**
 * Live configuration: the running gateway built from one validated configuration snapshot, and
 * replaced by a reload while open sessions keep the objects they started with.
 */
@NullMarked
package io.wsgate.runtime;

import org.jspecify.annotations.NullMarked;
