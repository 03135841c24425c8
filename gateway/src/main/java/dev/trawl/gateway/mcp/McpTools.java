package dev.trawl.gateway.mcp;

import dev.trawl.api.event.ChildStatus;
import dev.trawl.api.event.JobStatus;
import dev.trawl.api.event.ParentProgress;
import dev.trawl.gateway.api.CancelAccepted;
import dev.trawl.gateway.api.ChildView;
import dev.trawl.gateway.api.InvalidRequestException;
import dev.trawl.gateway.api.JobQueries;
import dev.trawl.gateway.api.JobSnapshot;
import dev.trawl.gateway.readmodel.MarkdownStore;
import dev.trawl.gateway.readmodel.ReadModel;
import dev.trawl.gateway.readmodel.StoredDocument;
import dev.trawl.gateway.submit.CrawlSpecValidator;
import dev.trawl.gateway.submit.JobCommands;
import dev.trawl.gateway.submit.SubmitJobRequestReader;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The MCP tools over the same commands and queries as the REST API. A tool that fails on its input answers a result
 * with {@code isError} (MCP's convention, so the agent sees why); only a call the server cannot serve at all is a
 * JSON-RPC error.
 */
@Service
class McpTools {

    /** Waits in progress at once; each is a read-model listener, so they are bounded. */
    static final int MAX_WAITS = 1000;

    private final JobCommands commands;
    private final JobQueries queries;
    private final ReadModel readModel;
    private final MarkdownStore markdownStore;
    private final AtomicInteger waits = new AtomicInteger();

    McpTools(JobCommands commands, JobQueries queries, ReadModel readModel, MarkdownStore markdownStore) {
        this.commands = commands;
        this.queries = queries;
        this.readModel = readModel;
        this.markdownStore = markdownStore;
    }

    record JobsPage(List<JobSnapshot> jobs, int total) {
    }

    record ChildrenPage(String jobId, List<ChildView> children, int total) {
    }

    record WaitOutcome(boolean terminal, JobSnapshot job) {
    }

    /** @return empty when there is no such tool (a JSON-RPC error), else the call's result, possibly an isError one */
    Optional<CompletableFuture<ObjectNode>> call(String tool, JsonNode arguments) {
        CompletableFuture<ObjectNode> result;
        try {
            result = switch (tool) {
                case ToolCatalog.SUBMIT_CRAWL -> submit(arguments);
                case ToolCatalog.LIST_JOBS -> done(listJobs(arguments));
                case ToolCatalog.GET_JOB -> done(getJob(arguments));
                case ToolCatalog.LIST_CHILDREN -> done(listChildren(arguments));
                case ToolCatalog.GET_DOCUMENT -> done(getDocument(arguments));
                case ToolCatalog.CANCEL_JOB -> cancel(arguments);
                case ToolCatalog.WAIT_FOR_JOB -> waitFor(arguments);
                default -> null;
            };
        } catch (InvalidRequestException e) {
            result = done(ToolResult.error("Invalid arguments: " + e.getMessage()));
        }
        return Optional.ofNullable(result);
    }

    /** Validated exactly like {@code POST /api/jobs}: the same reader and validator. */
    private CompletableFuture<ObjectNode> submit(JsonNode arguments) {
        var spec = CrawlSpecValidator.toSpec(SubmitJobRequestReader.read(arguments));
        return commands.submit(spec).thenApply(ToolResult::json);
    }

    private ObjectNode listJobs(JsonNode arguments) {
        ToolArguments args = new ToolArguments(arguments, Set.of("status", "limit"));
        JobStatus status = args.enumValue("status", JobStatus.values());
        int limit = args.integer("limit", 20, 1, ToolCatalog.MAX_LIMIT);
        List<JobSnapshot> jobs = queries.list(status);
        return ToolResult.json(new JobsPage(jobs.subList(0, Math.min(limit, jobs.size())), jobs.size()));
    }

    private ObjectNode getJob(JsonNode arguments) {
        String id = new ToolArguments(arguments, Set.of("job_id")).requiredString("job_id");
        return queries.find(id).map(ToolResult::json).orElseGet(() -> unknownJob(id));
    }

    private ObjectNode listChildren(JsonNode arguments) {
        ToolArguments args = new ToolArguments(arguments, Set.of("job_id", "status", "limit"));
        String id = args.requiredString("job_id");
        ChildStatus status = args.enumValue("status", ChildStatus.values());
        int limit = args.integer("limit", 100, 1, ToolCatalog.MAX_LIMIT);
        if (!queries.known(id)) {
            return unknownJob(id);
        }
        List<ChildView> children = queries.children(id, status);
        return ToolResult.json(new ChildrenPage(id, children.subList(0, Math.min(limit, children.size())),
                children.size()));
    }

    private ObjectNode getDocument(JsonNode arguments) {
        String id = new ToolArguments(arguments, Set.of("document_id")).requiredString("document_id");
        Optional<StoredDocument> document = readModel.document(id);
        if (document.isEmpty()) {
            return ToolResult.error("No document " + id + ". Document ids are in list_children's document_id.");
        }
        return markdownStore.markdown(document.get()).map(ToolResult::text)
                .orElseGet(() -> ToolResult.error("Document " + id + " is no longer in the documents topic."));
    }

    private CompletableFuture<ObjectNode> cancel(JsonNode arguments) {
        ToolArguments args = new ToolArguments(arguments, Set.of("job_id", "reason"));
        String id = args.requiredString("job_id");
        String reason = args.string("reason");
        Optional<JobSnapshot> job = queries.find(id);
        if (job.isEmpty()) {
            return done(unknownJob(id));
        }
        if (job.get().terminal()) {
            return done(ToolResult.error("Job " + id + " already ended: " + job.get().status().wireName() + "."));
        }
        String why = reason == null || reason.isBlank() ? "cancelled by agent"
                : reason.substring(0, Math.min(500, reason.length()));
        return commands.cancel(id, why).thenApply(eventId -> ToolResult.json(new CancelAccepted(id, eventId)));
    }

    /**
     * Completes when a terminal snapshot of the job reaches the read model, or at the timeout with the latest one;
     * no thread waits meanwhile (a read-model listener completes the future).
     */
    private CompletableFuture<ObjectNode> waitFor(JsonNode arguments) {
        ToolArguments args = new ToolArguments(arguments, Set.of("job_id", "timeout_seconds"));
        String id = args.requiredString("job_id");
        int timeout = args.integer("timeout_seconds", 30, 0, ToolCatalog.MAX_WAIT_SECONDS);
        if (queries.find(id).isEmpty()) {
            return done(unknownJob(id));
        }
        if (waits.incrementAndGet() > MAX_WAITS) {
            waits.decrementAndGet();
            return done(ToolResult.error("Too many waits in progress; poll get_job instead, or retry later."));
        }
        CompletableFuture<Optional<JobSnapshot>> ended = new CompletableFuture<>();
        AutoCloseable listener = readModel.addListener(new ReadModel.ParentListener() {
            @Override
            public void onParentProgress(ParentProgress snapshot) {
                if (snapshot.id().equals(id) && snapshot.status().isTerminal()) {
                    ended.complete(Optional.of(JobSnapshot.of(snapshot)));
                }
            }

            @Override
            public void onParentRemoved(String parentId) {
                if (parentId.equals(id)) {
                    ended.complete(Optional.empty());
                }
            }
        });
        // registered before looking, so a terminal snapshot arriving in between is not missed
        queries.find(id).filter(JobSnapshot::terminal).ifPresent(job -> ended.complete(Optional.of(job)));
        return ended.completeOnTimeout(null, timeout, TimeUnit.SECONDS).thenApply(outcome -> {
            close(listener);
            waits.decrementAndGet();
            if (outcome != null) {
                return outcome.map(job -> ToolResult.json(new WaitOutcome(true, job)))
                        .orElseGet(() -> ToolResult.error("Job " + id + " was deleted while waiting."));
            }
            return queries.find(id).map(job -> ToolResult.json(new WaitOutcome(job.terminal(), job)))
                    .orElseGet(() -> unknownJob(id));
        });
    }

    private static ObjectNode unknownJob(String id) {
        return ToolResult.error("No job " + id + ". list_jobs shows the jobs this gateway knows.");
    }

    private static CompletableFuture<ObjectNode> done(ObjectNode result) {
        return CompletableFuture.completedFuture(result);
    }

    private static void close(AutoCloseable handle) {
        try {
            handle.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
