#!/usr/bin/env bash
# Runs a Kafka class with /opt/kafka/libs on the class path, taking the same variables as Kafka's own
# kafka-run-class.sh: KAFKA_HEAP_OPTS, KAFKA_JVM_PERFORMANCE_OPTS, KAFKA_LOG4J_OPTS, KAFKA_JMX_OPTS (+ JMX_PORT),
# KAFKA_OPTS. usage: kafka-run-class.sh [-daemon] [-name NAME] CLASS [ARGS]...
set -euo pipefail
base_dir=$(cd "$(dirname "$0")/.." && pwd)
[ "${1:-}" = -daemon ] && { echo "-daemon is not supported in this image" >&2; exit 2; }
[ "${1:-}" = -name ] && shift 2
[ $# -ge 1 ] || { echo "usage: $0 CLASS [ARGS]..." >&2; exit 2; }

LOG_DIR=${LOG_DIR:-$base_dir/logs}
mkdir -p "$LOG_DIR" 2>/dev/null || true
: "${KAFKA_HEAP_OPTS:=-Xmx256M}"
: "${KAFKA_JVM_PERFORMANCE_OPTS:=-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true}"
: "${KAFKA_LOG4J_OPTS:=-Dlog4j2.configurationFile=$base_dir/config/tools-log4j2.yaml}"
: "${KAFKA_JMX_OPTS:=-Dcom.sun.management.jmxremote -Dcom.sun.management.jmxremote.authenticate=false -Dcom.sun.management.jmxremote.ssl=false}"
if [ -n "${JMX_PORT:-}" ]; then
  KAFKA_JMX_OPTS="$KAFKA_JMX_OPTS -Dcom.sun.management.jmxremote.port=$JMX_PORT"
fi

# shellcheck disable=SC2086 # the *_OPTS variables are lists of options
exec java $KAFKA_HEAP_OPTS $KAFKA_JVM_PERFORMANCE_OPTS $KAFKA_JMX_OPTS \
  "-Dkafka.logs.dir=$LOG_DIR" $KAFKA_LOG4J_OPTS ${KAFKA_OPTS:-} \
  -cp "$base_dir/libs/*" "$@"
