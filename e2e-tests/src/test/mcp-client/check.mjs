// node check.mjs <gateway-url> <seed-url> [token]: the official MCP client against Trawl's /mcp.
// Connects over Streamable HTTP, lists the tools, submits a 20-page crawl, waits for it to end, and makes an
// invalid call; prints what it got and exits non-zero if anything is off.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [gateway, seed, token] = process.argv.slice(2);
if (!gateway || !seed) {
  console.error("usage: node check.mjs <gateway-url> <seed-url> [token]");
  process.exit(2);
}
const headers = token ? { Authorization: `Bearer ${token}` } : {};
const transport = new StreamableHTTPClientTransport(new URL("/mcp", gateway), { requestInit: { headers } });
const client = new Client({ name: "trawl-mcp-check", version: "1.0.0" });
const fail = (what) => { console.error("FAILED: " + what); process.exit(1); };

await client.connect(transport);
console.log("server", JSON.stringify(client.getServerVersion()), "protocol", transport.protocolVersion);
const tools = (await client.listTools()).tools.map((t) => t.name);
console.log("tools", tools.join(", "));
for (const wanted of ["submit_crawl", "list_jobs", "get_job", "list_children", "get_document", "cancel_job",
                      "wait_for_job"]) {
  if (!tools.includes(wanted)) fail(`no tool ${wanted}`);
}
const submitted = await client.callTool({ name: "submit_crawl",
  arguments: { seeds: [seed], max_pages: 20, name: "mcp check" } });
if (submitted.isError) fail("submit_crawl: " + submitted.content[0].text);
const id = JSON.parse(submitted.content[0].text).id;
const waited = JSON.parse((await client.callTool({ name: "wait_for_job",
  arguments: { job_id: id, timeout_seconds: 120 } })).content[0].text);
console.log("job", id, waited.job.status, waited.job.progress_text, "documents", waited.job.document_count);
if (!waited.terminal || waited.job.pending + waited.job.running !== 0) fail("the job did not end");
const bad = await client.callTool({ name: "submit_crawl", arguments: { seeds: ["ftp://example.org/"] } });
console.log("invalid call", bad.isError ? "refused:" : "ACCEPTED:", bad.content[0].text);
if (!bad.isError) fail("an ftp seed was accepted");
await client.close();
console.log("ok");
