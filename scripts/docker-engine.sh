# Sourced by .ci/run and scripts/compose-smoke.sh: a Docker engine that answers, without a registry.
#   trawl_docker_up [LOG]  installs docker.io, docker-compose and debootstrap when missing (Debian's packages) and
#                          starts dockerd when no engine answers; TRAWL_DOCKERD_PID is then its pid
#   trawl_docker_down      stops the dockerd that trawl_docker_up started (none otherwise)
# The engine itself is Debian's 20.10 with its defaults; images come from docker/build-images.sh.

trawl_apt_install() {
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  fi
}

trawl_docker_up() {
  local log=${1:-/tmp/trawl-dockerd.log} missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1 || missing+=(docker-compose)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  command -v python3 >/dev/null 2>&1 || missing+=(python3)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "[docker-engine] installing ${missing[*]}"
    trawl_apt_install "${missing[@]}"
  fi
  if docker info >/dev/null 2>&1; then
    return 0
  fi
  echo "[docker-engine] no Docker engine answers: starting dockerd (log: $log)"
  dockerd >"$log" 2>&1 &
  TRAWL_DOCKERD_PID=$!
  local _
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  tail -n 30 "$log" >&2
  echo "[docker-engine] dockerd did not start" >&2
  return 1
}

trawl_docker_down() {
  if [ -n "${TRAWL_DOCKERD_PID:-}" ]; then
    echo "[docker-engine] stopping the dockerd started here"
    kill "$TRAWL_DOCKERD_PID" 2>/dev/null
    wait "$TRAWL_DOCKERD_PID" 2>/dev/null
    TRAWL_DOCKERD_PID=""
  fi
  return 0
}
