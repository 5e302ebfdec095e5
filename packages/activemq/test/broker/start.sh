#!/usr/bin/env bash
# Starts (or stops) a local ActiveMQ 5.x broker, Debian's `activemq` package, with the configuration
# in this directory: STOMP on 127.0.0.1:61613, OpenWire on 127.0.0.1:61616, scheduler on.
#
#   start.sh [start]   start unless port 61613 already accepts connections, then wait for it
#   start.sh stop      stop the broker this script started, and wait until it is gone
#   start.sh restart   stop, then start
#   start.sh purge     stop, and delete the instance's data (never for the instance main)
#
# Needs root (it runs the broker as the `activemq` user) and `apt-get install activemq`.
# The broker keeps its data in /var/lib/activemq/<instance>/data (KahaDB, scheduler store, activemq.log).
#
# Environment, for a second broker beside the shared one (the restart test runs its own):
#   EDDY_ACTIVEMQ_INSTANCE       instance name, default main
#   EDDY_ACTIVEMQ_STOMP_PORT     default 61613
#   EDDY_ACTIVEMQ_OPENWIRE_PORT  default 61616
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
INSTANCE="${EDDY_ACTIVEMQ_INSTANCE:-main}"
PORT="${EDDY_ACTIVEMQ_STOMP_PORT:-61613}"
OPENWIRE_PORT="${EDDY_ACTIVEMQ_OPENWIRE_PORT:-61616}"
if [[ ! "$INSTANCE" =~ ^[a-z0-9-]+$ ]]; then
  echo "EDDY_ACTIVEMQ_INSTANCE may only hold a-z, 0-9 and -" >&2
  exit 2
fi
BASE="/var/lib/activemq/$INSTANCE"
CONF="$BASE/eddy-conf"
PIDFILE="$BASE/activemq.pid"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

broker_pid() {
  local pid
  pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then echo "$pid"; fi
}

start() {
  if port_open; then
    echo "ActiveMQ already listening on 127.0.0.1:$PORT"
    return 0
  fi
  if [[ ! -x /usr/bin/activemq ]]; then
    echo "ActiveMQ is not installed: run apt-get install -y activemq" >&2
    return 1
  fi
  # A broker that is still starting (or stuck) from an earlier run holds the KahaDB lock.
  if [[ -n "$(broker_pid)" ]]; then stop; fi
  # Debian's options file derives ACTIVEMQ_BASE from INSTANCE; the activemq user must own it, and
  # the conf directory must be readable by that user (this checkout may not be).
  install -d -o activemq -g activemq "$BASE" "$BASE/data" "$BASE/tmp" "$CONF"
  install -m 0644 -o activemq -g activemq "$HERE/log4j.properties" "$CONF/"
  sed -e "s/127.0.0.1:61613/127.0.0.1:$PORT/" -e "s/127.0.0.1:61616/127.0.0.1:$OPENWIRE_PORT/" \
    "$HERE/activemq.xml" >"$CONF/activemq.xml"
  chown activemq:activemq "$CONF/activemq.xml"
  chmod 0644 "$CONF/activemq.xml"
  su -s /bin/sh activemq -c "INSTANCE=$INSTANCE ACTIVEMQ_CONF=$CONF ACTIVEMQ_DATA=$BASE/data \
    ACTIVEMQ_TMP=$BASE/tmp ACTIVEMQ_PIDFILE=$PIDFILE /usr/bin/activemq start xbean:activemq.xml" >/dev/null
  for _ in $(seq 1 240); do
    if port_open; then
      echo "ActiveMQ listening on 127.0.0.1:$PORT (log: $BASE/data/activemq.log)"
      return 0
    fi
    sleep 0.25
  done
  echo "ActiveMQ did not open port $PORT within 60 s; see $BASE/data/activemq.log" >&2
  tail -n 20 "$BASE/data/activemq.log" >&2 || true
  return 1
}

stop() {
  local pid
  pid="$(broker_pid)"
  if [[ -z "$pid" ]]; then
    echo "no ActiveMQ started by this script is running"
    return 0
  fi
  # The pidfile holds the java process itself; TERM shuts the broker down cleanly in about 2 s.
  kill "$pid"
  for _ in $(seq 1 240); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "ActiveMQ stopped"
      return 0
    fi
    sleep 0.25
  done
  echo "ActiveMQ (pid $pid) ignored TERM for 60 s; killing it" >&2
  kill -9 "$pid" 2>/dev/null || true
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  purge)
    # Stops the broker and removes the instance with its data (for brokers other than main).
    stop
    if [[ "$INSTANCE" != main ]]; then rm -rf "$BASE"; fi
    ;;
  restart)
    stop
    start
    ;;
  *)
    echo "usage: $0 [start|stop|restart|purge]" >&2
    exit 2
    ;;
esac
