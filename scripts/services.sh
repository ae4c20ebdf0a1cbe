#!/usr/bin/env bash
# Make the servers the Python store tests need available on loopback:
#   PostgreSQL 15 on 127.0.0.1:5432 (user postgres, trust auth),
#   Redis 7 on 127.0.0.1:6379,
#   a 3-master Redis Cluster on 127.0.0.1:7001-7003 (no replicas).
# Uses a server that is already running, starts one that is installed, and
# installs Debian's packages when one is missing (needs root and apt). Safe to
# run again: every step checks before it acts.
#
# Without root and without the servers it fails and names the test-all.sh step
# to skip (REGCORE_SKIP=python-store skips this step; the python step then
# needs REGCORE_STORE_TESTS=skip, see bindings-python/test.sh).
#
#   bash scripts/services.sh            # prints the env vars the tests read
set -euo pipefail

REDIS_PORT="${REGCORE_REDIS_PORT:-6379}"
CLUSTER_PORTS=(7001 7002 7003)
CLUSTER_DIR="${REGCORE_CLUSTER_DIR:-/tmp/regcore-redis-cluster}"

log() { printf '==> services: %s\n' "$*" >&2; }
die() {
    printf 'services: %s\n' "$*" >&2
    printf 'services: to run the other tests without the database servers, skip this step and the store tests:\n' >&2
    printf '          REGCORE_SKIP="python-store" REGCORE_STORE_TESTS=skip bash scripts/test-all.sh\n' >&2
    exit 1
}

is_root() { [[ "$(id -u)" == 0 ]]; }

apt_updated=0
apt_install() {
    is_root || die "$* missing and not root: cannot install it"
    command -v apt-get >/dev/null || die "$* missing and no apt-get to install it"
    if [[ $apt_updated == 0 ]]; then
        log "apt-get update"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || die "apt-get update failed"
        apt_updated=1
    fi
    log "apt-get install $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null \
        || die "apt-get install $* failed"
}

pg_ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
pg_query() { psql -h 127.0.0.1 -U postgres -d postgres -Atqc "$1" 2>/dev/null; }

# --- PostgreSQL ----------------------------------------------------------------
ensure_postgres() {
    if command -v pg_isready >/dev/null && pg_ready && [[ "$(pg_query 'select 1')" == 1 ]]; then
        log "PostgreSQL already running on 127.0.0.1:5432"
        return
    fi
    if ! command -v pg_ctlcluster >/dev/null || [[ -z "$(ls /etc/postgresql 2>/dev/null)" ]]; then
        apt_install postgresql postgresql-client
    fi
    local version
    version="$(ls /etc/postgresql | sort -V | tail -1)"
    [[ -n "$version" ]] || die "PostgreSQL installed but no cluster in /etc/postgresql"
    if ! pg_lsclusters -h 2>/dev/null | awk '{print $2}' | grep -qx main; then
        is_root || die "no PostgreSQL cluster 'main' and not root"
        pg_createcluster "$version" main >/dev/null
    fi
    local conf="/etc/postgresql/$version/main"
    # Trust on loopback for the tests' user postgres (a throwaway test server).
    if is_root && ! grep -q '^# regcore-test' "$conf/pg_hba.conf"; then
        log "PostgreSQL: trust auth on loopback ($conf/pg_hba.conf)"
        {
            echo '# regcore-test: trust on loopback and the socket'
            echo 'local   all   all                 trust'
            echo 'host    all   all   127.0.0.1/32  trust'
            echo 'host    all   all   ::1/128       trust'
            cat "$conf/pg_hba.conf"
        } >"$conf/pg_hba.conf.new"
        mv "$conf/pg_hba.conf.new" "$conf/pg_hba.conf"
        chown postgres:postgres "$conf/pg_hba.conf" 2>/dev/null || true
    fi
    log "starting PostgreSQL $version"
    if is_root; then
        pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null \
            || pg_ctlcluster --skip-systemctl-redirect "$version" main reload 2>/dev/null || true
    else
        pg_ctlcluster "$version" main start 2>/dev/null || die "cannot start PostgreSQL (not root)"
    fi
    for _ in $(seq 1 60); do
        pg_ready && [[ "$(pg_query 'select 1')" == 1 ]] && break
        sleep 0.5
    done
    [[ "$(pg_query 'select 1')" == 1 ]] || die "PostgreSQL did not come up on 127.0.0.1:5432 as user postgres"
    log "PostgreSQL $(pg_query 'show server_version') ready"
}

