#!/usr/bin/env bash
# usage: kafka-server-start.sh server.properties [--override property=value]...
base_dir=$(dirname "$0")
[ $# -ge 1 ] || { echo "usage: $0 server.properties [--override property=value]..." >&2; exit 2; }
export KAFKA_LOG4J_OPTS=${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=$base_dir/../config/log4j2.yaml}
export KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xmx1G -Xms1G}
exec "$base_dir/kafka-run-class.sh" -name kafkaServer kafka.Kafka "$@"
