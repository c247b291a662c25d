package io.loopfree.sync.local.sandbox;

import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One control command (the body of {@code POST /_sandbox/control}); unset parts change nothing, so one command
 * may set several things. Built with the static factories from Java, parsed from JSON over HTTP.
 *
 * @param fail429 the next {@code count} engine requests are answered 429 with this Retry-After, without a write
 * @param dropWebhooks the next N webhooks are not sent (audited as dropped)
 * @param duplicateWebhooks the next {@code count} webhooks are each delivered {@code times} times, same event id
 * @param reorderWebhooks the next N webhooks are held, then sent newest first
 * @param webhookDelayMs from now on, webhooks are sent this long after their write
 * @param pauseWebhooks true: hold all webhooks (still counted as pending); false: send what was held, in order
 */
public record SandboxControl(Fail429 fail429, Integer dropWebhooks, Duplicate duplicateWebhooks,
        Integer reorderWebhooks, Long webhookDelayMs, Boolean pauseWebhooks) {

    public record Fail429(int count, int retryAfterSeconds) {
        public Fail429 {
            if (count < 0 || retryAfterSeconds < 0) {
                throw new IllegalArgumentException("fail429 count and retryAfterSeconds must not be negative");
            }
        }
    }

    public record Duplicate(int count, int times) {
        public Duplicate {
            if (count < 0 || times < 1) {
                throw new IllegalArgumentException("duplicateWebhooks needs count >= 0 and times >= 1");
            }
        }
    }

    public SandboxControl {
        if ((dropWebhooks != null && dropWebhooks < 0) || (reorderWebhooks != null && reorderWebhooks < 0)
                || (webhookDelayMs != null && webhookDelayMs < 0)) {
            throw new IllegalArgumentException("counts and delays must not be negative");
        }
    }

    public static SandboxControl fail429(int count, int retryAfterSeconds) {
        return new SandboxControl(new Fail429(count, retryAfterSeconds), null, null, null, null, null);
    }

    public static SandboxControl dropWebhooks(int count) {
        return new SandboxControl(null, count, null, null, null, null);
    }

    public static SandboxControl duplicateWebhooks(int count, int times) {
        return new SandboxControl(null, null, new Duplicate(count, times), null, null, null);
    }

    public static SandboxControl reorderWebhooks(int count) {
        return new SandboxControl(null, null, null, count, null, null);
    }

    public static SandboxControl webhookDelay(Duration delay) {
        return new SandboxControl(null, null, null, null, delay.toMillis(), null);
    }

    public static SandboxControl pause() {
        return new SandboxControl(null, null, null, null, null, true);
    }

    public static SandboxControl resume() {
        return new SandboxControl(null, null, null, null, null, false);
    }

    /** @throws IllegalArgumentException naming what is wrong */
    static SandboxControl parse(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("control body must be a JSON object");
        }
        node.fieldNames().forEachRemaining(name -> {
            if (!java.util.Set.of("fail429", "dropWebhooks", "duplicateWebhooks", "reorderWebhooks",
                    "webhookDelayMs", "pauseWebhooks").contains(name)) {
                throw new IllegalArgumentException("unknown control '" + SafeText.of(name)
                        + "' (fail429, dropWebhooks, duplicateWebhooks, reorderWebhooks, webhookDelayMs, pauseWebhooks)");
            }
        });
        Fail429 fail = node.has("fail429")
                ? new Fail429(intField(node.get("fail429"), "count"), intField(node.get("fail429"), "retryAfterSeconds"))
                : null;
        Duplicate duplicate = node.has("duplicateWebhooks")
                ? new Duplicate(intField(node.get("duplicateWebhooks"), "count"),
                        intField(node.get("duplicateWebhooks"), "times"))
                : null;
        return new SandboxControl(fail, optionalInt(node, "dropWebhooks"), duplicate, optionalInt(node, "reorderWebhooks"),
                node.has("webhookDelayMs") ? longValue(node.get("webhookDelayMs")) : null,
                node.has("pauseWebhooks") ? booleanValue(node.get("pauseWebhooks")) : null);
    }

    private static Integer optionalInt(JsonNode node, String name) {
        return node.has(name) ? intValue(node.get(name), name) : null;
    }

    private static int intField(JsonNode node, String name) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("expected an object with " + name);
        }
        return intValue(node.get(name), name);
    }

    private static int intValue(JsonNode value, String name) {
        if (value == null || !value.canConvertToInt() || !value.isIntegralNumber()) {
            throw new IllegalArgumentException(name + " must be an integer");
        }
        return value.intValue();
    }

    private static Long longValue(JsonNode value) {
        if (value == null || !value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new IllegalArgumentException("webhookDelayMs must be an integer");
        }
        return value.longValue();
    }

    private static boolean booleanValue(JsonNode value) {
        if (!value.isBoolean()) {
            throw new IllegalArgumentException("pauseWebhooks must be true or false");
        }
        return value.booleanValue();
    }
}