# --- Redis -----------------------------------------------------------------------
redis_ping() { redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null | grep -q PONG; }

ensure_redis() {
    if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
        apt_install redis-server redis-tools
    fi
    if redis_ping "$REDIS_PORT"; then
        log "Redis already running on 127.0.0.1:$REDIS_PORT"
    else
        log "starting Redis on 127.0.0.1:$REDIS_PORT"
        redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
            >/dev/null || die "cannot start redis-server"
        for _ in $(seq 1 50); do redis_ping "$REDIS_PORT" && break; sleep 0.1; done
        redis_ping "$REDIS_PORT" || die "Redis did not come up on 127.0.0.1:$REDIS_PORT"
    fi
    local version
    version="$(redis-cli -p "$REDIS_PORT" info server | tr -d '\r' | awk -F: '/^redis_version/{print $2}')"
    [[ "${version%%.*}" -ge 7 ]] || die "Redis $version on port $REDIS_PORT: Redis 7 or newer needed"
}

cluster_ok() { redis-cli -p "${CLUSTER_PORTS[0]}" cluster info 2>/dev/null | tr -d '\r' | grep -qx 'cluster_state:ok'; }

ensure_cluster() {
    if cluster_ok; then
        log "Redis Cluster already up on ${CLUSTER_PORTS[*]}"
        return
    fi
    mkdir -p "$CLUSTER_DIR"
    local port fresh=0
    for port in "${CLUSTER_PORTS[@]}"; do
        if ! redis_ping "$port"; then
            mkdir -p "$CLUSTER_DIR/$port"
            # A node that is not running starts from an empty state.
            rm -f "$CLUSTER_DIR/$port/nodes.conf"
            redis-server --daemonize yes --bind 127.0.0.1 --port "$port" \
                --dir "$CLUSTER_DIR/$port" --cluster-enabled yes \
                --cluster-config-file nodes.conf --cluster-node-timeout 5000 \
                --save "" --appendonly no --logfile "$CLUSTER_DIR/$port/redis.log" \
                >/dev/null || die "cannot start cluster node on port $port"
            fresh=1
        fi
    done
    for port in "${CLUSTER_PORTS[@]}"; do
        for _ in $(seq 1 50); do redis_ping "$port" && break; sleep 0.1; done
        redis_ping "$port" || die "cluster node on port $port did not come up"
    done
    local known
    known="$(redis-cli -p "${CLUSTER_PORTS[0]}" cluster info | tr -d '\r' | awk -F: '/^cluster_known_nodes/{print $2}')"
    local slots
    slots="$(redis-cli -p "${CLUSTER_PORTS[0]}" cluster info | tr -d '\r' | awk -F: '/^cluster_slots_assigned/{print $2}')"
    if [[ "$slots" == 0 ]]; then
        log "creating the cluster (${CLUSTER_PORTS[*]}, no replicas)"
        local nodes=()
        for port in "${CLUSTER_PORTS[@]}"; do nodes+=("127.0.0.1:$port"); done
        redis-cli --cluster create "${nodes[@]}" --cluster-replicas 0 --cluster-yes >/dev/null \
            || die "redis-cli --cluster create failed (nodes in $CLUSTER_DIR)"
    elif [[ "$fresh" == 1 || "$known" != "${#CLUSTER_PORTS[@]}" ]]; then
        die "Redis Cluster nodes on ${CLUSTER_PORTS[*]} are in a mixed state; stop them and remove $CLUSTER_DIR"
    fi
    for _ in $(seq 1 100); do cluster_ok && break; sleep 0.1; done
    cluster_ok || die "Redis Cluster on ${CLUSTER_PORTS[*]} did not reach cluster_state:ok"
    log "Redis Cluster ok on ${CLUSTER_PORTS[*]}"
}

ensure_postgres
ensure_redis
ensure_cluster

cat <<EOF
REGCORE_TEST_POSTGRES=host=127.0.0.1 port=5432 user=postgres dbname=postgres
REGCORE_TEST_REDIS=redis://127.0.0.1:$REDIS_PORT/0
REGCORE_TEST_REDIS_CLUSTER=redis://127.0.0.1:${CLUSTER_PORTS[0]}
EOF
