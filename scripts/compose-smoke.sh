#!/usr/bin/env bash
# The containerised Trawl, proven on this machine (run by .ci/run after mvn verify; docs/operations.md):
#
#  1. installs docker.io, docker-compose and debootstrap when missing, starts dockerd when none answers
#  2. builds the images without a registry (docker/build-images.sh: Debian base by debootstrap, a JRE image, the
#     Kafka 4.2.1 broker from Maven Central's jars, the four service images, the generated site)
#  3. one broker: docker-compose up with the local images and --scale crawler-worker=3, crawls the generated site
#     (a container on the compose network; the workers may crawl that subnet only), kills one worker container
#     mid-crawl, and checks the counts exactly over REST and over a WebSocket client, that every page was saved
#     exactly once (committed records of trawl.documents, read with the broker image's console consumer) and that
#     the documents exporter wrote one Markdown file per page
#  4. three brokers (docker-compose.cluster.yml, replication factor 3, min.insync.replicas 2): the same crawl
#     with one broker stopped mid-crawl, the same checks
#  5. tears everything down (down -v) and stops the dockerd it started
# It prints each phase's time. Exits non-zero on the first check that fails, after printing the services' logs.
#
# Environment: TRAWL_SMOKE_PAGES (600), TRAWL_SMOKE_DELAY_MS (20 per page), TRAWL_SMOKE_GATEWAY_PORT (18080),
# TRAWL_SMOKE_KEEP=true leaves the last cluster running (and dockerd) for a look.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)

PAGES=${TRAWL_SMOKE_PAGES:-600}
export TRAWL_SMOKE_PAGES=$PAGES TRAWL_SMOKE_DELAY_MS=${TRAWL_SMOKE_DELAY_MS:-20}
export TRAWL_SMOKE_SUBNET=${TRAWL_SMOKE_SUBNET:-10.213.7.0/24}
GATEWAY_PORT=${TRAWL_SMOKE_GATEWAY_PORT:-18080}
# host ports of their own, so that a ./trawl up on 8080/9092 next to it is no bother
export TRAWL_GATEWAY_PORT=$GATEWAY_PORT TRAWL_KAFKA_PORT=19094 TRAWL_KAFKA_2_PORT=19095 TRAWL_KAFKA_3_PORT=19096
# the images of this machine (docker-compose.local-images.yml; the cluster's kafka-2 and kafka-3 read the variable)
export TRAWL_KAFKA_IMAGE=trawl/kafka:4.2.1 TRAWL_JRE_IMAGE=trawl/jre:17
GATEWAY=http://localhost:$GATEWAY_PORT
EXPECTED_FAILED=$(( (PAGES + 49) / 50 ))
PROJECT=trawl-smoke
LOGS=$ROOT/target/compose-smoke
mkdir -p "$LOGS"

started=$SECONDS
phase_name=""
phase_start=$SECONDS
declare -a phase_times=()
phase() {
  end_phase
  phase_name=$1
  phase_start=$SECONDS
  printf '\n=== %s\n' "$phase_name"
}
end_phase() {
  if [ -n "$phase_name" ]; then
    phase_times+=("$(printf '%-58s %4d s' "$phase_name" $((SECONDS - phase_start)))")
    printf '=== %s: %d s\n' "$phase_name" $((SECONDS - phase_start))
  fi
  phase_name=""
}
say() { printf '[smoke %4ds] %s\n' $((SECONDS - started)) "$*"; }
fail() { say "FAILED: $*"; exit 1; }

# ---------------------------------------------------------------------------------------------- prerequisites
phase "prerequisites (packages, dockerd)"
. scripts/docker-engine.sh
trawl_docker_up "$LOGS/dockerd.log" || fail "no Docker engine"
if command -v docker-compose >/dev/null 2>&1; then COMPOSE_BIN=(docker-compose); else COMPOSE_BIN=(docker compose); fi
say "$(docker version --format 'engine {{.Server.Version}}') ; $("${COMPOSE_BIN[@]}" version --short 2>/dev/null || true)"

compose_files=()
compose() { "${COMPOSE_BIN[@]}" -p "$PROJECT" "${compose_files[@]}" "$@"; }

