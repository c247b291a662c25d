package io.loopfree.sync.adapters;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.loopfree.sync.adapters.sqs.SqsDelays;
import io.loopfree.sync.adapters.sqs.SqsMessageRedelivery;

/** The whole seconds the SQS adapters ask for: never before the time, never past what SQS allows. */
class SqsDelaysTest {

    @Test
    void aDelayIsRoundedUpToTheSecondAndCappedAtSqsLimit() {
        assertThat(SqsDelays.seconds(Duration.ofMillis(1_001), Duration.ofMinutes(15))).isEqualTo(2);
        assertThat(SqsDelays.seconds(Duration.ofSeconds(2), Duration.ofMinutes(15))).isEqualTo(2);
        assertThat(SqsDelays.seconds(Duration.ZERO, Duration.ofMinutes(15))).isZero();
        assertThat(SqsDelays.seconds(Duration.ofSeconds(-5), Duration.ofMinutes(15))).isZero();
        assertThat(SqsDelays.seconds(Duration.ofHours(2), Duration.ofMinutes(15))).isEqualTo(900);
    }

    @Test
    void theQueueNameIsTheLastPartOfItsArn() {
        assertThat(SqsMessageRedelivery.queueName("arn:aws:sqs:eu-west-1:123456789012:loopfree-prod-sync"))
                .isEqualTo("loopfree-prod-sync");
        assertThat(SqsMessageRedelivery.queueName("arn:aws:sqs:elasticmq:000000000000:loopfree-changes")).isEqualTo("loopfree-changes");
        assertThat(SqsMessageRedelivery.queueName("arn:aws:sns:eu-west-1:123456789012:topic")).isNull();
        assertThat(SqsMessageRedelivery.queueName("not-an-arn")).isNull();
        assertThat(SqsMessageRedelivery.queueName(null)).isNull();
    }
}
