/**
 * The gateway's configuration: immutable records bound from {@code wsgate.*} in
 * {@code application.yml}, with the names fixed by the configuration contract, and the
 * {@link io.wsgate.config.ConfigValidator} that checks them once at startup.
 */
@NullMarked
package io.wsgate.config;

import org.jspecify.annotations.NullMarked;
