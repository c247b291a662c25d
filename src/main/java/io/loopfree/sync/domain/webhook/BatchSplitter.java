package io.loopfree.sync.domain.webhook;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonToken;

/**
 * Splits a batched delivery (HubSpot's top-level array, Graph's {@code value}) into its elements, each as the
 * exact bytes the provider sent: the streaming parser gives every element's byte range, so nothing is re-encoded
 * (numbers, escapes and key order stay as signed).
 */
public final class BatchSplitter {

    private static final JsonFactory FACTORY = Json.MAPPER.getFactory();

    /** The delivery is not the batch the profile declares. */
    public static final class MalformedBatchException extends Exception {
        public MalformedBatchException(String message) {
            super(message);
        }
    }

    private BatchSplitter() {
    }

    /**
     * @param pointer JSON Pointer to the array; {@code ""} when the body itself is the array
     * @return each element's raw bytes, in order
     */
    public static List<byte[]> split(byte[] body, String pointer) throws MalformedBatchException {
        String where = pointer.isEmpty() ? "the body" : pointer;
        try (JsonParser parser = FACTORY.createParser(body)) {
            JsonToken token = parser.nextToken();
            if (token == null) {
                throw new MalformedBatchException("empty body: expected a JSON array at " + where);
            }
            JsonPointer remaining = Json.compile(pointer);
            while (!remaining.matches()) {
                token = descend(parser, token, remaining);
                if (token == null) {
                    throw new MalformedBatchException("no JSON array at " + where);
                }
                remaining = remaining.tail();
            }
            if (token != JsonToken.START_ARRAY) {
                throw new MalformedBatchException(where + " is not a JSON array");
            }
            List<byte[]> elements = new ArrayList<>();
            while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
                if (token == null) {
                    throw new MalformedBatchException("truncated JSON array at " + where);
                }
                int start = (int) parser.currentTokenLocation().getByteOffset();
                if (token.isScalarValue()) {
                    parser.finishToken();
                } else {
                    parser.skipChildren();
                }
                int end = (int) parser.currentLocation().getByteOffset();
                elements.add(Arrays.copyOfRange(body, start, end));
            }
            while (parser.nextToken() != null) {
                // read to the end: a delivery with malformed JSON after the array is malformed as a whole
            }
            return elements;
        } catch (IOException e) {
            throw new MalformedBatchException("malformed JSON: " + firstLine(e.getMessage()));
        }
    }

    /** Moves from the current container to the member the pointer's head names; null when it is not there. */
    private static JsonToken descend(JsonParser parser, JsonToken token, JsonPointer pointer) throws IOException {
        if (token == JsonToken.START_OBJECT) {
            String property = pointer.getMatchingProperty();
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken valueToken = parser.nextToken();
                if (name.equals(property)) {
                    return valueToken;
                }
                parser.skipChildren();
            }
            return null;
        }
        if (token == JsonToken.START_ARRAY && pointer.mayMatchElement()) {
            int index = pointer.getMatchingIndex();
            int position = 0;
            while ((token = parser.nextToken()) != JsonToken.END_ARRAY && token != null) {
                if (position++ == index) {
                    return token;
                }
                parser.skipChildren();
            }
        }
        return null;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
