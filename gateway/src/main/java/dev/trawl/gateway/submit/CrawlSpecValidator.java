package dev.trawl.gateway.submit;

import dev.trawl.api.event.CrawlSpec;
import dev.trawl.api.event.ErrorTolerance;
import dev.trawl.api.event.FailureAction;
import dev.trawl.api.id.UrlNormalizer;
import dev.trawl.gateway.api.InvalidRequestException;
import dev.trawl.gateway.api.InvalidRequestException.Violation;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Turns a {@link SubmitJobRequest} into the {@link CrawlSpec} the aggregator gets, applying the documented defaults
 * and refusing values no crawl should run with. Seeds are normalised (and de-duplicated) here, once, so every
 * downstream id derived from them is stable.
 */
public final class CrawlSpecValidator {

    public static final int DEFAULT_MAX_DEPTH = 3;
    public static final int DEFAULT_MAX_PAGES = 1000;
    public static final int MAX_DEPTH_LIMIT = 100;
    public static final int MAX_PAGES_LIMIT = 1_000_000;
    public static final int MAX_SEEDS = 100;
    public static final int MAX_PATTERNS = 100;
    public static final int MAX_PATTERN_LENGTH = 1000;
    public static final int MAX_NAME_LENGTH = 200;
    public static final int MAX_CHILD_FAILURES_LIMIT = 1_000_000;

    private static final Map<String, FailureAction> FAILURE_ACTIONS = Map.of(
            "continue", FailureAction.CONTINUE,
            "stop_all", FailureAction.STOP_ALL,
            "mark_warning", FailureAction.MARK_WARNING);

    private final List<Violation> violations = new ArrayList<>();

    private CrawlSpecValidator() {
    }

    /** @throws InvalidRequestException naming every field at fault */
    public static CrawlSpec toSpec(SubmitJobRequest request) {
        return new CrawlSpecValidator().validate(request);
    }

    private CrawlSpec validate(SubmitJobRequest r) {
        List<String> seeds = seeds(r.seeds());
        int maxDepth = (int) bounded("max_depth", r.maxDepth(), DEFAULT_MAX_DEPTH, 0, MAX_DEPTH_LIMIT);
        int maxPages = (int) bounded("max_pages", r.maxPages(), DEFAULT_MAX_PAGES, 1, MAX_PAGES_LIMIT);
        List<String> include = patterns("include", r.include());
        List<String> exclude = patterns("exclude", r.exclude());
        ErrorTolerance tolerance = tolerance(r.errorTolerance());
        String name = name(r.name(), seeds);
        if (!violations.isEmpty()) {
            throw new InvalidRequestException(violations);
        }
        boolean sameHost = r.sameHost() == null || r.sameHost();
        return new CrawlSpec(name, seeds, maxDepth, maxPages, sameHost, include, exclude, tolerance);
    }

    private List<String> seeds(List<String> given) {
        if (given == null || given.isEmpty()) {
            violations.add(new Violation("seeds", "at least one seed URL is required"));
            return List.of();
        }
        if (given.size() > MAX_SEEDS) {
            violations.add(new Violation("seeds", "at most " + MAX_SEEDS + " seeds, got " + given.size()));
            return List.of();
        }
        Set<String> seeds = new LinkedHashSet<>();
        for (int i = 0; i < given.size(); i++) {
            int index = i;
            UrlNormalizer.normalize(given.get(i)).ifPresentOrElse(seeds::add, () -> violations.add(
                    new Violation("seeds[" + index + "]", "not an absolute http(s) URL: " + abbreviate(given.get(index)))));
        }
        return List.copyOf(seeds);
    }

    private long bounded(String field, Long value, long defaultValue, long min, long max) {
        if (value == null) {
            return defaultValue;
        }
        if (value < min || value > max) {
            violations.add(new Violation(field, "must be between " + min + " and " + max + ", got " + value));
            return defaultValue;
        }
        return value;
    }

    private List<String> patterns(String field, List<String> given) {
        if (given == null) {
            return List.of();
        }
        if (given.size() > MAX_PATTERNS) {
            violations.add(new Violation(field, "at most " + MAX_PATTERNS + " patterns"));
            return List.of();
        }
        for (int i = 0; i < given.size(); i++) {
            String regex = given.get(i);
            if (regex.length() > MAX_PATTERN_LENGTH) {
                violations.add(new Violation(field + "[" + i + "]", "longer than " + MAX_PATTERN_LENGTH));
                continue;
            }
            try {
                Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                violations.add(new Violation(field + "[" + i + "]", "invalid regex: " + e.getDescription()
                        + (e.getIndex() >= 0 ? " near index " + e.getIndex() : "")));
            }
        }
        return given;
    }

    private ErrorTolerance tolerance(SubmitJobRequest.ErrorToleranceRequest given) {
        if (given == null) {
            return ErrorTolerance.UNLIMITED;
        }
        int maxFailures = (int) bounded("error_tolerance.max_child_failures", given.maxChildFailures(), 0, 0,
                MAX_CHILD_FAILURES_LIMIT);
        FailureAction action = FailureAction.CONTINUE;
        if (given.failureAction() != null) {
            action = FAILURE_ACTIONS.get(given.failureAction());
            if (action == null) {
                violations.add(new Violation("error_tolerance.failure_action",
                        "must be one of continue, stop_all, mark_warning, got " + abbreviate(given.failureAction())));
                action = FailureAction.CONTINUE;
            }
        }
        return new ErrorTolerance(maxFailures, action);
    }

    private String name(String given, List<String> seeds) {
        if (given == null) {
            return seeds.isEmpty() ? null : UrlNormalizer.host(seeds.get(0));
        }
        String name = given.strip();
        if (name.isEmpty()) {
            violations.add(new Violation("name", "must not be blank"));
        } else if (name.length() > MAX_NAME_LENGTH) {
            violations.add(new Violation("name", "longer than " + MAX_NAME_LENGTH + " characters"));
        }
        return name;
    }

    private static String abbreviate(String s) {
        return s.length() <= 100 ? s : s.substring(0, 100) + "…";
    }
}
