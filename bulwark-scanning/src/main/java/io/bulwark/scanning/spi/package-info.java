/** The plug-in point for one file format's scanner. */
@NullMarked
package io.bulwark.scanning.spi;

import org.jspecify.annotations.NullMarked;
