package io.loopfree.sync.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import io.loopfree.sync.app.SyncMetrics;
import io.loopfree.sync.functions.IngressFunction;
import io.loopfree.sync.functions.ProcessorFunction;
import io.loopfree.sync.functions.ReconcilerFunction;
import io.loopfree.sync.functions.RelayFunction;
import io.quarkus.funqy.Funq;
import io.quarkus.runtime.configuration.DurationConverter;

/**
 * What matters in infra/template.yaml for the code to work, and stay least-privilege: checked on the parsed
 * template, offline. (Schema-level validity is infra/validate.sh's job.)
 */
class TemplateTest {

    /** Every environment variable a function may get: the names the code reads, plus Quarkus' native switch. */
    static final Set<String> KNOWN_ENV = Set.of("QUARKUS_FUNQY_EXPORT", "SYNC_QUEUE_URL", "SYNC_VALVES_DRAIN_QUEUE_URL", "SYNC_TABLES_EVENTS",
            "SYNC_TABLES_STATE", "SYNC_DEDUP_TTL", "SYNC_MARKERS_TTL", "SYNC_RECONCILER_JOBS", "SYNC_SECRETS_SSM_PREFIX",
            "SYNC_SECRETS_SOURCE", "SYNC_RECONCILER_TIME_BUDGET", "SYNC_DEAD_LETTER_QUEUE_URL", "SYNC_LOG_JSON", "QUARKUS_LOG_CONSOLE_FORMAT",
            "SYNC_RELAY_TENANTS",
            // Quarkus' own native Lambda template sets it: the custom runtime must not install signal handlers.
            "DISABLE_SIGNAL_HANDLERS");

    static Map<String, Object> template;
    static Map<String, Object> resources;
    static Map<String, Object> parameters;

    @BeforeAll
    static void load() throws IOException {
        Path file = Path.of(System.getProperty("basedir", "."), "infra", "template.yaml");
        assertThat(file).exists();
        LoaderOptions options = new LoaderOptions();
        Yaml yaml = new Yaml(new CfnConstructor(options));
        template = map(yaml.load(Files.readString(file)));
        resources = map(template.get("Resources"));
        parameters = map(template.get("Parameters"));
    }

    // ------------------------------------------------------------------------------------------------ DynamoDB

