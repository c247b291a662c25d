package io.loopfree.sync.adapters.sqs;

import java.nio.charset.StandardCharsets;

import io.loopfree.sync.domain.envelope.Envelope;
import io.loopfree.sync.domain.envelope.EnvelopeCodec;
import io.loopfree.sync.ports.EnvelopeQueue;

/**
 * Chooses an envelope's SQS message body: as it is, or with the body gzip-compressed. SQS takes messages up to
 * 1 MiB (its limit since 2025; {@code sync.ingress.max-message-bytes}) and bills every 64 KiB chunk of a message
 * as one request, so a body is compressed when that saves chunks, or when it is the only way to fit; it is never
 * truncated.
 */
public final class SqsMessageBodies {

    /** SQS bills a message per started 64 KiB. */
    public static final int BILLING_CHUNK_BYTES = 64 * 1024;

    private SqsMessageBodies() {
    }

    /**
     * The message body for an envelope that must fit a queue message of {@code maxBytes} (UTF-8) beside
     * {@code reservedBytes} of message attributes.
     *
     * @throws EnvelopeQueue.EnvelopeTooLargeException when even the compressed form does not fit
     */
    public static String encodeWithin(Envelope envelope, int maxBytes, int reservedBytes) {
        String plain = EnvelopeCodec.encode(envelope);
        int plainSize = utf8Length(plain) + reservedBytes;
        if (plainSize <= BILLING_CHUNK_BYTES && plainSize <= maxBytes) {
            return plain; // one chunk already: compression cannot save anything
        }
        String compressed = EnvelopeCodec.encode(envelope.gzipped());
        int compressedSize = utf8Length(compressed) + reservedBytes;
        boolean plainFits = plainSize <= maxBytes;
        boolean compressedFits = compressedSize <= maxBytes;
        if (plainFits && (!compressedFits || chunks(plainSize) <= chunks(compressedSize))) {
            return plain;
        }
        if (compressedFits) {
            return compressed;
        }
        throw new EnvelopeQueue.EnvelopeTooLargeException("message of " + plainSize + " bytes (" + compressedSize
                + " with the body gzip-compressed) exceeds the " + maxBytes + "-byte queue message limit");
    }

    static int chunks(int bytes) {
        return (bytes + BILLING_CHUNK_BYTES - 1) / BILLING_CHUNK_BYTES;
    }

    public static int utf8Length(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }
}
