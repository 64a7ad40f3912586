/**
 * What operators see of finished and running sessions without reading logs: the access log, the
 * {@code /actuator/wsgate} status endpoint and the live dashboard page.
 */
@NullMarked
package io.wsgate.status;

import org.jspecify.annotations.NullMarked;
