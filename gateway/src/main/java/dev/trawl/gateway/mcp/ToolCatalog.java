package dev.trawl.gateway.mcp;

import dev.trawl.api.event.ChildStatus;
import dev.trawl.api.event.JobStatus;
import dev.trawl.api.serde.Json;
import dev.trawl.gateway.submit.CrawlSpecValidator;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The answer to {@code tools/list}: every tool with its JSON Schema. Argument names and limits are those of the
 * REST API ({@code POST /api/jobs}, {@code GET /api/jobs?status=}), so one vocabulary serves people and agents.
 */
final class ToolCatalog {

    static final String SUBMIT_CRAWL = "submit_crawl";
    static final String LIST_JOBS = "list_jobs";
    static final String GET_JOB = "get_job";
    static final String LIST_CHILDREN = "list_children";
    static final String GET_DOCUMENT = "get_document";
    static final String CANCEL_JOB = "cancel_job";
    static final String WAIT_FOR_JOB = "wait_for_job";

    static final int MAX_LIMIT = 1000;
    static final int MAX_WAIT_SECONDS = 120;

    private ToolCatalog() {
    }

    static ObjectNode list() {
        ObjectNode result = Json.MAPPER.createObjectNode();
        ArrayNode tools = result.putArray("tools");
        tools.add(tool(SUBMIT_CRAWL, "Submit a crawl job",
                "Start crawling from seed URLs. Pages become Markdown documents; answers the job's first snapshot "
                        + "(its id included). Follow it with wait_for_job or get_job.",
                submitSchema(), false));
        ObjectNode list = schema();
        enumProperty(list, "status", "only jobs in this status", ToolArguments.wireNames(JobStatus.values()));
        integerProperty(list, "limit", "most jobs to return, newest first (default 20)", 1, MAX_LIMIT);
        tools.add(tool(LIST_JOBS, "List jobs", "Jobs newest first, optionally of one status.", list, true));
        tools.add(tool(GET_JOB, "Get a job",
                "The job's latest snapshot: status, counts, progress (0..1), progress_text, ETA, document count.",
                jobIdSchema(), true));
        ObjectNode children = jobIdSchema();
        enumProperty(children, "status", "only children in this status",
                ToolArguments.wireNames(ChildStatus.values()));
        integerProperty(children, "limit", "most children to return, by depth then URL (default 100)", 1, MAX_LIMIT);
        tools.add(tool(LIST_CHILDREN, "List a job's pages",
                "The job's children (one per URL): status, depth, failure reason, document_id once saved.",
                children, true));
        ObjectNode document = schema();
        stringProperty(document, "document_id", "a document_id from list_children");
        document.putArray("required").add("document_id");
        tools.add(tool(GET_DOCUMENT, "Get a document", "The Markdown a crawled page was converted to.",
                document, true));
        ObjectNode cancel = jobIdSchema();
        stringProperty(cancel, "reason", "why, recorded with the cancel request");
        tools.add(tool(CANCEL_JOB, "Cancel a job",
                "Cancels the job and all its pages; snapshots show when it has stopped.", cancel, false));
        ObjectNode wait = jobIdSchema();
        integerProperty(wait, "timeout_seconds", "longest wait (default 30)", 0, MAX_WAIT_SECONDS);
        tools.add(tool(WAIT_FOR_JOB, "Wait for a job to end",
                "Waits until the job reaches a terminal status or the timeout passes; answers the latest snapshot "
                        + "and whether it is terminal.", wait, true));
        return result;
    }

    private static ObjectNode submitSchema() {
        ObjectNode schema = schema();
        ObjectNode seeds = property(schema, "seeds", "array", "absolute http(s) URLs to start from");
        seeds.putObject("items").put("type", "string");
        seeds.put("minItems", 1).put("maxItems", CrawlSpecValidator.MAX_SEEDS);
        stringProperty(schema, "name", "a label for the job (default: the first seed's host)");
        integerProperty(schema, "max_depth", "link hops from a seed; 0 crawls only the seeds (default "
                + CrawlSpecValidator.DEFAULT_MAX_DEPTH + ")", 0, CrawlSpecValidator.MAX_DEPTH_LIMIT);
        integerProperty(schema, "max_pages", "most pages scheduled, whatever their outcome (default "
                + CrawlSpecValidator.DEFAULT_MAX_PAGES + ")", 1, CrawlSpecValidator.MAX_PAGES_LIMIT);
        property(schema, "same_host", "boolean", "follow links only to the seeds' hosts (default true)");
        property(schema, "include", "array", "regular expressions; only matching URLs are followed")
                .putObject("items").put("type", "string");
        property(schema, "exclude", "array", "regular expressions; matching URLs are not followed")
                .putObject("items").put("type", "string");
        ObjectNode tolerance = property(schema, "error_tolerance", "object", "what page errors do to the job");
        tolerance.put("additionalProperties", false);
        ObjectNode toleranceProperties = tolerance.putObject("properties");
        toleranceProperties.putObject("max_child_failures").put("type", "integer").put("minimum", 0)
                .put("description", "page errors tolerated before failure_action applies (default 0)");
        ObjectNode action = toleranceProperties.putObject("failure_action").put("type", "string")
                .put("description", "continue (default), stop_all, or mark_warning");
        action.putArray("enum").add("continue").add("stop_all").add("mark_warning");
        schema.putArray("required").add("seeds");
        return schema;
    }

    private static ObjectNode tool(String name, String title, String description, ObjectNode inputSchema,
                                   boolean readOnly) {
        ObjectNode tool = Json.MAPPER.createObjectNode().put("name", name).put("title", title)
                .put("description", description);
        tool.set("inputSchema", inputSchema);
        tool.putObject("annotations").put("readOnlyHint", readOnly).put("openWorldHint", name.equals(SUBMIT_CRAWL));
        return tool;
    }

    private static ObjectNode jobIdSchema() {
        ObjectNode schema = schema();
        stringProperty(schema, "job_id", "the job's id, as submit_crawl or list_jobs answered it");
        schema.putArray("required").add("job_id");
        return schema;
    }

    private static ObjectNode schema() {
        ObjectNode schema = Json.MAPPER.createObjectNode().put("type", "object");
        schema.putObject("properties");
        schema.put("additionalProperties", false);
        return schema;
    }

    private static ObjectNode property(ObjectNode schema, String name, String type, String description) {
        return ((ObjectNode) schema.get("properties")).putObject(name).put("type", type)
                .put("description", description);
    }

    private static void stringProperty(ObjectNode schema, String name, String description) {
        property(schema, name, "string", description);
    }

    private static void integerProperty(ObjectNode schema, String name, String description, int min, int max) {
        property(schema, name, "integer", description).put("minimum", min).put("maximum", max);
    }

    private static void enumProperty(ObjectNode schema, String name, String description,
                                     java.util.List<String> values) {
        ArrayNode allowed = property(schema, name, "string", description).putArray("enum");
        values.forEach(allowed::add);
    }
}
