package io.loopfree.sync.local.sandbox;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Delivers webhooks asynchronously, one at a time and in write order (one thread), like a provider's delivery
 * queue; retries a 5xx or a connection failure up to {@value #RETRIES} times with doubling backoff. The controls
 * (drop, duplicate, reorder, delay, pause) make it misbehave the ways real providers do. A delivery failure never
 * reaches the API: it is only audited.
 */
final class WebhookDispatcher implements AutoCloseable {

    static final int RETRIES = 3;
    private static final System.Logger LOG = System.getLogger(WebhookDispatcher.class.getName());

    /** One delivery of one event; a duplicated event has several. */
    private record Delivery(WebhookEvent event, boolean duplicate) {
    }

    private final URI url;
    private final WebhookSigner signer;
    private final SandboxAudit audit;
    private final Clock clock;
    private final Duration backoff;
    /** One client for every instance: building one costs seconds here (TLS set-up), and it is thread-safe. */
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ScheduledExecutorService executor;
    private final AtomicInteger pending = new AtomicInteger();

    // control state, guarded by this
    private long delayMs;
    private int dropRemaining;
    private int duplicateRemaining;
    private int duplicateTimes = 1;
    private int reorderRemaining;
    private final List<List<Delivery>> reorderBuffer = new ArrayList<>();
    private boolean paused;
    private final List<Delivery> held = new ArrayList<>();

    WebhookDispatcher(SandboxConfig config, SandboxAudit audit) {
        this.url = config.webhookUrl() == null ? null : URI.create(config.webhookUrl());
        this.signer = new WebhookSigner(config.signing());
        this.audit = audit;
        this.clock = config.clock();
        this.backoff = config.webhookRetryBackoff();
        this.delayMs = config.webhookDelay().toMillis();
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "sandbox-webhooks-" + config.system());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Schedules the event's delivery; called in write order. */
    synchronized void submit(WebhookEvent event) {
        if (url == null) {
            return; // webhooks are off for this instance
        }
        if (dropRemaining > 0) {
            dropRemaining--;
            audit.webhook(entry(event, "dropped", null, 0));
            return;
        }
        int copies = 1;
        if (duplicateRemaining > 0) {
            duplicateRemaining--;
            copies = duplicateTimes;
        }
        List<Delivery> deliveries = new ArrayList<>();
        for (int i = 0; i < copies; i++) {
            deliveries.add(new Delivery(event, i > 0));
        }
        pending.addAndGet(copies);
        if (reorderRemaining > 0) {
            reorderBuffer.add(deliveries);
            reorderRemaining--;
            if (reorderRemaining == 0) {
                List<List<Delivery>> reversed = new ArrayList<>(reorderBuffer);
                Collections.reverse(reversed);
                reorderBuffer.clear();
                reversed.forEach(this::release);
            }
            return;
        }
        release(deliveries);
    }

    synchronized void control(SandboxControl control) {
        if (control.dropWebhooks() != null) {
            dropRemaining = control.dropWebhooks();
        }
        if (control.duplicateWebhooks() != null) {
            duplicateRemaining = control.duplicateWebhooks().count();
            duplicateTimes = control.duplicateWebhooks().times();
        }
        if (control.reorderWebhooks() != null) {
            reorderRemaining = control.reorderWebhooks();
        }
        if (control.webhookDelayMs() != null) {
            delayMs = control.webhookDelayMs();
        }
        if (control.pauseWebhooks() != null) {
            paused = control.pauseWebhooks();
            if (!paused) {
                List<Delivery> resumed = new ArrayList<>(held);
                held.clear();
                release(resumed);
            }
        }
    }

    /** Deliveries scheduled, held or being retried, not yet finished: zero means the sandbox is quiet. */
    int pending() {
        return pending.get();
    }

    private void release(List<Delivery> deliveries) {
        if (executor.isShutdown()) {
            return; // closed: nothing will be delivered any more
        }
        if (paused) {
            held.addAll(deliveries);
            return;
        }
        for (Delivery delivery : deliveries) {
            executor.schedule(() -> attempt(delivery, 1), delayMs, TimeUnit.MILLISECONDS);
        }
    }

    private void attempt(Delivery delivery, int attempt) {
        WebhookEvent event = delivery.event();
        Integer status = null;
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5))
                    .header("Content-Type", "application/json").header("User-Agent", "loopfree-sandbox/1")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(event.body()));
            for (Map.Entry<String, String> header : signer.headers(event.eventId(), url, event.body(), clock.instant())
                    .entrySet()) {
                request.header(header.getKey(), header.getValue());
            }
            status = CLIENT.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "webhook " + event.eventId() + " attempt " + attempt + " failed: "
                    + SafeText.of(e.toString()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return; // closing
        } catch (RuntimeException e) {
            // a bug or a bad URL must not kill the delivery thread (every later webhook would be lost)
            LOG.log(System.Logger.Level.WARNING, "webhook " + event.eventId() + " attempt " + attempt + ": "
                    + SafeText.of(e.toString()));
        }
        String outcome = status == null ? "failed" : delivery.duplicate() ? "duplicate" : "sent";
        audit.webhook(entry(event, outcome, status, attempt));
        boolean retryable = status == null || status >= 500;
        if (retryable && attempt <= RETRIES && !executor.isShutdown()) {
            long wait = backoff.toMillis() << (attempt - 1);
            executor.schedule(() -> attempt(delivery, attempt + 1), wait, TimeUnit.MILLISECONDS);
            return;
        }
        pending.decrementAndGet();
    }

    private SandboxAudit.Webhook entry(WebhookEvent event, String delivery, Integer status, int attempt) {
        return new SandboxAudit.Webhook(StoredRecord.format(clock.instant(), false), event.eventId(), event.type(),
                event.recordId(), delivery, status, attempt);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
