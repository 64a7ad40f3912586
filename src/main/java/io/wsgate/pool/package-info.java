/**
 * Backend servers, pools and load balancing: which pool a request belongs to, and which server
 * of it gets the session. Policies work on an immutable snapshot of the healthy servers.
 */
package io.wsgate.pool;
