/**
 * The relational store behind the registry and the identity tables: an embedded SQLite file by
 * default, with versioned migrations applied at start.
 */
@NullMarked
package io.bulwark.storage;

import org.jspecify.annotations.NullMarked;
