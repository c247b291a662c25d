package io.loopfree.sync.local;

/**
 * Settings of the JDK's HTTP server that the local engine's endpoints (gateway, runtime API) need. Without
 * TCP_NODELAY every small response waits on Nagle's algorithm against the client's delayed ACK (~40 ms per hop):
 * that, not the functions, was where most of a local webhook's ~100 ms went.
 */
final class LocalHttp {

    private LocalHttp() {
    }

    /** Must run before the first {@code HttpServer} is created in this JVM (the setting is read once). */
    static void noDelay() {
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }
}