cleanup() {
  local status=$?
  set +e
  end_phase
  if [ $status -ne 0 ] && [ ${#compose_files[@]} -gt 0 ]; then
    say "logs of the services: $LOGS/services.log"
    compose ps
    compose logs --no-color >"$LOGS/services.log" 2>&1
    compose logs --no-color --tail=25 progress-aggregator gateway crawler-worker documents-exporter 2>&1 | tail -n 120
  fi
  if [ "${TRAWL_SMOKE_KEEP:-}" != true ]; then
    if [ ${#compose_files[@]} -gt 0 ]; then compose down -v --remove-orphans >/dev/null 2>&1; fi
    trawl_docker_down
  fi
  printf '\n=== phase times\n'
  printf '%s\n' "${phase_times[@]}"
  printf '%-58s %4d s\n' "total" $((SECONDS - started))
  [ $status -eq 0 ] && say "compose smoke passed" || say "compose smoke FAILED"
  exit $status
}
trap cleanup EXIT

# ---------------------------------------------------------------------------------------------- images
phase "images (docker/build-images.sh)"
docker/build-images.sh

# ---------------------------------------------------------------------------------------------- helpers
# json FIELD: a number or string field of the JSON object on stdin
json() { python3 -c 'import json,sys; v=json.load(sys.stdin).get(sys.argv[1]); print("" if v is None else v)' "$1"; }

wait_healthy() { # every container of the project healthy (or, without a healthcheck, running)
  local deadline=$((SECONDS + $1)) id state unhealthy
  while :; do
    unhealthy=()
    for id in $(compose ps -q); do
      state=$(docker inspect -f '{{.Name}} {{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$id")
      case $state in *" healthy"|*" running") ;; *) unhealthy+=("$state") ;; esac
    done
    [ ${#unhealthy[@]} -eq 0 ] && return 0
    [ $SECONDS -ge $deadline ] && fail "not healthy after $1 s: ${unhealthy[*]}"
    sleep 2
  done
}

submit_crawl() { # prints the job id
  curl -sS -f -XPOST "$GATEWAY/api/jobs" -H 'Content-Type: application/json' -d "{
    \"name\": \"compose smoke $1\", \"seeds\": [\"http://site:8000/p/0.html\"], \"max_depth\": 30,
    \"max_pages\": $((PAGES * 2)), \"same_host\": true,
    \"error_tolerance\": {\"max_child_failures\": 5, \"failure_action\": \"continue\"}}" | json id
}

snapshot() { curl -sS -f "$GATEWAY/api/jobs/$1"; }

wait_completed_at_least() { # JOB N SECONDS
  local deadline=$((SECONDS + $3)) s
  while :; do
    s=$(snapshot "$1")
    [ "$(json completed <<<"$s")" -ge "$2" ] && { say "mid-crawl: $(json progress_text <<<"$s")"; return 0; }
    case $(json status <<<"$s") in completed*|failed|cancelled) fail "the crawl ended before $2 pages: $s" ;; esac
    [ $SECONDS -ge $deadline ] && fail "fewer than $2 pages completed after $3 s: $s"
    sleep 0.3
  done
}

wait_terminal() { # JOB SECONDS -> the terminal snapshot
  local deadline=$((SECONDS + $2)) s
  while :; do
    s=$(snapshot "$1")
    case $(json status <<<"$s") in completed*|failed|cancelled) echo "$s"; return 0 ;; esac
    [ $SECONDS -ge $deadline ] && fail "the crawl has not ended after $2 s: $s"
    sleep 1
  done
}

expect_field() { # SNAPSHOT FIELD VALUE
  local actual
  actual=$(json "$2" <<<"$1")
  [ "$actual" = "$3" ] || fail "$2 is $actual, expected $3 in $1"
}

check_counts() { # SNAPSHOT (REST)
  expect_field "$1" status completed_with_failures
  expect_field "$1" completed "$PAGES"
  expect_field "$1" failed "$EXPECTED_FAILED"
  expect_field "$1" pending 0
  expect_field "$1" running 0
  expect_field "$1" total $((PAGES + EXPECTED_FAILED))
  expect_field "$1" document_count "$PAGES"
  expect_field "$1" progress_text "0 pending, 0 running, $PAGES completed, $EXPECTED_FAILED failed"
  say "REST: $(json progress_text <<<"$1"), $(json document_count <<<"$1") documents, $(json status <<<"$1")"
}

check_websocket() { # OUTPUT-FILE PID
  wait "$2" || fail "the WebSocket client failed: $(cat "$1")"
  local line
  line=$(tail -n 1 "$1")
  [[ "$line" == "status=completed_with_failures pending=0 running=0 completed=$PAGES failed=$EXPECTED_FAILED total=$((PAGES + EXPECTED_FAILED)) document_count=$PAGES "* ]] \
    || fail "WebSocket's terminal snapshot: $line"
  say "WebSocket: $line"
}

check_saved_once() { # JOB BOOTSTRAP: committed DocumentSaved records of the job on trawl.documents, by key
  local out records distinct
  out=$LOGS/documents-$1.txt
  compose exec -T kafka /opt/kafka/bin/kafka-console-consumer.sh --bootstrap-server "$2" \
    --topic trawl.documents --from-beginning --isolation-level read_committed --timeout-ms 15000 \
    --formatter-property print.key=true --formatter-property key.separator=' ' 2>/dev/null \
    | grep -F "\"parent_id\":\"$1\"" | awk '{print $1}' >"$out" || true
  records=$(wc -l <"$out")
  distinct=$(sort -u "$out" | wc -l)
  [ "$records" -eq "$PAGES" ] && [ "$distinct" -eq "$PAGES" ] \
    || fail "trawl.documents holds $records committed records of $distinct documents for the job, expected $PAGES of $PAGES"
  say "trawl.documents: $records committed records, $distinct distinct documents: each page saved exactly once"
}

check_exported() { # JOB: one Markdown file per document in the exporter's folder
  local deadline=$((SECONDS + 60)) files
  while :; do
    files=$(compose exec -T documents-exporter bash -c "ls /data/documents/$1 2>/dev/null | grep -c '\\.md\$'" | tr -d '\r' || true)
    [ "${files:-0}" -eq "$PAGES" ] && break
    [ $SECONDS -ge $deadline ] && fail "the exporter wrote ${files:-0} files for the job, expected $PAGES"
    sleep 1
  done
  compose exec -T documents-exporter bash -c "grep -l '^url: \"http://site:8000/p/0.html\"' /data/documents/$1/*.md" >/dev/null \
    || fail "no exported file has the seed's URL in its front matter"
  say "documents-exporter: $files Markdown files for the job"
}

check_endpoints() { # the gateway's health and metrics, as the healthchecks and a Prometheus see them
  # read whole, then searched: grep -q in a pipe would end curl early, and pipefail would call that a failure
  local body
  body=$(curl -sS -f "$GATEWAY/actuator/health/readiness") && grep -q '"UP"' <<<"$body" \
    || fail "gateway readiness is not UP: $body"
  body=$(curl -sS -f "$GATEWAY/actuator/prometheus") && grep -q '^jvm_' <<<"$body" \
    || fail "gateway has no Prometheus metrics"
  say "gateway: readiness UP, Prometheus metrics served"
}

crawl_with_fault() { # NAME BOOTSTRAP FAULT-COMMAND...
  local name=$1 bootstrap=$2 id ws_out ws_pid final
  shift 2
  id=$(submit_crawl "$name")
  [ -n "$id" ] || fail "no job id from POST /api/jobs"
  say "submitted job $id ($PAGES pages, $EXPECTED_FAILED broken links)"
  ws_out=$LOGS/ws-$id.txt
  java "$ROOT/docker/smoke/WsWatch.java" "ws://localhost:$GATEWAY_PORT/ws" "$id" 420 >"$ws_out" 2>&1 &
  ws_pid=$!
  wait_completed_at_least "$id" $((PAGES / 5)) 300
  "$@"
  final=$(wait_terminal "$id" 420)
  check_counts "$final"
  check_websocket "$ws_out" "$ws_pid"
  check_saved_once "$id" "$bootstrap"
  check_exported "$id"
}

kill_one_worker() {
  local victim
  # sed reads all its input (head would end the writer early, and pipefail would fail the script)
  victim=$(compose ps -q crawler-worker | sed -n 1p)
  say "killing worker container $(docker inspect -f '{{.Name}}' "$victim") (SIGKILL)"
  docker kill "$victim" >/dev/null
}

stop_one_broker() {
  say "stopping broker kafka-2"
  compose stop -t 5 kafka-2 >/dev/null 2>&1
}

# ---------------------------------------------------------------------------------------------- one broker
phase "one broker: up, 3 workers, healthy"
compose_files=(-f docker-compose.yml -f docker-compose.local-images.yml -f docker/smoke/compose.smoke.yml)
compose down -v --remove-orphans >/dev/null 2>&1 || true
compose up -d --no-build --scale crawler-worker=3 >"$LOGS/up.log" 2>&1 || { cat "$LOGS/up.log"; fail "docker-compose up"; }
wait_healthy 300
say "$(compose ps --services | tr '\n' ' ')healthy; workers: $(compose ps -q crawler-worker | wc -l)"
check_endpoints

phase "one broker: crawl, a worker killed mid-crawl, exact counts"
crawl_with_fault single kafka:9092 kill_one_worker

phase "one broker: down -v"
compose down -v --remove-orphans >/dev/null 2>&1

# ---------------------------------------------------------------------------------------------- three brokers
phase "three brokers: up, healthy"
compose_files=(-f docker-compose.yml -f docker-compose.cluster.yml -f docker-compose.local-images.yml
  -f docker/smoke/compose.smoke.yml)
compose up -d --no-build --scale crawler-worker=2 >"$LOGS/up-cluster.log" 2>&1 \
  || { cat "$LOGS/up-cluster.log"; fail "docker-compose up (three brokers)"; }
wait_healthy 420
described=$(compose exec -T kafka /opt/kafka/bin/kafka-topics.sh --bootstrap-server kafka:9092 --describe \
  --topic trawl.documents 2>/dev/null | tr -d '\r')
grep -q 'ReplicationFactor: 3' <<<"$described" || fail "trawl.documents is not replicated 3 times: $described"
grep -q 'min.insync.replicas=2' <<<"$described" || fail "trawl.documents has no min.insync.replicas=2: $described"
say "trawl.documents: replication factor 3, min.insync.replicas 2"

phase "three brokers: crawl, a broker stopped mid-crawl, exact counts"
crawl_with_fault cluster kafka:9092,kafka-3:9092 stop_one_broker

phase "three brokers: down -v"
if [ "${TRAWL_SMOKE_KEEP:-}" != true ]; then
  compose down -v --remove-orphans >/dev/null 2>&1
  compose_files=()
fi
end_phase
