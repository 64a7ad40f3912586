/**
 * Backend servers, pools and load balancing: which pool a request belongs to, and which server
 * of it gets the session. Policies work on an immutable snapshot of the healthy servers.
 */
@NullMarked
package io.wsgate.pool;

import org.jspecify.annotations.NullMarked;
