package dev.trawl.gateway.api;

import dev.trawl.api.event.ChildStatus;
import dev.trawl.api.event.JobStatus;
import dev.trawl.gateway.readmodel.ReadModel;
import dev.trawl.gateway.submit.CrawlSpecValidator;
import dev.trawl.gateway.submit.JobCommands;
import dev.trawl.gateway.submit.SubmitJobRequestReader;
import java.io.InputStream;
import java.net.URI;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/jobs}: submit, list, inspect and cancel parent jobs. */
@RestController
@RequestMapping("/api/jobs")
public class JobsController {

    static final int MAX_PAGE_SIZE = 1000;

    private final JobCommands commands;
    private final JobQueries queries;
    private final ReadModel readModel;

    public JobsController(JobCommands commands, JobQueries queries, ReadModel readModel) {
        this.commands = commands;
        this.queries = queries;
        this.readModel = readModel;
    }

    /** 201 once the submission is durable; the body is the first snapshot (the aggregator's, or pending). */
    @PostMapping
    public CompletableFuture<ResponseEntity<JobSnapshot>> submit(InputStream body) {
        var spec = CrawlSpecValidator.toSpec(SubmitJobRequestReader.read(body));
        return commands.submit(spec).thenApply(snapshot ->
                ResponseEntity.created(URI.create("/api/jobs/" + snapshot.id())).body(snapshot));
    }

    @GetMapping
    public PageView<JobSnapshot> list(@RequestParam(required = false) String status,
                                      @RequestParam(defaultValue = "0") String page,
                                      @RequestParam(defaultValue = "20") String size) {
        JobStatus wanted = status == null ? null : parseEnum("status", status, JobStatus.values());
        return PageView.of(queries.list(wanted), nonNegative("page", page), pageSize(size));
    }

    @GetMapping("/{id}")
    public JobSnapshot job(@PathVariable String id) {
        return queries.find(id).orElseThrow(() -> new NotFoundException("no job " + id));
    }

    @GetMapping("/{id}/children")
    public PageView<ChildView> children(@PathVariable String id,
                                        @RequestParam(required = false) String status,
                                        @RequestParam(defaultValue = "0") String page,
                                        @RequestParam(defaultValue = "100") String size) {
        requireKnown(id);
        ChildStatus wanted = status == null ? null : parseEnum("status", status, ChildStatus.values());
        return PageView.of(queries.children(id, wanted), nonNegative("page", page), pageSize(size));
    }

    @GetMapping("/{id}/documents")
    public PageView<DocumentSummary> documents(@PathVariable String id,
                                               @RequestParam(defaultValue = "0") String page,
                                               @RequestParam(defaultValue = "100") String size) {
        requireKnown(id);
        List<DocumentSummary> documents = readModel.documents(id).stream()
                .map(DocumentSummary::of)
                .sorted(Comparator.comparing(DocumentSummary::url, Comparator.nullsLast(Comparator.naturalOrder())))
                .toList();
        return PageView.of(documents, nonNegative("page", page), pageSize(size));
    }

    /** The job's recent child status transitions, oldest first (see {@link ReadModel#log}). */
    @GetMapping("/{id}/log")
    public JobLogView log(@PathVariable String id, @RequestParam(defaultValue = "100") String limit) {
        requireKnown(id);
        int wanted = integer("limit", limit);
        if (wanted < 1 || wanted > MAX_PAGE_SIZE) {
            throw new InvalidRequestException("limit", "must be between 1 and " + MAX_PAGE_SIZE);
        }
        return new JobLogView(id, readModel.log(id, wanted));
    }

    /** 202: the cancel request is in the job's log; snapshots show when the tree has stopped. */
    @PostMapping("/{id}/cancel")
    public CompletableFuture<ResponseEntity<CancelAccepted>> cancel(
            @PathVariable String id, @RequestBody(required = false) Map<String, Object> body) {
        JobSnapshot job = queries.find(id).orElseThrow(() -> new NotFoundException("no job " + id));
        if (job.terminal()) {
            throw new ConflictException("job " + id + " already ended: " + job.status().wireName());
        }
        Object reason = body == null ? null : body.get("reason");
        String why = reason instanceof String s && !s.isBlank() ? abbreviate(s) : "cancelled by user";
        return commands.cancel(id, why).thenApply(eventId ->
                ResponseEntity.status(HttpStatus.ACCEPTED).body(new CancelAccepted(id, eventId)));
    }

    private void requireKnown(String id) {
        if (!queries.known(id)) {
            throw new NotFoundException("no job " + id);
        }
    }

    private static <E extends Enum<E>> E parseEnum(String param, String value, E[] values) {
        return Arrays.stream(values)
                .filter(v -> v.name().equalsIgnoreCase(value))
                .findFirst()
                .orElseThrow(() -> new InvalidRequestException(param, "must be one of "
                        + Arrays.stream(values).map(v -> v.name().toLowerCase(java.util.Locale.ROOT)).toList()));
    }

    private static int nonNegative(String param, String value) {
        int parsed = integer(param, value);
        if (parsed < 0) {
            throw new InvalidRequestException(param, "must be >= 0");
        }
        return parsed;
    }

    private static int pageSize(String value) {
        int parsed = integer("size", value);
        if (parsed < 1 || parsed > MAX_PAGE_SIZE) {
            throw new InvalidRequestException("size", "must be between 1 and " + MAX_PAGE_SIZE);
        }
        return parsed;
    }

    private static int integer(String param, String value) {
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new InvalidRequestException(param, "must be an integer");
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 500 ? s : s.substring(0, 500);
    }
}
