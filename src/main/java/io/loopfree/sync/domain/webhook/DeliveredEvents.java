package io.loopfree.sync.domain.webhook;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The events in a verified delivery: one, or one per element of a batch the profile splits, each with its own
 * event id. Transport only: nothing here interprets the payload beyond the profile's pointers.
 */
public final class DeliveredEvents {

    /** One event: its id and its exact bytes (the whole body, or one element of the batch). */
    public record DeliveredEvent(String eventId, byte[] body) {
    }

    private DeliveredEvents() {
    }

    /** @throws BatchSplitter.MalformedBatchException when the batch is not there or an event has no id */
    public static List<DeliveredEvent> of(ProviderProfile profile, WebhookRequest request)
            throws BatchSplitter.MalformedBatchException {
        byte[] body = request.body();
        List<byte[]> parts = profile.split().isPresent() ? BatchSplitter.split(body, profile.split().get()) : List.of(body);
        List<DeliveredEvent> events = new ArrayList<>(parts.size());
        for (int i = 0; i < parts.size(); i++) {
            byte[] part = parts.get(i);
            Supplier<Optional<JsonNode>> json = Memo.of(() -> Json.parse(part));
            Optional<String> eventId = Optional.empty();
            for (RequestValue source : profile.eventId()) {
                eventId = source.read(request, part, json);
                if (eventId.isPresent()) {
                    break;
                }
            }
            if (eventId.isEmpty()) {
                throw new BatchSplitter.MalformedBatchException("no event id" + (parts.size() > 1 ? " in element " + i : "")
                        + ": looked at " + profile.eventId());
            }
            Optional<String> unusable = EventIds.problem(eventId.get());
            if (unusable.isPresent()) {
                throw new BatchSplitter.MalformedBatchException(unusable.get() + (parts.size() > 1 ? " (element " + i + ")" : ""));
            }
            events.add(new DeliveredEvent(eventId.get(), part));
        }
        return events;
    }
}
