/**
 * The RequestAdaptor filter: rewrites the handshake the proxy sends to the backend (Host, path,
 * headers) and never the client's own request, which routing and the access log keep seeing.
 */
@NullMarked
package io.wsgate.filter.adaptor;

import org.jspecify.annotations.NullMarked;
