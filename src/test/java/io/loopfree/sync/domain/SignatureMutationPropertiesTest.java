package io.loopfree.sync.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import io.loopfree.sync.domain.webhook.Verification;
import io.loopfree.sync.domain.webhook.WebhookRequest;

/**
 * Property: for every body-signing scheme, no random mutation of a validly signed request verifies: a changed,
 * inserted or removed body byte, a flipped bit anywhere in the MAC, or a changed signed header. (Graph's client
 * state signs nothing; its property is that no other client state passes.)
 */
class SignatureMutationPropertiesTest {

    static final Instant NOW = Instant.parse("2026-11-20T10:00:30Z");

    enum BodyMutation { REPLACE, INSERT, DELETE }

    @Provide
    Arbitrary<ProviderCases.Case> providers() {
        return Arbitraries.of(ProviderCases.bodySigning());
    }

    @Property(tries = 400)
    void noBodyMutationVerifies(@ForAll("providers") ProviderCases.Case provider,
            @ForAll @Size(min = 1, max = 300) byte[] body, @ForAll BodyMutation mutation,
            @ForAll @IntRange(min = 0, max = 10_000) int position, @ForAll byte replacement) {
        WebhookRequest signed = provider.sign(body, NOW);
        byte[] mutated = mutate(body, mutation, position % (body.length + (mutation == BodyMutation.INSERT ? 1 : 0)), replacement);
        Assume.that(!java.util.Arrays.equals(mutated, body));
        WebhookRequest request = provider.withPayload(signed, mutated, NOW);
        assertThat(provider.scheme().verify(request, List.of(provider.secret()), NOW))
                .as(provider.system()).isInstanceOf(Verification.Rejected.class);
    }

    @Property(tries = 400)
    void noFlippedMacBitVerifies(@ForAll("providers") ProviderCases.Case provider,
            @ForAll @Size(max = 200) byte[] body, @ForAll @IntRange(min = 0, max = 511) int bit) {
        WebhookRequest damaged = provider.sender().sign(body, provider.secret(), NOW, mac -> {
            byte[] copy = mac.clone();
            int at = bit % (copy.length * 8);
            copy[at / 8] ^= (byte) (1 << (at % 8));
            return copy;
        });
        assertThat(provider.scheme().verify(damaged, List.of(provider.secret()), NOW))
                .as(provider.system()).isInstanceOf(Verification.Rejected.class);
    }

    @Property(tries = 300)
    void noChangedSignedHeaderVerifies(@ForAll("timestampedOrIdentified") ProviderCases.Case provider,
            @ForAll @Size(max = 200) byte[] body, @ForAll @IntRange(min = -299, max = 299) int shift,
            @ForAll("suffixes") String suffix) {
        Assume.that(shift != 0);
        WebhookRequest signed = provider.sign(body, NOW);
        for (String header : provider.signedHeaders()) {
            String value = signed.header(header).orElseThrow();
            String changed = header.toLowerCase().contains("timestamp")
                    ? Long.toString(Long.parseLong(value) + shift) // still inside the window: only the MAC can refuse it
                    : value + suffix;
            WebhookRequest request = ProviderCases.withHeader(signed, header, changed);
            assertThat(provider.scheme().verify(request, List.of(provider.secret()), NOW))
                    .as(provider.system() + " " + header).isInstanceOf(Verification.Rejected.class);
        }
    }

    @Property(tries = 300)
    void noOtherGraphClientStateVerifies(@ForAll("clientStates") String presented) {
        Assume.that(!presented.equals("SecretClientState"));
        String body = "{\"value\":[{\"id\":\"n1\",\"clientState\":" + com.fasterxml.jackson.databind.node.TextNode.valueOf(presented)
                + ",\"changeType\":\"updated\",\"resource\":\"Users/1\"}]}";
        WebhookRequest request = new WebhookRequest("POST", "/webhooks/graph/acme", java.util.Map.of(),
                body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(PublishedExamplesTest.profile("graph")).isNotNull();
        assertThat(io.loopfree.sync.domain.webhook.SignatureSchemes.forProfile(PublishedExamplesTest.profile("graph"),
                java.util.Optional.empty()).verify(request, List.of("SecretClientState"), NOW))
                .isInstanceOf(Verification.Rejected.class);
    }

    @Provide
    Arbitrary<ProviderCases.Case> timestampedOrIdentified() {
        return Arbitraries.of(ProviderCases.bodySigning().stream().filter(c -> !c.signedHeaders().isEmpty()).toList());
    }

    @Provide
    Arbitrary<String> suffixes() {
        return Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(4);
    }

    @Provide
    Arbitrary<String> clientStates() {
        return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(40),
                Combinators.combine(Arbitraries.of("SecretClientState"), Arbitraries.strings().ofMinLength(1).ofMaxLength(3))
                        .as((s, tail) -> s + tail),
                Arbitraries.of("secretclientstate", "SecretClientStat", " SecretClientState", ""));
    }

    private static byte[] mutate(byte[] body, BodyMutation mutation, int position, byte replacement) {
        return switch (mutation) {
            case REPLACE -> {
                byte[] copy = body.clone();
                copy[position] = replacement;
                yield copy;
            }
            case INSERT -> {
                byte[] copy = new byte[body.length + 1];
                System.arraycopy(body, 0, copy, 0, position);
                copy[position] = replacement;
                System.arraycopy(body, position, copy, position + 1, body.length - position);
                yield copy;
            }
            case DELETE -> {
                byte[] copy = new byte[body.length - 1];
                System.arraycopy(body, 0, copy, 0, position);
                System.arraycopy(body, position + 1, copy, position, body.length - position - 1);
                yield copy;
            }
        };
    }
}
