package io.loopfree.sync.app;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.loopfree.sync.config.SyncConfig;
import io.loopfree.sync.domain.outbound.OutboundProfile;
import io.loopfree.sync.domain.outbound.OutboundResponse;
import io.loopfree.sync.domain.outbound.OutboundTarget;
import io.loopfree.sync.domain.ratelimit.RateLimitHeaders;
import io.loopfree.sync.domain.ratelimit.RateLimitUsage;
import io.loopfree.sync.domain.valve.AccountKey;
import io.loopfree.sync.domain.valve.Breaker;
import io.loopfree.sync.domain.valve.BreakerRules;
import io.loopfree.sync.domain.valve.DrainRequest;
import io.loopfree.sync.domain.valve.LoopDetector;
import io.loopfree.sync.domain.valve.WindowKey;
import io.loopfree.sync.ports.BreakerStore;
import io.loopfree.sync.ports.DrainScheduler;
import io.loopfree.sync.ports.Metrics;
import io.loopfree.sync.ports.OutboundProfileRepository;
import io.loopfree.sync.ports.SyncLedger;

/**
 * The per-account safety valves around every outbound call: the breaker (state in DynamoDB, read with each
 * message: every instance sees an opening at once), the rate-limit headers read on every response, the half-open
 * probe, the loop detector's counters and its metric; an opening asks for the account's drain at its reopen time
 * ({@link DrainScheduler}), so the writes it holds go out then. One {@link Session} per message (or per drain, or per
 * reconciler listing) carries what was read and what this instance itself opened meanwhile.
 *
 * <p>For the reconciler's listings: {@link #forAccount} (one read), then {@link Session#admits} before each call
 * and {@link Session#observe} with each response.
 */
@ApplicationScoped
public class SafetyValves {

    private static final Logger LOG = Logger.getLogger(SafetyValves.class);
    public static final String METRIC = "OutboundWritesPerAccount";

    private final BreakerStore breakers;
    private final OutboundProfileRepository profiles;
    private final Metrics metrics;
    private final SyncMetrics syncMetrics;
    private final DrainScheduler drains;
    private final Clock clock;
    private final SyncConfig.Valves config;

    public SafetyValves(BreakerStore breakers, OutboundProfileRepository profiles, Metrics metrics,
            DrainScheduler drains, Clock clock, SyncConfig config) {
        this.breakers = breakers;
        this.profiles = profiles;
        this.metrics = metrics;
        this.drains = drains;
        this.syncMetrics = new SyncMetrics(metrics);
        this.clock = clock;
        this.config = config.valves();
    }

    /** The breakers and the loop counters to read with a record, for the accounts of its targets. */
    public List<AccountKey> breakerKeys(List<AccountKey> accounts) {
        return List.copyOf(new LinkedHashSet<>(accounts));
    }

    public List<WindowKey> counterKeys(List<AccountKey> accounts, Instant now) {
        Instant start = LoopDetector.windowStart(now, config.loop().window());
        List<WindowKey> keys = new ArrayList<>();
        for (AccountKey account : new LinkedHashSet<>(accounts)) {
            keys.add(new WindowKey(account, start));
            LoopDetector.previousWindows(start, config.loop().window(), config.loop().baselineWindows())
                    .forEach(previous -> keys.add(new WindowKey(account, previous)));
        }
        return keys;
    }

    /** A session over what the record read found. */
    /**
     * The counts as loop evidence: the writes caused by a full sync's listing (every record once: a first sync of
     * 1,000 records) are left out, so that it does not trip the loop detector; what waits (deferred) still counts.
     * The webhooks those writes cause are counted as usual, so a loop through them is still seen.
     */
    public static List<SyncLedger.ValveCount> loopEvidence(List<SyncLedger.ValveCount> counts, boolean fullSync) {
        if (!fullSync) {
            return counts;
        }
        return counts.stream().map(c -> new SyncLedger.ValveCount(c.window(), 0, c.record(), c.expiresAt(),
                c.deferred())).toList();
    }

    public Session session(SyncLedger.RecordView view) {
        return new Session(view.breakers(), view.counters());
    }

    /** A session for one account, its breaker read now (one GetItem): drains and the reconciler's listings. */
    public Session forAccount(AccountKey account) {
        return new Session(Map.of(account, breakers.find(account)), Map.of());
    }

    public Session forAccount(OutboundTarget target) {
        return forAccount(key(target));
    }

    /**
     * Reads one response's rate-limit headers and opens the account's breaker if they say so (no read: the opening
     * is one conditional write). For calls outside a session: the processor's fetch of a skinny record, the
     * reconciler's listings.
     */
    public void observe(OutboundTarget target, OutboundResponse response) {
        new Session(Map.of(), Map.of()).observe(target, response);
    }

    public static AccountKey key(OutboundTarget target) {
        return new AccountKey(target.tenant(), target.system(), target.account());
    }

