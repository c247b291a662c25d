package io.loopfree.sync.adapters.mapping;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * jsonata-java binds its built-in functions ({@code $string}, {@code $fromMillis}…) to the public static methods of
 * {@code com.dashjoin.jsonata.Functions} through reflection; a native image must keep them.
 */
@RegisterForReflection(targets = { com.dashjoin.jsonata.Functions.class }, methods = true, fields = false)
final class JsonataNativeSupport {

    private JsonataNativeSupport() {
    }
}
