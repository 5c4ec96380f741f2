#!/usr/bin/env bash
# A throwaway PostgreSQL server for trying the team edition on one computer (docs/team-edition.md):
#   bash scripts/team-server.sh start [DIR]   a cluster in DIR (default ./team-server) on localhost:5433, TLS with a
#                                             CA of its own (DIR/ca.pem), a database `rightsdesk` owned by the login
#                                             `officer` (password printed); prints what to give rightsdesk
#   bash scripts/team-server.sh stop [DIR]    stop it (DIR stays; delete it to start afresh)
# Needs Debian's postgresql and openssl (scripts/setup.sh installs them). Not for real data: use your
# organisation's server.
set -euo pipefail
cmd=${1:-start}
dir=$(realpath -m "${2:-team-server}")
port=${RIGHTSDESK_TEAM_PORT:-5433}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "PostgreSQL is not installed: run scripts/setup.sh (Debian's postgresql)" >&2; exit 1; }
as_server() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "$cmd" in
  stop)
    as_server "$bin/pg_ctl" -D "$dir/data" -m fast stop
    ;;
  start)
    if [ ! -d "$dir/data" ]; then
      mkdir -p "$dir"
      [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
      ( cd "$dir"
        openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 30 -subj "/CN=Rightsdesk trial CA" 2>/dev/null
        openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=localhost" 2>/dev/null
        printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > server.ext
        openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 30 -extfile server.ext 2>/dev/null
        chmod 600 server.key ca.key
        [ "$(id -u)" = 0 ] && chown postgres:postgres server.key server.pem ca.pem || true )
      password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
      printf '%s\n' "$password" > "$dir/officer.password"; chmod 600 "$dir/officer.password"
      [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir/officer.password"
      as_server "$bin/initdb" -D "$dir/data" -U postgres -A scram-sha-256 --pwfile="$dir/officer.password" -E UTF8 --locale=C >/dev/null
      {
        echo "listen_addresses = 'localhost'"; echo "port = $port"; echo "unix_socket_directories = '$dir'"
        echo "ssl = on"; echo "ssl_cert_file = '$dir/server.pem'"; echo "ssl_key_file = '$dir/server.key'"
      } >> "$dir/data/postgresql.conf"
      # Over TCP only with TLS and a password.
      printf 'local all postgres scram-sha-256\nhostssl all all 127.0.0.1/32 scram-sha-256\nhostssl all all ::1/128 scram-sha-256\n' > "$dir/data/pg_hba.conf"
      as_server "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start >/dev/null
      PGPASSWORD=$password as_server "$bin/psql" -q -h "$dir" -p "$port" -U postgres -d postgres \
        -c "CREATE ROLE officer LOGIN PASSWORD '$password'" -c "CREATE DATABASE rightsdesk OWNER officer"
    else
      as_server "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start >/dev/null
    fi
    echo "A trial team server is running on localhost:$port (stop: bash scripts/team-server.sh stop $dir)."
    echo "  export PGPASSWORD=$(cat "$dir/officer.password")"
    echo "  rightsdesk --db 'postgres://officer@localhost:$port/rightsdesk?sslrootcert=$dir/ca.pem' request list"
    ;;
  *) echo "usage: $0 start|stop [DIR]" >&2; exit 2 ;;
esac
