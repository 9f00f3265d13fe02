/** Format scanners and the parsers they use; not part of the API. */
@NullMarked
package io.bulwark.scanning.internal;

import org.jspecify.annotations.NullMarked;