    /** What one message (or drain, or listing) knows about its accounts' valves, and what it did to them. */
    public final class Session {
        private final Map<AccountKey, Breaker> known;
        private final Map<WindowKey, WindowKey.Count> counters;
        private final Map<AccountKey, String> probes = new HashMap<>();
        private final Set<AccountKey> drainDue = new LinkedHashSet<>();

        Session(Map<AccountKey, Breaker> known, Map<WindowKey, WindowKey.Count> counters) {
            this.known = new HashMap<>(known);
            this.counters = counters;
            // a closed, unpaused breaker still counting held writes: they are due now
            known.values().stream().filter(b -> b.state() == Breaker.State.closed && !b.paused() && b.heldWrites() > 0)
                    .forEach(b -> drainDue.add(b.key()));
        }

        public Breaker breaker(AccountKey account) {
            return known.computeIfAbsent(account, k -> breakers.find(k));
        }

        /**
         * Whether a call to the target's account may be made now: closed, or this session won the half-open probe
         * (a conditional write: one probe across every instance).
         */
        public BreakerRules.Gate gate(OutboundTarget target) {
            AccountKey account = key(target);
            if (probes.containsKey(account)) {
                return new BreakerRules.Hold("probing", Optional.empty()); // one probe call, then its answer decides
            }
            Instant now = clock.instant();
            BreakerRules.Gate gate = BreakerRules.admit(breaker(account), now);
            if (gate instanceof BreakerRules.Probe) {
                Optional<String> token = breakers.claimProbe(account, now, now.plus(config.probeLease()));
                if (token.isEmpty()) {
                    return new BreakerRules.Hold("probing", Optional.empty());
                }
                probes.put(account, token.get());
                LOG.infof("breaker account=%s half-open: this call is the probe", account.label());
                syncMetrics.breaker(account, Breaker.State.half_open, "probe");
            }
            return gate;
        }

        /**
         * {@link #observe} for an outbound write call, which it also counts per account ({@code OutboundWrites},
         * {@code OutboundWriteFailures}: rejected, not found for an upsert, unavailable; a 429 counts apart).
         */
        public void observeWrite(OutboundTarget target, OutboundResponse response, boolean delete) {
            observe(target, response);
            boolean failed = response instanceof OutboundResponse.Rejected
                    || response instanceof OutboundResponse.Unavailable
                    || (response instanceof OutboundResponse.NotFound && !delete);
            syncMetrics.outboundWrite(key(target), failed);
        }

        /** {@link #gate} as a yes/no, for the reconciler's listings. */
        public boolean admits(OutboundTarget target) {
            return !(gate(target) instanceof BreakerRules.Hold);
        }

        /**
         * Reads the response's rate-limit headers (the families the target's profile lists) and moves the breaker:
         * a 429 or usage past the threshold opens it; a probe's success closes it (its held writes become due), its
         * failure reopens it with backoff.
         */
        public void observe(OutboundTarget target, OutboundResponse response) {
            AccountKey account = key(target);
            Instant now = clock.instant();
            List<String> families = profiles.find(target.profile()).map(OutboundProfile::rateLimitHeaders)
                    .orElse(List.of());
            List<RateLimitUsage> usages = RateLimitHeaders.read(families, response.headers(), now);
            usages.stream().flatMap(u -> u.usedFraction().stream().map(f -> Map.entry(f, u.describe())))
                    .max(Map.Entry.comparingByKey())
                    .ifPresent(tightest -> syncMetrics.quotaUsed(account, tightest.getKey(), tightest.getValue()));
            if (response instanceof OutboundResponse.RateLimited) {
                syncMetrics.rateLimited(account);
            }
            Optional<Instant> retryAt = response instanceof OutboundResponse.RateLimited limited
                    ? limited.retryAt().or(() -> RateLimitHeaders.retryAt(families, response.headers(), now))
                    : Optional.empty();
            Optional<BreakerRules.Trip> trip = BreakerRules.afterResponse(
                    response instanceof OutboundResponse.RateLimited ? 429 : response.status(), usages, retryAt,
                    config.usageThreshold(), config.defaultOpen(), now);
            String probe = probes.remove(account);
            Breaker breaker = known.getOrDefault(account, Breaker.closed(account));
            if (probe != null) {
                boolean healthy = response instanceof OutboundResponse.Done || response instanceof OutboundResponse.NotFound
                        || response instanceof OutboundResponse.Rejected;
                if (healthy && trip.isEmpty()) {
                    if (breakers.close(account, probe, now)) {
                        known.put(account, breaker.asClosed());
                        drainDue.add(account);
                        LOG.infof("breaker account=%s closed: the probe succeeded", account.label());
                        syncMetrics.breaker(account, Breaker.State.closed, "probe-succeeded");
                    }
                    return;
                }
                Instant until = BreakerRules.backoff(breaker.trips(), config.backoffBase(), config.backoffMax(),
                        trip.map(BreakerRules.Trip::until), now);
                String reason = trip.map(BreakerRules.Trip::reason).orElse(BreakerRules.PROBE_FAILED);
                if (breakers.open(account, reason, now, until, trip.map(BreakerRules.Trip::usage).orElse(""),
                        Optional.of(probe))) {
                    drains.schedule(new DrainRequest(account, until), now); // the next probe, at the reopen time
                }
                known.put(account, breaker.openedUntil(reason, now, until));
                LOG.warnf("breaker account=%s reopened: the probe failed (HTTP %d, %s) until %s", account.label(),
                        response.status(), reason, until);
                syncMetrics.breaker(account, Breaker.State.open, reason);
                return;
            }
            if (trip.isPresent()) {
                open(account, trip.get().reason(), trip.get().until(), trip.get().usage(), now);
            }
        }

