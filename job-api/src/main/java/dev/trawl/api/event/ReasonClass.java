package dev.trawl.api.event;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Why a child failed, in two classes. Error tolerance counts {@link #ERROR} only: a page that robots.txt
 * forbids or that is not HTML is the crawl's policy working, not something going wrong.
 */
public enum ReasonClass {
    /** Something went wrong: HTTP 4xx/5xx, timeout, connection refused, unreadable body. */
    @JsonProperty("error") ERROR,
    /** The crawl's own rules ended the child: robots.txt, blocked address, content type, size. */
    @JsonProperty("policy") POLICY
}
