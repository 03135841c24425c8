"""A generated site for the compose smoke: SITE_PAGES linked pages served with SITE_DELAY_MS per response.

Page /p/<i>.html (i in 0..SITE_PAGES-1) links to its tree children 4i+1..4i+4, so /p/0.html reaches every page,
and to page (7i+3) mod SITE_PAGES (a link the crawl frontier must deduplicate); every 50th page also links to
/missing/<i>.html, which answers 404. A crawl of /p/0.html with room enough therefore ends with exactly
SITE_PAGES completed children and ceil(SITE_PAGES / 50) failed ones; GET /expected.json says so.
"""
import json
import math
import os
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGES = int(os.environ.get("SITE_PAGES", "600"))
DELAY = int(os.environ.get("SITE_DELAY_MS", "20")) / 1000.0
PORT = int(os.environ.get("SITE_PORT", "8000"))


def page(i):
    links = [c for c in range(4 * i + 1, 4 * i + 5) if c < PAGES] + [(7 * i + 3) % PAGES]
    items = "".join(f'<li><a href="/p/{c}.html">Page {c}</a></li>' for c in links)
    if i % 50 == 0:
        items += f'<li><a href="/missing/{i}.html">A page that is gone</a></li>'
    return (f"<!doctype html><html lang=en><head><title>Page {i}</title></head><body>"
            f"<h1>Page {i}</h1><p>This is page <b>{i}</b> of {PAGES}, generated for Trawl's compose smoke."
            f" It has a few words so that its Markdown is more than a title.</p><ul>{items}</ul>"
            "</body></html>").encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        time.sleep(DELAY)
        path = self.path.split("?", 1)[0]
        if path == "/expected.json":
            body = json.dumps({"completed": PAGES, "failed": math.ceil(PAGES / 50)}).encode()
            return self.reply(200, "application/json", body)
        if path == "/robots.txt":
            return self.reply(200, "text/plain", b"User-agent: *\nAllow: /\n")
        if path.startswith("/p/") and path.endswith(".html"):
            number = path[3:-5]
            if number.isdigit() and int(number) < PAGES:
                return self.reply(200, "text/html; charset=utf-8", page(int(number)))
        self.reply(404, "text/plain", b"not found\n")

    def reply(self, status, content_type, body):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer.request_queue_size = 256
ThreadingHTTPServer(("", PORT), Handler).serve_forever()
