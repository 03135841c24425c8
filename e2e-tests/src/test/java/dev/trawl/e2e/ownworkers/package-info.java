/**
 * End-to-end tests that bring workers configured otherwise than the pipeline's fleet ({@code TrawlPipeline}): the
 * crawl-task topic is fixed, so any worker on a broker takes part in the crawl of every job, and the fleet would crawl
 * these tests' tasks too. They run in a test JVM of their own, so on a broker of their own (the e2e module's pom runs
 * this package in a surefire execution of its own, {@code own-workers}), one test at a time, and start the services
 * they need with testkit's {@code ServiceProcess}.
 */
package dev.trawl.e2e.ownworkers;