    @Test
    void eventsTableExpiresItemsOnExpiresAtAndStateTableNeverExpires() {
        Map<String, Object> events = properties("EventsTable");
        assertThat(map(events.get("TimeToLiveSpecification")))
                .containsEntry("AttributeName", "expiresAt")
                .containsEntry("Enabled", true);
        assertThat(keySchema(events)).containsExactly(Map.entry("pk", "HASH"));

        Map<String, Object> state = properties("StateTable");
        assertThat(state).doesNotContainKey("TimeToLiveSpecification");
        assertThat(keySchema(state)).containsExactly(Map.entry("pk", "HASH"), Map.entry("sk", "RANGE"));

        for (Map<String, Object> table : List.of(events, state)) {
            assertThat(table).containsEntry("BillingMode", "PAY_PER_REQUEST");
            assertThat(map(table.get("SSESpecification"))).containsEntry("SSEEnabled", true);
            assertThat(map(table.get("PointInTimeRecoverySpecification")))
                    .containsEntry("PointInTimeRecoveryEnabled", true);
            assertThat(table.get("DeletionProtectionEnabled")).isEqualTo(ref("TableDeletionProtection"));
            for (Object definition : list(table.get("AttributeDefinitions"))) {
                assertThat(map(definition)).containsEntry("AttributeType", "S");
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ functions

    @Test
    void eachFunctionGetsExactlyTheVariablesItReadsAndItsOwnExport() {
        Map<String, Set<String>> expected = Map.of(
                "IngressFunction", Set.of("QUARKUS_FUNQY_EXPORT", "DISABLE_SIGNAL_HANDLERS", "SYNC_QUEUE_URL",
                        "SYNC_SECRETS_SOURCE", "SYNC_SECRETS_SSM_PREFIX", "SYNC_LOG_JSON", "QUARKUS_LOG_CONSOLE_FORMAT"),
                "ProcessorFunction", Set.of("QUARKUS_FUNQY_EXPORT", "DISABLE_SIGNAL_HANDLERS", "SYNC_TABLES_EVENTS",
                        "SYNC_TABLES_STATE", "SYNC_DEDUP_TTL", "SYNC_MARKERS_TTL", "SYNC_SECRETS_SOURCE",
                        "SYNC_SECRETS_SSM_PREFIX", "SYNC_DEAD_LETTER_QUEUE_URL", "SYNC_VALVES_DRAIN_QUEUE_URL", "SYNC_LOG_JSON",
                        "QUARKUS_LOG_CONSOLE_FORMAT"),
                "ReconcilerFunction", Set.of("QUARKUS_FUNQY_EXPORT", "DISABLE_SIGNAL_HANDLERS", "SYNC_QUEUE_URL",
                        "SYNC_VALVES_DRAIN_QUEUE_URL",
                        "SYNC_TABLES_STATE", "SYNC_RECONCILER_JOBS", "SYNC_RECONCILER_TIME_BUDGET",
                        "SYNC_SECRETS_SOURCE", "SYNC_SECRETS_SSM_PREFIX", "SYNC_LOG_JSON", "QUARKUS_LOG_CONSOLE_FORMAT"),
                "RelayFunction", Set.of("QUARKUS_FUNQY_EXPORT", "DISABLE_SIGNAL_HANDLERS", "SYNC_QUEUE_URL",
                        "SYNC_RELAY_TENANTS", "SYNC_LOG_JSON", "QUARKUS_LOG_CONSOLE_FORMAT"));
        Map<String, String> exports = Map.of("IngressFunction", "ingress", "ProcessorFunction", "processor",
                "ReconcilerFunction", "reconciler", "RelayFunction", "relay");

        assertThat(functions()).containsOnlyKeys(expected.keySet());
        Object globalEnv = map(map(template.getOrDefault("Globals", Map.of())).getOrDefault("Function", Map.of()))
                .get("Environment");
        assertThat(globalEnv).as("no Globals environment: each function lists its own").isNull();
        for (var entry : expected.entrySet()) {
            Map<String, Object> variables = environment(entry.getKey());
            assertThat(variables.keySet()).as(entry.getKey()).containsExactlyInAnyOrderElementsOf(entry.getValue());
            assertThat(KNOWN_ENV).containsAll(variables.keySet());
            assertThat(variables).containsEntry("QUARKUS_FUNQY_EXPORT", exports.get(entry.getKey()));
            assertThat(variables.keySet()).noneMatch(name -> name.startsWith("WEBHOOK_SECRETS"));
        }
        assertThat(environment("IngressFunction").get("SYNC_SECRETS_SOURCE")).as("secrets from SSM in AWS").isEqualTo("ssm");
        assertThat(environment("IngressFunction").get("SYNC_SECRETS_SSM_PREFIX"))
                .isEqualTo(Map.of("Fn::Sub", "${WebhookSecretsSsmPath}/"));
        assertThat(environment("ProcessorFunction").get("SYNC_SECRETS_SOURCE")).as("outbound tokens from SSM")
                .isEqualTo("ssm");
        assertThat(environment("IngressFunction").get("SYNC_QUEUE_URL")).isEqualTo(ref("SyncQueue"));
        assertThat(environment("ReconcilerFunction").get("SYNC_QUEUE_URL")).isEqualTo(ref("SyncQueue"));
        assertThat(environment("RelayFunction").get("SYNC_QUEUE_URL")).isEqualTo(ref("SyncQueue"));
        assertThat(environment("RelayFunction").get("SYNC_RELAY_TENANTS")).isEqualTo(ref("SalesforceOrgTenants"));
        for (String function : List.of("ProcessorFunction", "ReconcilerFunction")) {
            assertThat(environment(function).get("SYNC_VALVES_DRAIN_QUEUE_URL"))
                    .as("an account's drain at its breaker's reopen time, on the sync queue").isEqualTo(ref("SyncQueue"));
        }
        assertThat(environment("ProcessorFunction").get("SYNC_DEAD_LETTER_QUEUE_URL")).as("deterministic failures")
                .isEqualTo(ref("DeadLetterQueue"));
        for (String function : expected.keySet()) {
            assertThat(environment(function)).as("JSON log lines in AWS").containsEntry("SYNC_LOG_JSON", "true")
                    .containsEntry("QUARKUS_LOG_CONSOLE_FORMAT", "%s%n");
        }
        assertThat(environment("ReconcilerFunction").get("SYNC_SECRETS_SOURCE")).as("outbound tokens from SSM")
                .isEqualTo("ssm");
        assertThat(environment("ReconcilerFunction").get("SYNC_RECONCILER_TIME_BUDGET"))
                .isEqualTo(ref("ReconcilerTimeBudget"));
    }

    @Test
    void theExportsTheTemplateNamesAreTheFunqyFunctionsOfTheArtifact() {
        Set<String> funqs = new TreeSet<>();
        for (Class<?> type : List.of(IngressFunction.class, ProcessorFunction.class, ReconcilerFunction.class,
                RelayFunction.class)) {
            for (Method method : type.getDeclaredMethods()) {
                Funq funq = method.getAnnotation(Funq.class);
                if (funq != null) {
                    funqs.add(funq.value().isEmpty() ? method.getName() : funq.value());
                }
            }
        }
        Set<Object> exports = new TreeSet<>();
        for (String function : functions().keySet()) {
            exports.add(environment(function).get("QUARKUS_FUNQY_EXPORT"));
        }
        assertThat(exports).isEqualTo(funqs).containsExactly("ingress", "processor", "reconciler", "relay");
    }

    @Test
    void allThreeFunctionsShipTheSameArtifactAndLogToAKnownGroup() {
        Set<Object> codeUris = new TreeSet<>();
        for (String function : functions().keySet()) {
            Map<String, Object> props = properties(function);
            codeUris.add(props.get("CodeUri"));
            String name = function.replace("Function", "").toLowerCase();
            assertThat(props.get("FunctionName")).isEqualTo(Map.of("Fn::Sub", "${NamePrefix}-${Stage}-" + name));
            Map<String, Object> logGroup = properties(function.replace("Function", "LogGroup"));
            assertThat(logGroup.get("LogGroupName"))
                    .isEqualTo(Map.of("Fn::Sub", "/aws/lambda/${NamePrefix}-${Stage}-" + name));
            assertThat(logGroup.get("RetentionInDays")).isEqualTo(ref("LogRetentionDays"));
            assertThat(props.get("Role")).isEqualTo(Map.of("Fn::GetAtt",
                    List.of(function.replace("Function", "Role"), "Arn")));
        }
        assertThat(codeUris).containsExactly("../target/function.zip");

        Map<String, Object> globals = map(map(template.get("Globals")).get("Function"));
        assertThat(globals.get("Runtime")).isEqualTo(ref("FunctionRuntime"));
        assertThat(map(parameters.get("FunctionRuntime"))).containsEntry("Default", "provided.al2023");
        assertThat(list(map(parameters.get("FunctionRuntime")).get("AllowedValues")))
                .containsExactly("provided.al2023", "java21");
        assertThat(globals.get("Handler")).isEqualTo(Map.of("Fn::If", List.of("IsJvm",
                "io.loopfree.sync.functions.DeadlineStreamHandler::handleRequest", "not.used.in.provided.runtime")));
        assertThat(list(map(parameters.get("Architecture")).get("AllowedValues"))).containsExactlyInAnyOrder(
                "arm64", "x86_64");
    }

    @Test
    void durationDefaultsAreQuarkusDurations() {
        assertThat(DurationConverter.parseDuration(defaultOf("DedupTtl"))).isEqualTo(Duration.ofHours(72));
        assertThat(DurationConverter.parseDuration(defaultOf("MarkersTtl"))).isEqualTo(Duration.ofMinutes(5));
        assertThat(defaultOf("ReconcilerSchedule")).isEqualTo("rate(15 minutes)");
        Pattern durations = Pattern.compile(defaultOfKey("DedupTtl", "AllowedPattern"));
        for (String ok : List.of("72h", "7d", "30s", "500ms", "PT72H", "P3D", "90")) {
            assertThat(durations.matcher(ok).matches()).as(ok).isTrue();
            DurationConverter.parseDuration(ok);
        }
        assertThat(durations.matcher("72 hours").matches()).isFalse();
    }

    // ------------------------------------------------------------------------------------------------ queue

    @Test
    void processorReportsBatchItemFailuresFromTheSyncQueue() {
        Map<String, Object> events = map(properties("ProcessorFunction").get("Events"));
        assertThat(events).hasSize(1);
        Map<String, Object> event = map(events.values().iterator().next());
        assertThat(event).containsEntry("Type", "SQS");
        Map<String, Object> props = map(event.get("Properties"));
        assertThat(list(props.get("FunctionResponseTypes"))).containsExactly("ReportBatchItemFailures");
        assertThat(props.get("Queue")).isEqualTo(Map.of("Fn::GetAtt", List.of("SyncQueue", "Arn")));
        assertThat(map(props.get("ScalingConfig"))).containsEntry("MaximumConcurrency", ref("ProcessorMaxConcurrency"));
        assertThat(props).containsKeys("BatchSize", "MaximumBatchingWindowInSeconds");
    }

    @Test
    void queueRedrivesToTheDeadLetterQueueAndBothAreEncrypted() {
        Map<String, Object> queue = properties("SyncQueue");
        Map<String, Object> redrive = map(queue.get("RedrivePolicy"));
        assertThat(redrive.get("deadLetterTargetArn")).isEqualTo(Map.of("Fn::GetAtt", List.of("DeadLetterQueue", "Arn")));
        assertThat(redrive.get("maxReceiveCount")).isEqualTo(ref("MaxReceiveCount"));
        assertThat(map(parameters.get("MaxReceiveCount"))).containsEntry("Default", 5);
        Map<String, Object> dlq = properties("DeadLetterQueue");
        assertThat(dlq).containsEntry("MessageRetentionPeriod", 14 * 24 * 3600);
        assertThat(queue).containsEntry("SqsManagedSseEnabled", true);
        assertThat(dlq).containsEntry("SqsManagedSseEnabled", true);
    }

    @Test
    void theJvmVariantSnapshotsPublishedVersionsBehindTheLiveAlias() throws Exception {
        Map<String, Object> function = map(map(template.get("Globals")).get("Function"));
        assertThat(function.get("AutoPublishAlias")).isEqualTo("live");
        assertThat(function.get("SnapStart")).isEqualTo(Map.of("Fn::If", List.of("IsJvm",
                Map.of("ApplyOn", "PublishedVersions"), Map.of("Ref", "AWS::NoValue"))));
        java.util.Properties properties = new java.util.Properties();
        try (var in = java.nio.file.Files.newInputStream(java.nio.file.Path.of("src/main/resources/application.properties"))) {
            properties.load(in);
        }
        assertThat(properties).containsEntry("quarkus.snapstart.enabled", "true")
                .containsEntry("quarkus.snapstart.preload-classes", "true");
    }

    @Test
    void bothQueuesTakeTheLargestMessageTheIngressSends() throws Exception {
        String maxMessageBytes = io.loopfree.sync.config.SyncConfig.Ingress.class.getMethod("maxMessageBytes")
                .getAnnotation(io.smallrye.config.WithDefault.class).value();
        assertThat(maxMessageBytes).isEqualTo("1048576"); // SQS's limit
        assertThat(properties("SyncQueue").get("MaximumMessageSize")).isEqualTo(Integer.parseInt(maxMessageBytes));
        assertThat(properties("DeadLetterQueue").get("MaximumMessageSize")).isEqualTo(Integer.parseInt(maxMessageBytes));
    }

    @Test
    void visibilityTimeoutIsAtLeastSixTimesTheProcessorTimeoutForEveryAllowedTimeout() {
        assertThat(properties("ProcessorFunction").get("Timeout")).isEqualTo(ref("ProcessorTimeoutSeconds"));
        assertThat(properties("SyncQueue").get("VisibilityTimeout")).isEqualTo(Map.of("Fn::FindInMap",
                List.of("ProcessorTimeouts", ref("ProcessorTimeoutSeconds"), "QueueVisibilityTimeout")));
        Map<String, Object> timeouts = map(map(template.get("Mappings")).get("ProcessorTimeouts"));
        Map<String, Object> timeoutParameter = map(parameters.get("ProcessorTimeoutSeconds"));
        List<Object> allowed = list(timeoutParameter.get("AllowedValues"));
        assertThat(allowed).contains(timeoutParameter.get("Default"));
        int maxBatchingWindow = ((Number) map(parameters.get("ProcessorMaxBatchingWindowSeconds")).get("MaxValue")).intValue();
        for (Object value : allowed) {
            int timeout = ((Number) value).intValue();
            Object row = timeouts.get(String.valueOf(timeout));
            assertThat(row).as("mapping row for timeout %s", timeout).isNotNull();
            int visibility = ((Number) map(row).get("QueueVisibilityTimeout")).intValue();
            assertThat(visibility).as("visibility for timeout %s", timeout).isGreaterThanOrEqualTo(6 * timeout)
                    .isGreaterThanOrEqualTo(timeout + maxBatchingWindow)
                    .isLessThanOrEqualTo(43_200);
        }
    }

    // ------------------------------------------------------------------------------------------------ IAM

    @Test
    void noStatementGrantsWildcardActionsOrWildcardResourcesForData() {
        List<Map<String, Object>> statements = new ArrayList<>();
        collectStatements(template.get("Resources"), false, statements);
        assertThat(statements).hasSizeGreaterThanOrEqualTo(10);
        for (Map<String, Object> statement : statements) {
            List<Object> actions = asList(statement.get("Action"));
            assertThat(statement).doesNotContainKeys("NotAction", "NotResource");
            for (Object action : actions) {
                assertThat(action).isInstanceOf(String.class);
                assertThat((String) action).as("action").doesNotContain("*");
            }
            boolean data = actions.stream().map(String::valueOf)
                    .anyMatch(a -> a.startsWith("dynamodb:") || a.startsWith("sqs:"));
            for (Object resource : asList(statement.get("Resource"))) {
                assertThat(resource).as("resource of %s", actions).isNotEqualTo("*");
                if (data) {
                    assertThat(resource).as("data resource must be an ARN from the template").isInstanceOf(Map.class);
                    assertThat(String.valueOf(resource)).doesNotContain("*");
                }
            }
        }
    }

    @Test
    void eachRoleGrantsExactlyItsDocumentedActions() {
        assertThat(grants("IngressRole")).isEqualTo(Map.of(
                "logs:CreateLogStream", Set.of("IngressLogGroup.Arn"),
                "logs:PutLogEvents", Set.of("IngressLogGroup.Arn"),
                "sqs:SendMessage", Set.of("SyncQueue.Arn"),
                "sqs:GetQueueAttributes", Set.of("SyncQueue.Arn"),
                "ssm:GetParameter", Set.of(ssmPath(""), ssmPath("/*")),
                "ssm:GetParametersByPath", Set.of(ssmPath(""), ssmPath("/*")),
                "kms:Decrypt", Set.of("arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*")));
        Set<String> tables = Set.of("EventsTable.Arn", "StateTable.Arn");
        Map<String, Set<String>> processor = new LinkedHashMap<>();
        processor.put("logs:CreateLogStream", Set.of("ProcessorLogGroup.Arn"));
        processor.put("logs:PutLogEvents", Set.of("ProcessorLogGroup.Arn"));
        // ChangeMessageVisibility and GetQueueUrl: an in-progress duplicate comes back when the lease ends
        for (String action : List.of("ReceiveMessage", "DeleteMessage", "GetQueueAttributes", "ChangeMessageVisibility",
                "GetQueueUrl")) {
            processor.put("sqs:" + action, Set.of("SyncQueue.Arn"));
        }
        for (String action : List.of("BatchGetItem", "GetItem", "PutItem", "UpdateItem", "DeleteItem",
                "ConditionCheckItem")) {
            processor.put("dynamodb:" + action, tables);
        }
        processor.put("dynamodb:Query", Set.of("StateTable.Arn")); // an account's outbox, drained (safety valves)
        // deterministic failures, at once; an account's drain at its breaker's reopen time, delayed
        processor.put("sqs:SendMessage", Set.of("DeadLetterQueue.Arn", "SyncQueue.Arn"));
        processor.put("ssm:GetParameter", Set.of(ssmPath("/*/*/outbound-*")));
        processor.put("kms:Decrypt", Set.of("arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*"));
        assertThat(grants("ProcessorRole")).isEqualTo(processor);
        Map<String, Set<String>> reconciler = new LinkedHashMap<>();
        reconciler.put("logs:CreateLogStream", Set.of("ReconcilerLogGroup.Arn"));
        reconciler.put("logs:PutLogEvents", Set.of("ReconcilerLogGroup.Arn"));
        reconciler.put("sqs:SendMessage", Set.of("SyncQueue.Arn"));
        for (String action : List.of("Query", "GetItem", "PutItem", "DeleteItem", "ConditionCheckItem")) {
            reconciler.put("dynamodb:" + action, Set.of("StateTable.Arn"));
        }
        for (String action : List.of("BatchGetItem", "UpdateItem")) {
            reconciler.put("dynamodb:" + action, Set.of("StateTable.Arn", "EventsTable.Arn"));
        }
        reconciler.put("ssm:GetParameter", Set.of(ssmPath("/*/*/outbound-*")));
        reconciler.put("kms:Decrypt", Set.of("arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*"));
        assertThat(grants("ReconcilerRole")).isEqualTo(reconciler);
        assertThat(grants("RelayRole")).isEqualTo(Map.of(
                "logs:CreateLogStream", Set.of("RelayLogGroup.Arn"),
                "logs:PutLogEvents", Set.of("RelayLogGroup.Arn"),
                "sqs:SendMessage", Set.of("SyncQueue.Arn", "RelayDeadLetterQueue.Arn"),
                "sqs:GetQueueAttributes", Set.of("SyncQueue.Arn")));

        Map<String, Object> kms = statementsOf("IngressRole").stream()
                .filter(s -> asList(s.get("Action")).contains("kms:Decrypt")).findFirst().orElseThrow();
        assertThat(map(map(kms.get("Condition")).get("StringEquals")))
                .containsEntry("kms:ViaService", Map.of("Fn::Sub", "ssm.${AWS::Region}.${AWS::URLSuffix}"));
    }

    // ------------------------------------------------------------------------------------------------ metrics

    @Test
    void everyEngineMetricAnAlarmWatchesIsOneTheCodeEmitsUnderItsFunctionsName() {
        List<String> watched = new ArrayList<>();
        for (var entry : resources.entrySet()) {
            Map<String, Object> resource = map(entry.getValue());
            assertThat(resource.get("Type")).as("EMF replaced the log metric filters").isNotEqualTo("AWS::Logs::MetricFilter");
            if (!"AWS::CloudWatch::Alarm".equals(resource.get("Type"))) {
                continue;
            }
            Map<String, Object> props = map(resource.get("Properties"));
            List<Map<String, Object>> metrics = new ArrayList<>();
            if (props.get("MetricName") != null) {
                metrics.add(props);
            }
            if (props.get("Metrics") != null) {
                for (Object query : list(props.get("Metrics"))) {
                    Object stat = map(query).get("MetricStat");
                    if (stat != null) {
                        metrics.add(map(map(stat).get("Metric")));
                    }
                }
            }
            for (Map<String, Object> metric : metrics) {
                if (!"LoopfreeSync".equals(metric.get("Namespace"))) {
                    continue;
                }
                String name = (String) metric.get("MetricName");
                watched.add(entry.getKey() + ":" + name);
                assertThat(SyncMetrics.NAMES).as("%s watches %s", entry.getKey(), name).contains(name);
                // EMF records every datapoint under [FunctionName] alone, and under [FunctionName, its dimensions]:
                // the alarms watch the first, or the second with a literal (bounded) value such as system=salesforce
                List<Object> dimensions = list(metric.get("Dimensions"));
                assertThat(dimensions).as(entry.getKey()).hasSizeBetween(1, 2);
                assertThat(map(dimensions.get(0)).get("Name")).isEqualTo("FunctionName");
                assertThat(List.of(ref("IngressFunction"), ref("ProcessorFunction"), ref("ReconcilerFunction"),
                        ref("RelayFunction"))).contains(map(map(dimensions.get(0)).get("Value")));
                if (dimensions.size() == 2) {
                    assertThat(map(dimensions.get(1))).as(entry.getKey()).containsEntry("Name", "system");
                    assertThat(map(dimensions.get(1)).get("Value")).as(entry.getKey()).isInstanceOf(String.class);
                }
            }
        }
        assertThat(watched).contains("WebhooksAnomalyAlarm:WebhookEventsPerAccount", "EchoDropsAnomalyAlarm:EchoesDropped",
                "ProviderQuotaAlarm:ProviderQuotaUsed", "ReconciliationDurationAlarm:ReconciliationDuration",
                "WriteFailureRateAlarm:OutboundWriteFailures", "WriteFailureRateAlarm:OutboundWrites",
                "WatermarkStalenessAlarm:WatermarkStaleness", "LoopDetectorTripsAlarm:LoopDetectorTrips",
                "LoopDetectorAlarm:OutboundWritesPerAccount", "FailedMessagesAlarm:MessagesFailed",
                "SalesforceRelayStoppedAlarm:RelayedChangeEvents", "SalesforceRelayStoppedAlarm:ReconciliationRecords");
    }

    // ------------------------------------------------------------------------------------------------ relay

    private static final Set<String> RELAY_RESOURCES = Set.of("SalesforceEventBus", "SalesforceChangeEventsRule",
            "RelayFunction", "RelayLogGroup", "RelayRole", "RelayInvokedByTheRule", "RelayDeadLetterQueue",
            "RelayDeadLetterQueuePolicy", "RelayDeadLetterQueueAlarm", "SalesforceRelayStoppedAlarm");

    @Test
    void withoutASalesforceEventSourceTheStackHasNoRelayAtAll() {
        assertThat(defaultOf("SalesforceEventSourceName")).isEmpty();
        assertThat(map(template.get("Conditions")).get("HasSalesforceRelay")).isEqualTo(Map.of("Fn::Not",
                List.of(Map.of("Fn::Equals", List.of(ref("SalesforceEventSourceName"), "")))));
        for (var entry : resources.entrySet()) {
            boolean relay = RELAY_RESOURCES.contains(entry.getKey());
            assertThat(map(entry.getValue()).get("Condition")).as(entry.getKey())
                    .isEqualTo(relay ? "HasSalesforceRelay" : null);
        }
        Pattern source = Pattern.compile(defaultOfKey("SalesforceEventSourceName", "AllowedPattern"));
        assertThat(source.matcher("aws.partner/salesforce.com/00DRM000000Fxts2AC/0YLRM0000004Dfg4AE").matches()).isTrue();
        assertThat(source.matcher("").matches()).isTrue();
        assertThat(source.matcher("aws.partner/other.com/00DRM000000Fxts2AC/0YLRM0000004Dfg4AE").matches()).isFalse();
        Pattern tenants = Pattern.compile(defaultOfKey("SalesforceOrgTenants", "AllowedPattern"));
        assertThat(tenants.matcher("00DRM000000Fxts2AC=acme,00DRM000000Fxts=globex").matches()).isTrue();
        assertThat(tenants.matcher("00DRM000000Fxts2AC=Acme").matches()).as("the tenant name rule").isFalse();
    }

    @Test
    void theRuleRoutesTheConfiguredChangeEventsToTheRelayWithItsOwnRetriesAndDeadLetterQueue() {
        Map<String, Object> bus = properties("SalesforceEventBus");
        assertThat(bus.get("EventSourceName")).isEqualTo(ref("SalesforceEventSourceName"));
        assertThat(bus.get("Name")).isEqualTo(ref("SalesforceEventSourceName"));
        Map<String, Object> rule = properties("SalesforceChangeEventsRule");
        assertThat(rule.get("EventBusName")).isEqualTo(ref("SalesforceEventBus"));
        assertThat(map(rule.get("EventPattern"))).containsEntry("source", List.of(ref("SalesforceEventSourceName")))
                .containsEntry("detail-type", ref("SalesforceChangeEvents"));
        Map<String, Object> target = map(list(rule.get("Targets")).get(0));
        assertThat(target.get("Arn")).isEqualTo(ref("RelayFunction.Alias"));
        assertThat(map(target.get("RetryPolicy"))).containsKeys("MaximumRetryAttempts", "MaximumEventAgeInSeconds");
        assertThat(map(target.get("DeadLetterConfig")).get("Arn"))
                .isEqualTo(Map.of("Fn::GetAtt", List.of("RelayDeadLetterQueue", "Arn")));
        // a failed invocation (asynchronous) ends in the same queue
        Map<String, Object> invoke = map(properties("RelayFunction").get("EventInvokeConfig"));
        assertThat(map(map(map(invoke.get("DestinationConfig")).get("OnFailure")))).containsEntry("Type", "SQS")
                .containsEntry("Destination", Map.of("Fn::GetAtt", List.of("RelayDeadLetterQueue", "Arn")));
    }

    @Test
    void onlyTheRuleMayInvokeTheRelayOrFillItsDeadLetterQueue() {
        Map<String, Object> permission = properties("RelayInvokedByTheRule");
        assertThat(permission).containsEntry("Action", "lambda:InvokeFunction")
                .containsEntry("Principal", "events.amazonaws.com")
                .containsEntry("FunctionName", ref("RelayFunction.Alias"))
                .containsEntry("SourceArn", Map.of("Fn::GetAtt", List.of("SalesforceChangeEventsRule", "Arn")));
        Map<String, Object> policy = map(properties("RelayDeadLetterQueuePolicy").get("PolicyDocument"));
        Map<String, Object> statement = map(list(policy.get("Statement")).get(0));
        assertThat(statement).containsEntry("Action", "sqs:SendMessage")
                .containsEntry("Principal", Map.of("Service", "events.amazonaws.com"))
                .containsEntry("Resource", Map.of("Fn::GetAtt", List.of("RelayDeadLetterQueue", "Arn")));
        assertThat(map(map(statement.get("Condition")).get("ArnEquals"))).containsEntry("aws:SourceArn",
                Map.of("Fn::GetAtt", List.of("SalesforceChangeEventsRule", "Arn")));
    }

    @Test
    void alarmsWatchTheDeadLetterQueueErrorsBacklogAndLoops() {
        Map<String, String> metrics = new LinkedHashMap<>();
        for (Object value : resources.values()) {
            Map<String, Object> resource = map(value);
            if ("AWS::CloudWatch::Alarm".equals(resource.get("Type"))) {
                Map<String, Object> props = map(resource.get("Properties"));
                metrics.put(String.valueOf(props.get("MetricName")), String.valueOf(props.get("Namespace")));
                assertThat(props.get("AlarmActions")).isEqualTo(Map.of("Fn::If",
                        List.of("HasAlarmTopic", List.of(ref("AlarmTopicArn")), ref("AWS::NoValue"))));
            }
        }
        assertThat(metrics).containsEntry("ApproximateNumberOfMessagesVisible", "AWS/SQS")
                .containsEntry("Errors", "AWS/Lambda")
                .containsEntry("ApproximateAgeOfOldestMessage", "AWS/SQS")
                .containsEntry("OutboundWritesPerAccount", "LoopfreeSync");
        Map<String, Object> dlq = map(map(resources.get("DeadLetterQueueAlarm")).get("Properties"));
        assertThat(dlq.get("Threshold")).as("not empty").isEqualTo(0);
        assertThat(dlq.get("ComparisonOperator")).isEqualTo("GreaterThanThreshold");
    }

    @Test
    void theSeedsThresholdsAreTheAlarmsThresholds() {
        Map<String, Object> failures = properties("WriteFailureRateAlarm");
        assertThat(failures.get("Threshold")).as("write failures > 5% of writes").isEqualTo(5);
        List<Object> queries = list(failures.get("Metrics"));
        assertThat(queries).extracting(m -> map(m).get("Id")).containsExactly("failures", "writes", "failureRate");
        assertThat(map(queries.get(2)).get("Expression")).isEqualTo("IF(writes > 0, 100 * failures / writes, 0)");

        Map<String, Object> echoes = properties("EchoDropsAnomalyAlarm");
        assertThat(echoes.get("ComparisonOperator")).as("a spike or a fall to zero")
                .isEqualTo("LessThanLowerOrGreaterThanUpperThreshold");
        assertThat(echoes.get("ThresholdMetricId")).isEqualTo("band");
        assertThat(list(echoes.get("Metrics"))).anySatisfy(m -> assertThat(map(m).get("Expression"))
                .isEqualTo("ANOMALY_DETECTION_BAND(echoes, 3)"));

        Map<String, Object> webhooks = properties("WebhooksAnomalyAlarm");
        assertThat(webhooks.get("ComparisonOperator")).isEqualTo("GreaterThanUpperThreshold");
        assertThat(webhooks.get("EvaluationPeriods")).as("10 minutes of 5-minute periods").isEqualTo(2);
        assertThat(webhooks.get("DatapointsToAlarm")).isEqualTo(2);

        assertThat(properties("ProviderQuotaAlarm").get("Threshold")).isEqualTo(ref("ProviderQuotaAlarmPercent"));
        assertThat(defaultOf("ProviderQuotaAlarmPercent")).as("50% of the provider's limit").isEqualTo("50");
        assertThat(properties("ReconciliationDurationAlarm").get("ComparisonOperator"))
                .isEqualTo("GreaterThanUpperThreshold");
        assertThat(properties("WatermarkStalenessAlarm").get("Threshold")).isEqualTo(ref("WatermarkStalenessAlarmSeconds"));
        // 4 x the schedule's interval
        Matcher rate = Pattern.compile("rate\\((\\d+) minutes\\)").matcher(defaultOf("ReconcilerSchedule"));
        assertThat(rate.matches()).isTrue();
        assertThat(Long.parseLong(defaultOf("WatermarkStalenessAlarmSeconds")))
                .isEqualTo(4 * 60 * Long.parseLong(rate.group(1)));
        assertThat(properties("LoopDetectorTripsAlarm").get("Threshold")).isEqualTo(0);
    }

    @Test
    void secretsStayOutOfTheTemplate() throws IOException {
        String text = Files.readString(Path.of(System.getProperty("basedir", "."), "infra", "template.yaml"));
        assertThat(text).doesNotContain("whsec_").doesNotContainIgnoringCase("secretstring");
        assertThat(defaultOf("WebhookSecretsSsmPath")).startsWith("/").doesNotEndWith("/");
    }

    // ------------------------------------------------------------------------------------------------ helpers

    static String ssmPath(String suffix) {
        return "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${WebhookSecretsSsmPath}" + suffix;
    }

    /** action -> resources ("Logical.Attr" for GetAtt, the Sub text for Sub) granted by one role. */
    static Map<String, Set<String>> grants(String role) {
        Map<String, Set<String>> grants = new LinkedHashMap<>();
        for (Map<String, Object> statement : statementsOf(role)) {
            assertThat(statement).containsEntry("Effect", "Allow");
            for (Object action : asList(statement.get("Action"))) {
                Set<String> resourcesOfAction = grants.computeIfAbsent((String) action, a -> new TreeSet<>());
                for (Object resource : asList(statement.get("Resource"))) {
                    resourcesOfAction.add(describe(resource));
                }
            }
        }
        return grants;
    }

    static String describe(Object resource) {
        if (resource instanceof Map<?, ?> m && m.get("Fn::GetAtt") instanceof List<?> l) {
            return l.get(0) + "." + l.get(1);
        }
        if (resource instanceof Map<?, ?> m && m.get("Fn::Sub") instanceof String s) {
            return s;
        }
        return String.valueOf(resource);
    }

    static List<Map<String, Object>> statementsOf(String role) {
        Map<String, Object> props = properties(role);
        List<Map<String, Object>> statements = new ArrayList<>();
        for (Object policy : list(props.get("Policies"))) {
            for (Object statement : list(map(map(policy).get("PolicyDocument")).get("Statement"))) {
                statements.add(map(statement));
            }
        }
        assertThat(props).doesNotContainKey("ManagedPolicyArns");
        return statements;
    }

    /** Statements of identity policies anywhere under node (trust policies are skipped). */
    static void collectStatements(Object node, boolean inPolicy, List<Map<String, Object>> out) {
        if (node instanceof Map<?, ?> m) {
            if (inPolicy && m.get("Statement") != null) {
                for (Object s : asList(m.get("Statement"))) {
                    out.add(map(s));
                }
                return;
            }
            for (var e : m.entrySet()) {
                String key = String.valueOf(e.getKey());
                if (!key.equals("AssumeRolePolicyDocument")) {
                    collectStatements(e.getValue(), inPolicy || key.equals("PolicyDocument") || key.equals("Policies"), out);
                }
            }
        } else if (node instanceof List<?> l) {
            for (Object o : l) {
                collectStatements(o, inPolicy, out);
            }
        }
    }

    static Map<String, Object> functions() {
        Map<String, Object> functions = new LinkedHashMap<>();
        resources.forEach((id, r) -> {
            if ("AWS::Serverless::Function".equals(map(r).get("Type"))) {
                functions.put(id, r);
            }
        });
        return functions;
    }

    static Map<String, Object> environment(String function) {
        return map(map(properties(function).get("Environment")).get("Variables"));
    }

    static Map<String, Object> properties(String resource) {
        assertThat(resources).containsKey(resource);
        return map(map(resources.get(resource)).get("Properties"));
    }

    static List<Map.Entry<Object, Object>> keySchema(Map<String, Object> table) {
        return list(table.get("KeySchema")).stream()
                .map(k -> Map.entry(map(k).get("AttributeName"), map(k).get("KeyType"))).toList();
    }

    static String defaultOf(String parameter) {
        return defaultOfKey(parameter, "Default");
    }

    static String defaultOfKey(String parameter, String key) {
        return String.valueOf(map(parameters.get(parameter)).get(key));
    }

    static Map<String, Object> ref(String name) {
        return Map.of("Ref", name);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        assertThat(o).isInstanceOf(Map.class);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        assertThat(o).isInstanceOf(List.class);
        return (List<Object>) o;
    }

    static List<Object> asList(Object o) {
        return o instanceof List<?> l ? new ArrayList<>(l) : List.of(o);
    }

    /** SnakeYAML constructor that reads CloudFormation short tags (!Ref x, !GetAtt a.b, !Sub, !If...) as long form. */
    static final class CfnConstructor extends SafeConstructor {
        CfnConstructor(LoaderOptions options) {
            super(options);
            this.yamlMultiConstructors.put("!", new AbstractConstruct() {
                @Override
                public Object construct(Node node) {
                    String tag = node.getTag().getValue().substring(1);
                    String key = tag.equals("Ref") || tag.equals("Condition") ? tag : "Fn::" + tag;
                    Object value;
                    if (node instanceof ScalarNode scalar) {
                        value = constructScalar(scalar);
                    } else if (node instanceof SequenceNode sequence) {
                        value = constructSequence(sequence);
                    } else {
                        value = constructMapping((MappingNode) node);
                    }
                    if (key.equals("Fn::GetAtt") && value instanceof String s) {
                        value = List.of(s.split("\\.", 2));
                    }
                    return Map.of(key, value);
                }
            });
        }
    }
}
