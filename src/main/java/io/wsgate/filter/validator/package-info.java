/**
 * The {@code Validator} filter kind: refuses handshakes whose headers, JWT or basic credentials do
 * not check out (401 or 403, result {@code invalid}), hands a token's claims to the backend as
 * headers, closes sessions whose token expires, and checks a token sent as the first message.
 */
@NullMarked
package io.wsgate.filter.validator;

import org.jspecify.annotations.NullMarked;
