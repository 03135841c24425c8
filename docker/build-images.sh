#!/usr/bin/env bash
# Builds Trawl's container images locally, without any image registry:
#
#   trawl/debian:bookworm     debootstrap --variant=minbase from this machine's Debian mirror, docker import
#   trawl/jre:17              + openjdk-17-jre-headless (the services' and the broker's base; TRAWL_JRE_IMAGE)
#   trawl/kafka:4.2.1         the real Kafka 4.2.1 broker from the jars of Maven Central, laid out and configured
#                             from KAFKA_* variables like the official apache/kafka image (a stand-in for it)
#   trawl/<service>:local     progress-aggregator, gateway, crawler-worker, documents-exporter (layered jars)
#   trawl/site:local          a static file server for the compose smoke's generated site
#
# An image that exists is kept (delete it, or pass --rebuild, to build it again); the service images are rebuilt
# on every call, from the jars in <module>/target (built with mvn package first when missing, or with --package).
#
# usage: docker/build-images.sh [--rebuild] [--package] [base|kafka|services|all]...   (default: all)
# Needs a Docker engine that answers (scripts/compose-smoke.sh starts one) and, for base, debootstrap.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)

KAFKA_VERSION=4.2.1
DEBIAN_IMAGE=trawl/debian:bookworm
JRE_IMAGE=${TRAWL_JRE_IMAGE:-trawl/jre:17}
KAFKA_IMAGE=trawl/kafka:${KAFKA_VERSION}
SERVICES=(progress-aggregator gateway crawler-worker documents-exporter)
# The legacy builder works with every engine these scripts meet (Debian's 20.10 has no buildx)
export DOCKER_BUILDKIT=0
MVN=(mvn -B -q ${TRAWL_MVN_OPTS:-})

rebuild=false
package=false
targets=()
for arg in "$@"; do
  case $arg in
    --rebuild) rebuild=true ;;
    --package) package=true ;;
    base|kafka|services|all) targets+=("$arg") ;;
    *) echo "usage: $0 [--rebuild] [--package] [base|kafka|services|all]..." >&2; exit 2 ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(all)
wants() { local t; for t in "${targets[@]}"; do [ "$t" = "$1" ] || [ "$t" = all ] && return 0; done; return 1; }

log() { printf '[build-images] %s\n' "$*"; }
# docker build, quiet unless it fails (then its output, less the legacy builder's deprecation notice)
docker_build() {
  local out
  if ! out=$(docker build -q "$@" 2>&1); then
    grep -v -e '^DEPRECATED: The legacy builder' -e 'BuildKit is currently disabled' -e '^ *environment-variable' <<<"$out" >&2
    return 1
  fi
}
have_image() { ! $rebuild && docker image inspect "$1" >/dev/null 2>&1; }

# The Debian mirror this machine's apt uses (deb822 .sources or a one-line sources.list)
debian_mirror() {
  local uri
  uri=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v security | head -n1 || true)
  [ -n "$uri" ] || uri=$(grep -hs '^deb ' /etc/apt/sources.list | awk '{print $2}' | grep -v security | head -n1 || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

build_debian() {
  if have_image "$DEBIAN_IMAGE"; then log "$DEBIAN_IMAGE exists"; return; fi
  command -v debootstrap >/dev/null || { echo "debootstrap is missing (apt-get install debootstrap)" >&2; exit 1; }
  local mirror rootfs
  mirror=$(debian_mirror)
  rootfs=$(mktemp -d /tmp/trawl-rootfs.XXXXXX)
  log "debootstrap --variant=minbase bookworm from $mirror"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$rootfs.log" 2>&1 \
    || { tail -n 30 "$rootfs.log" >&2; exit 1; }
  # apt inside the images uses the same archive as this machine: bookworm, its updates and security
  cat >"$rootfs/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb ${mirror%/debian}/debian-security bookworm-security main
EOF
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | docker import -c 'CMD ["/bin/bash"]' - "$DEBIAN_IMAGE" >/dev/null
  rm -rf "$rootfs" "$rootfs.log"
  log "$DEBIAN_IMAGE imported"
}

build_jre() {
  if [ "$JRE_IMAGE" != trawl/jre:17 ]; then log "TRAWL_JRE_IMAGE=$JRE_IMAGE: not building trawl/jre:17"; return; fi
  if have_image "$JRE_IMAGE"; then log "$JRE_IMAGE exists"; return; fi
  local ctx
  ctx=$(mktemp -d /tmp/trawl-jre.XXXXXX)
  cp docker/jre/Dockerfile "$ctx/"
  # HTTPS from inside a container trusts what this machine trusts (its extra CAs); plain-http apt needs none
  mkdir -p "$ctx/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$ctx/ca-certificates/" 2>/dev/null || true
  log "building $JRE_IMAGE"
  docker_build -t "$JRE_IMAGE" --build-arg BASE_IMAGE="$DEBIAN_IMAGE" "$ctx"
  rm -rf "$ctx"
}

build_kafka() {
  if have_image "$KAFKA_IMAGE"; then log "$KAFKA_IMAGE exists"; return; fi
  log "resolving the Kafka $KAFKA_VERSION broker jars with Maven"
  rm -rf docker/kafka/target
  "${MVN[@]}" -f docker/kafka/pom.xml dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$ROOT/docker/kafka/target/libs"
  log "building $KAFKA_IMAGE"
  docker_build -t "$KAFKA_IMAGE" --build-arg BASE_IMAGE="$JRE_IMAGE" docker/kafka
}

build_services() {
  local service missing=()
  for service in "${SERVICES[@]}"; do
    ls "$service"/target/"$service"-*-exec.jar >/dev/null 2>&1 || missing+=("$service")
  done
  if $package || [ ${#missing[@]} -gt 0 ]; then
    log "mvn package of the services (missing jars: ${missing[*]:-none})"
    "${MVN[@]}" package -DskipTests -pl "$(IFS=,; echo "${SERVICES[*]}")" -am
  fi
  for service in "${SERVICES[@]}"; do
    log "building trawl/$service:local"
    # the repository root as context; .dockerignore sends only the jars and docker/service/
    docker_build -t "trawl/$service:local" -f docker/service/Dockerfile \
      --build-arg MODULE="$service" --build-arg BASE_IMAGE="$JRE_IMAGE" .
  done
  log "building trawl/site:local"
  docker_build -t trawl/site:local --build-arg BASE_IMAGE="$DEBIAN_IMAGE" docker/site
}

docker info >/dev/null 2>&1 || { echo "no Docker engine answers (scripts/compose-smoke.sh starts one)" >&2; exit 1; }
if wants base || wants kafka || wants services; then build_debian; build_jre; fi
if wants kafka; then build_kafka; fi
if wants services; then build_services; fi
docker image ls --format '{{.Repository}}:{{.Tag}}  {{.Size}}' | grep '^trawl/' | sort
