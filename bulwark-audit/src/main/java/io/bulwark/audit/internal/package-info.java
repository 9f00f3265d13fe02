/** Implementation of the audit log; not part of the API. */
@NullMarked
package io.bulwark.audit.internal;

import org.jspecify.annotations.NullMarked;