        private void open(AccountKey account, String reason, Instant until, String usage, Instant now) {
            boolean opened = breakers.open(account, reason, now, until, usage, Optional.empty());
            known.put(account, known.getOrDefault(account, Breaker.closed(account)).openedUntil(reason, now, until));
            if (opened) {
                LOG.warnf("breaker account=%s opened reason=%s until=%s usage=\"%s\"", account.label(), reason, until,
                        usage);
                syncMetrics.breaker(account, Breaker.State.open, reason);
                // only the instance whose conditional write opened (or extended) it asks: one drain per opening
                drains.schedule(new DrainRequest(account, until), now);
            }
        }

        /**
         * What the completion adds to the valves' items: per account, the writes counted in this window, and the
         * writes that waited.
         */
        public List<SyncLedger.ValveCount> counts(List<SyncLedger.WriteResult> results, String record) {
            Instant now = clock.instant();
            Instant start = LoopDetector.windowStart(now, config.loop().window());
            Instant expires = start.plus(config.loop().window().multipliedBy(config.loop().baselineWindows() + 2L));
            Map<AccountKey, int[]> perAccount = new LinkedHashMap<>();
            for (SyncLedger.WriteResult result : results) {
                AccountKey account = key(result.pending().write().target());
                int[] figures = perAccount.computeIfAbsent(account, k -> new int[2]);
                if (result instanceof SyncLedger.Deferred) {
                    figures[1]++;
                } else if (!(result instanceof SyncLedger.WillRetry
                        && ((SyncLedger.WillRetry) result).reason().startsWith(NO_TIME))) {
                    figures[0]++; // every call made counts, answered or not
                }
            }
            List<SyncLedger.ValveCount> counts = new ArrayList<>();
            perAccount.forEach((account, figures) -> counts.add(new SyncLedger.ValveCount(
                    new WindowKey(account, start), figures[0], record, expires, figures[1])));
            return counts;
        }

        /**
         * The loop detector, after this message's calls: per account written to, the window's count (as read, plus
         * this message's) against the rolling baseline; far above it opens the breaker ({@code loop-suspected}) and
         * logs the records involved. Emits {@value #METRIC} (the window's count) for every account written to.
         */
        public void afterWrites(List<SyncLedger.ValveCount> counts, String record) {
            Instant now = clock.instant();
            for (SyncLedger.ValveCount count : counts) {
                if (count.writes() == 0) {
                    continue;
                }
                WindowKey window = count.window();
                WindowKey.Count current = counters.getOrDefault(window, new WindowKey.Count(window, 0, List.of()));
                long inWindow = current.writes() + count.writes();
                List<Long> previous = LoopDetector.previousWindows(window.start(), config.loop().window(),
                        config.loop().baselineWindows()).stream()
                        .map(start -> counters.getOrDefault(new WindowKey(window.account(), start),
                                new WindowKey.Count(window, 0, List.of())).writes())
                        .toList();
                double baseline = LoopDetector.baseline(previous, config.loop().floor());
                metrics.emit(METRIC, inWindow, "Count", Map.of("account", window.account().label(),
                        "windowStart", window.start().toString(), "baseline", Double.toString(baseline)));
                if (!LoopDetector.suspect(inWindow, baseline, config.loop().factor())) {
                    continue;
                }
                Breaker breaker = breaker(window.account());
                if (breaker.state() == Breaker.State.open && breaker.reason().equals(BreakerRules.LOOP_SUSPECTED)) {
                    continue;
                }
                List<String> records = new ArrayList<>(current.records());
                if (!records.contains(record)) {
                    records.add(record);
                }
                LOG.errorf("loop suspected account=%s writes=%d baseline=%.1f factor=%.1f window=%s records=%s",
                        window.account().label(), inWindow, baseline, config.loop().factor(), window.start(),
                        printable(String.join(",", records)));
                syncMetrics.loopDetectorTripped(window.account(), inWindow, baseline);
                open(window.account(), BreakerRules.LOOP_SUSPECTED, now.plus(config.loop().openFor()),
                        inWindow + " writes in the window, baseline " + Math.round(baseline), now);
            }
        }

        /** Accounts whose held writes are due: a probe closed their breaker, or they were found closed with some. */
        public Set<AccountKey> drainDue() {
            return Set.copyOf(drainDue);
        }
    }

    static final String NO_TIME = "no time left";

    /** Record labels come from providers' ids: at most 2000 characters, control characters escaped, for the log. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && out.length() < 2000; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
