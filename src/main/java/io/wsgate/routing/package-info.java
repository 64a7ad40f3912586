/**
 * Routing of an http server's requests to pipelines: host, path, method and header rules,
 * first match wins, with 404/405/400 when nothing matches.
 */
@NullMarked
package io.wsgate.routing;

import org.jspecify.annotations.NullMarked;
